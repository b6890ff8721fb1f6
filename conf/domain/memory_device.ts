/**
 * `<memory>` devices (virDomainMemoryDefParseXML / virDomainMemoryDefFormat /
 * virDomainMemoryDefValidate): model, access and discard, the NVDIMM UUID, the `<source>` and
 * `<target>` each model reads (sizes in KiB), and libvirt's checks of them.
 *
 * @example
 * ```ts
 * import { parseMemoryDevice } from "./memory_device.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseMemoryDevice(parse("<memory model='dimm'><target><size unit='MiB'>1</size></target></memory>"), {});
 * // <memory model='dimm'><target><size unit='KiB'>1024</size></target></memory>
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { child, children, element, textOf, type XmlElement } from "../../util/xml/mod.ts";
import { parseInt32, parseUUID, xmlPropEnum } from "../common/mod.ts";
import { formatBitmap, parseBitmap } from "./bitmap.ts";
import { normalizeElement, type NormalizeOptions } from "./normalize.ts";
import { memoryKiB } from "./scaled.ts";

const MODELS = ["dimm", "nvdimm", "virtio-pmem", "virtio-mem", "sgx-epc"] as const;

const xmlError = (msg: string) => VirError.report("DOMAIN", "XML_ERROR", msg);

/**
 * virDomainParseMemory of child `name` of `el`, in KiB; 0 when absent unless `required`.
 * `xpath` names it in the errors, as libvirt's caller does.
 */
function childKiB(el: XmlElement, name: string, xpath: string, required = false): bigint {
  const node = child(el, name);
  const text = node ? textOf(node) ?? "" : "";
  if (text === "") {
    if (required) throw xmlError(`missing element or attribute '${xpath}'`);
    return 0n;
  }
  return memoryKiB(text, node!.attributes.unit, xpath);
}

const kibElement = (name: string, kib: bigint) => element(name, { unit: "KiB" }, [String(kib)]);

/** A `<nodemask>`: a non-empty node list. */
function nodemask(source: XmlElement): XmlElement | undefined {
  const text = textOf(child(source, "nodemask"));
  if (!text) return undefined;
  const nodes = parseBitmap(text);
  if (!nodes.length) {
    throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", `Invalid value of 'nodemask': ${text}`);
  }
  return element("nodemask", {}, [formatBitmap(nodes)]);
}

/** virDomainMemorySourceDefParseXML and its format: the children a model reads. */
function parseSource(model: string, source: XmlElement): XmlElement[] {
  const out: (XmlElement | undefined)[] = [];
  if (model === "dimm" || model === "virtio-mem") {
    const pagesize = childKiB(source, "pagesize", "./pagesize");
    out.push(nodemask(source), pagesize ? kibElement("pagesize", pagesize) : undefined);
  } else if (model === "nvdimm" || model === "virtio-pmem") {
    const path = textOf(child(source, "path"));
    out.push(path ? element("path", {}, [path]) : undefined);
    if (model === "nvdimm") {
      const align = childKiB(source, "alignsize", "./alignsize");
      out.push(align ? kibElement("alignsize", align) : undefined);
      if (child(source, "pmem")) out.push(element("pmem"));
    }
  } else if (model === "sgx-epc") {
    out.push(nodemask(source));
  }
  return out.filter((e): e is XmlElement => e !== undefined);
}

/** virDomainMemoryTargetDefParseXML and its (inactive) format. */
function parseTarget(model: string, target: XmlElement): XmlElement[] {
  const nodeText = textOf(child(target, "node")) || undefined;
  const node = nodeText === undefined ? undefined : parseInt32(nodeText);
  if (nodeText !== undefined && (node === undefined || node < 0)) {
    throw xmlError("invalid value of memory device node");
  }
  const size = childKiB(target, "size", "./size", true);
  const out: XmlElement[] = [kibElement("size", size)];
  if (node !== undefined) out.push(element("node", {}, [String(node)]));
  if (model === "nvdimm") {
    const label = child(target, "label");
    const labelSize = label ? childKiB(label, "size", "./label/size") : 0n;
    if (labelSize && labelSize < 128n) throw xmlError("nvdimm label must be at least 128KiB");
    if (labelSize >= size) throw xmlError("label size must be smaller than NVDIMM size");
    if (labelSize) out.push(element("label", {}, [kibElement("size", labelSize)]));
    if (child(target, "readonly")) out.push(element("readonly"));
  } else if (model === "virtio-mem") {
    const block = childKiB(target, "block", "./block");
    const requested = childKiB(target, "requested", "./requested");
    if (block) out.push(kibElement("block", block), kibElement("requested", requested));
  }
  return out;
}

/**
 * Parses one `<memory>` device and writes it back as libvirt 9.0 does.
 */
