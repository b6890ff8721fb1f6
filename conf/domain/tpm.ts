/**
 * `<tpm>` (virDomainTPMDefParseXML / virDomainTPMDefFormat / virDomainTPMDevValidate): the
 * model and the one backend, passthrough (its device path, /dev/tpm0 by default), emulator
 * (version, persistent state, encryption secret, active PCR banks) or external (a UNIX socket).
 *
 * @example
 * ```ts
 * import { parseTpm } from "./tpm.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseTpm(parse("<tpm><backend type='passthrough'/></tpm>"), {});
 * // <tpm><backend type='passthrough'><device path='/dev/tpm0'/></backend></tpm>
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { child, children, element, type XmlElement } from "../../util/xml/mod.ts";
import { parseUUID, xmlPropEnum } from "../common/mod.ts";
import { SOURCE_TYPES } from "./chardev.ts";
import { normalizeElement, type NormalizeOptions } from "./normalize.ts";

const MODELS = ["tpm-tis", "tpm-crb", "tpm-spapr", "spapr-tpm-proxy"];
const PCR_BANKS = ["sha1", "sha256", "sha384", "sha512"];

const xmlError = (msg: string) => VirError.report("DOMAIN", "XML_ERROR", msg);

function emulatorBackend(backend: XmlElement): XmlElement {
  const version = xmlPropEnum(backend, "version", ["1.2", "2.0"]);
  const kids: XmlElement[] = [];
  const secret = child(backend, "encryption")?.attributes.secret;
  if (secret) {
    const uuid = parseUUID(secret);
    if (!uuid) {
      throw VirError.report("DOMAIN", "INTERNAL_ERROR", `Unable to parse secret uuid '${secret}'`);
    }
    kids.push(element("encryption", { secret: uuid }));
  }
  const persistent = backend.attributes.persistent_state;
  if (persistent !== undefined && persistent !== "yes" && persistent !== "no") {
    throw VirError.report(
      "DOMAIN",
      "INTERNAL_ERROR",
      "Invalid persistent_state value, either 'yes' or 'no'",
    );
  }
  const banks = children(child(backend, "active_pcr_banks"));
  if (banks.length) {
    const set = new Set<string>();
    for (const b of banks) {
      if (!PCR_BANKS.includes(b.name)) {
        throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", `Unsupported PCR banks '${b.name}'`);
      }
      set.add(b.name);
    }
    // The version they need is checked with the whole definition (validateTpm).
    const list = PCR_BANKS.filter((b) => set.has(b)).map((b) => element(b));
    kids.push(element("active_pcr_banks", {}, list));
  }
  const attrs = {
    type: "emulator",
    version,
    persistent_state: persistent === "yes" ? "yes" : undefined,
  };
  return element("backend", attrs, kids);
}

function externalBackend(backend: XmlElement): XmlElement {
  const source = child(backend, "source");
  const type = source?.attributes.type || undefined;
  if (!type) throw xmlError("missing external TPM backend type");
  if (!SOURCE_TYPES.includes(type)) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      `unknown backend type '${type}' for external TPM`,
    );
  }
  // virDomainTPMDevValidate.
  if (type !== "unix") {
    throw xmlError("only source type 'unix' is supported for external TPM device");
  }
  if (source!.attributes.mode === "bind") {
    throw xmlError("only 'client' mode is supported for external TPM device");
  }
  const path = source!.attributes.path;
  if (path === undefined) throw xmlError("missing socket path for external TPM device");
  return element("backend", { type: "external" }, [
    element("source", { type: "unix", mode: "connect", path }),
  ]);
}

/** Parses one `<tpm>` and writes it back as libvirt 9.0 does. */
export function parseTpm(dev: XmlElement, options: NormalizeOptions): XmlElement {
  const model = xmlPropEnum(dev, "model", MODELS);
  const backends = children(dev, "backend");
  if (backends.length > 1) throw xmlError("only one TPM backend is supported");
  if (!backends.length) throw xmlError("missing TPM device backend");
  const backend = backends[0];
  const type = xmlPropEnum(backend, "type", ["passthrough", "emulator", "external"], true);
  let be: XmlElement;
  if (type === "passthrough") {
    const path = child(backend, "device")?.attributes.path || "/dev/tpm0";
    be = element("backend", { type }, [element("device", { path })]);
  } else if (type === "emulator") {
    be = emulatorBackend(backend);
  } else {
    be = externalBackend(backend);
  }
  // virDomainDeviceInfoFormat's part (alias, address) as the attribute table has it.
  const info = normalizeElement(dev, "devices", options)?.children ?? [];
  const rest = info.filter((k): k is XmlElement => k.type === "element" && k.name !== "backend");
  return element("tpm", { model }, [be, ...rest]);
}

/**
 * virDomainTPMDevValidate's check of an emulated TPM (a parsed `<tpm>`), made at the TPM's turn
 * of the device validation: active PCR banks need TPM 2.0.
 *
 * @example
 * ```ts
 * import { validateTpm } from "./tpm.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * validateTpm(parse("<tpm><backend type='emulator' version='2.0'/></tpm>")); // passes
 * ```
 */
export function validateTpm(tpm: XmlElement): void {
  const backend = child(tpm, "backend");
  if (backend?.attributes.type !== "emulator" || !child(backend, "active_pcr_banks")) return;
  if (backend.attributes.version !== "2.0") {
    throw xmlError("<active_pcr_banks/> requires TPM version '2.0'");
  }
}
