/**
 * `<shmem>` (virDomainShmemDefParseXML / virDomainShmemDefFormat): name, role (read unless the
 * model is plain `ivshmem`), model (`ivshmem` when absent), size in whole MiB, the server's
 * socket and the MSI options, which need a server.
 *
 * @example
 * ```ts
 * import { parseShmem } from "./shmem.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseShmem(parse("<shmem name='s'/>"), {}); // <shmem name='s'><model type='ivshmem'/></shmem>
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { child, element, type XmlElement } from "../../util/xml/mod.ts";
import { sanitizePath, xmlPropEnum, xmlPropUInt } from "../common/mod.ts";
import { normalizeElement, type NormalizeOptions } from "./normalize.ts";
import { scaledValue } from "./scaled.ts";

const MODELS = ["ivshmem", "ivshmem-plain", "ivshmem-doorbell"];

/** Parses one `<shmem>` and writes it back as libvirt 9.0 does. */
export function parseShmem(dev: XmlElement, options: NormalizeOptions): XmlElement {
  const modelEl = child(dev, "model");
  const model = (modelEl && xmlPropEnum(modelEl, "type", MODELS)) ?? "ivshmem";
  const name = dev.attributes.name;
  if (name === undefined) {
    throw VirError.report("DOMAIN", "XML_ERROR", "shmem element must contain 'name' attribute");
  }
  const role = model === "ivshmem" ? undefined : xmlPropEnum(dev, "role", ["master", "peer"]);
  const size = scaledValue(child(dev, "size"), "./size[1]", 1n) ?? 0n;
  const server = child(dev, "server");
  const msi = child(dev, "msi");
  const kids: XmlElement[] = [element("model", { type: model })];
  if (size) kids.push(element("size", { unit: "M" }, [String(size >> 20n)]));
  if (server) {
    const path = server.attributes.path;
    kids.push(element("server", { path: path === undefined ? undefined : sanitizePath(path) }));
  }
  if (msi) {
    const vectors = xmlPropUInt(msi, "vectors", undefined, { base: 0 });
    const ioeventfd = xmlPropEnum(msi, "ioeventfd", ["on", "off"]);
    if (!server) {
      throw VirError.report("DOMAIN", "XML_ERROR", "msi option is only supported with a server");
    }
    kids.push(element("msi", { vectors: vectors ? String(vectors) : undefined, ioeventfd }));
  }
  // virDomainDeviceInfoFormat's part (alias, address) as the attribute table has it.
  for (const k of normalizeElement(dev, "devices", options)?.children ?? []) {
    if (k.type === "element" && !["model", "size", "server", "msi"].includes(k.name)) {
      kids.push(k);
    }
  }
  return element("shmem", { name, role }, kids);
}