export function parseMemoryDevice(dev: XmlElement, options: NormalizeOptions): XmlElement {
  const model = xmlPropEnum(dev, "model", MODELS, true)!;
  const access = xmlPropEnum(dev, "access", ["shared", "private"]);
  const discard = xmlPropEnum(dev, "discard", ["yes", "no"]);
  const kids: XmlElement[] = [];
  const uuidText = model === "nvdimm" ? textOf(child(dev, "uuid")) : undefined;
  if (uuidText) {
    const uuid = parseUUID(uuidText);
    if (!uuid) throw VirError.report("DOMAIN", "INTERNAL_ERROR", "malformed uuid element");
    kids.push(element("uuid", {}, [uuid]));
  }
  const source = child(dev, "source");
  const sourceKids = source ? parseSource(model, source) : [];
  const target = child(dev, "target");
  if (!target) throw xmlError("missing <target> element for <memory> device");
  if (sourceKids.length) kids.push(element("source", {}, sourceKids));
  kids.push(element("target", {}, parseTarget(model, target)));
  // virDomainDeviceInfoFormat's part (alias, address, …) as the attribute table has it.
  const info = normalizeElement(dev, "devices", options);
  for (const k of info?.children ?? []) {
    if (k.type === "element" && !["uuid", "source", "target"].includes(k.name)) kids.push(k);
  }
  // virDomainMemoryDefPostParse: virtio-pmem writes through to its file, so it is shared.
  const shared = model === "virtio-pmem" ? access ?? "shared" : access;
  return element("memory", { model, access: shared, discard }, kids);
}

/** The size of a parsed memory device, in KiB. */
export function memoryDeviceKiB(mem: XmlElement): bigint {
  return kib(child(child(mem, "target"), "size"));
}

/** The KiB a parsed memory device's sized element holds (0 when absent). */
const kib = (el: XmlElement | undefined) => BigInt(textOf(el)?.trim() || "0");

/** virHostMemGetTHPSize's usual answer (x86, arm64), and libvirt's fallback when unreadable. */
const THP_KIB = 2048n;

/**
 * virDomainMemoryDefValidate's model checks (paths, discard, access, NUMA node, NVDIMM
 * UUID and label, virtio-mem sizes) for a parsed device of a domain with `numaNodes` guest
 * NUMA cells, on `arch`.
 *
 * @example
 * ```ts
 * import { validateMemoryDevice } from "./memory_device.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * validateMemoryDevice(parse("<memory model='dimm'><target><size unit='KiB'>1</size></target></memory>"), 0);
 * ```
 */
export function validateMemoryDevice(
  mem: XmlElement,
  numaNodes: number,
  arch?: string,
): void {
  const detail = (msg: string) => VirError.report("DOMAIN", "XML_DETAIL", msg);
  const unsupported = (msg: string) => VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", msg);
  const target = child(mem, "target");
  const nodeText = textOf(child(target, "node"));
  if (nodeText !== undefined) {
    const node = Number(nodeText);
    if (numaNodes === 0) {
      throw detail("can't add memory backend as guest has no NUMA nodes configured");
    }
    if (node >= numaNodes) {
      throw detail(
        `can't add memory backend for guest node '${node}' as the guest has only ` +
          `'${numaNodes}' NUMA nodes configured`,
      );
    }
  }
  const { model, discard, access } = mem.attributes;
  const path = children(child(mem, "source"), "path").length > 0;
  if (model === "nvdimm") {
    if (!path) throw detail("path is required for model 'nvdimm'");
    if (discard === "yes") throw unsupported("discard is not supported for nvdimms");
    if (arch === "ppc64" || arch === "ppc64le") {
      if (!kib(child(child(target, "label"), "size"))) {
        throw unsupported("label size is required for NVDIMM device");
      }
    } else if (child(mem, "uuid")) throw unsupported("UUID is not supported for NVDIMM device");
  } else if (model === "virtio-mem") {
    const [size, requested, block] = ["size", "requested", "block"].map((n) =>
      kib(child(target, n))
    );
    if (requested > size) {
      throw detail(`requested size must be smaller than or equal to @size (${size}KiB)`);
    }
    if (!block || block & (block - 1n)) throw detail("block size must be a power of two");
    // The host's transparent huge page size; libvirt falls back to 2 MiB when it cannot read it.
    if (block < THP_KIB) throw detail(`block size too small, must be at least ${THP_KIB}KiB`);
    if (requested % block) throw detail("requested size must be an integer multiple of block size");
  } else if (model === "sgx-epc" && child(mem, "address")) {
    throw unsupported("memory device address is not supported for model 'sgx-epc'");
  } else if (model === "virtio-pmem") {
    if (!path) throw detail("path is required for model 'virtio-pmem'");
    if (discard === "yes") throw unsupported("discard is not supported for model 'virtio-pmem'");
    if (access !== "shared") {
      throw unsupported("shared access mode required for virtio-pmem device");
    }
    if (nodeText !== undefined) throw unsupported("virtio-pmem does not support NUMA nodes");
  }
}
