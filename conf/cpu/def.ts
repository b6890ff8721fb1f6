/**
 * libvirt's CPU definition (`virCPUDef`, src/conf/cpu_conf.c): `virCPUDefParseXML` for a
 * host, guest or auto-typed `<cpu>` document and `virCPUDefFormat`.
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { child, children, element, parse, stringify, textOf } from "../../util/xml/mod.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { parseUInt, xmlPropEnum, xmlPropInt, xmlPropUInt } from "../common/values.ts";
import { isKnownArch } from "../capabilities/cpu_models.ts";
import { validateCpuSchema } from "./rng_schema.ts";

/** virCPUFeaturePolicy names. */
export const FEATURE_POLICIES = ["force", "require", "optional", "disable", "forbid"] as const;
/** A feature policy. */
export type FeaturePolicy = typeof FEATURE_POLICIES[number];

const MODES = ["custom", "host-model", "host-passthrough", "maximum"] as const;
const MATCHES = ["exact", "minimum", "strict"] as const;

/** A CPU feature of a definition; a host CPU's features have no policy (libvirt's -1). */
export interface CpuFeature {
  name: string;
  policy?: FeaturePolicy;
}

/** `virCPUDef`. */
export interface CpuDef {
  type: "host" | "guest";
  /** Guest CPUs only (a host CPU has none). */
  mode?: typeof MODES[number];
  match: typeof MATCHES[number];
  check?: "none" | "partial" | "full";
  migratable?: "on" | "off";
  arch?: string;
  microcode?: number;
  signature?: { family: number; model: number; stepping: number };
  tsc?: { frequency: number; scaling?: "yes" | "no" };
  model?: string;
  fallback: "allow" | "forbid";
  vendorId?: string;
  vendor?: string;
  topology?: { sockets: number; dies: number; cores: number; threads: number };
  features: CpuFeature[];
  cache?: { level?: number; mode: "emulate" | "passthrough" | "disable" };
  maxPhysAddr?: { mode: "emulate" | "passthrough"; bits?: number };
}

const cpuErr = (code: string, msg: string) => VirError.report("CPU", code, msg);

/** virXPathString: the string value of the first child, undefined when empty. */
const text = (el: XmlElement, name: string) => textOf(child(el, name)) || undefined;

/**
 * A new guest CPU (`virCPUDefNew`): custom mode, exact match, fallback allowed, no features.
 *
 * @example
 * ```ts
 * import { newCpuDef } from "./def.ts";
 * newCpuDef().match; // "exact"
 * ```
 */
export function newCpuDef(): CpuDef {
  return { type: "guest", mode: "custom", match: "exact", fallback: "allow", features: [] };
}

/**
 * `virCPUDefParseXMLString`: parses a `<cpu>` document of the given type ("auto": a host CPU
 * when it has `<arch>`, else a guest CPU), with libvirt's errors; `validate` first checks it
 * against cpu.rng, as libvirt does for VIR_CONNECT_COMPARE_CPU_VALIDATE_XML.
 *
 * @example
 * ```ts
 * import { parseCpuDef } from "./def.ts";
 * parseCpuDef("<cpu><arch>x86_64</arch><model>Haswell</model></cpu>", "host").model; // "Haswell"
 * ```
 */
export function parseCpuDef(
  xml: string,
  type: "host" | "guest" | "auto",
  validate = false,
): CpuDef {
  const root = parse(xml, { context: "(CPU_definition)", errorDomain: "CPU" });
  if (root.name !== "cpu") {
    throw cpuErr("XML_ERROR", "XML does not contain expected 'cpu' element");
  }
  if (validate) validateCpuSchema(root);
  const a = root.attributes;
  const def = newCpuDef();
  if (type === "auto") {
    if (child(root, "arch")) {
      if (a.match !== undefined) {
        throw cpuErr(
          "XML_ERROR",
          "'arch' element cannot be used inside 'cpu' element with 'match' attribute'",
        );
      }
      def.type = "host";
    }
  } else def.type = type;
  if (a.mode !== undefined) {
    if (def.type === "host") {
      throw cpuErr("CONFIG_UNSUPPORTED", "Attribute mode is only allowed for guest CPU");
    }
    if (!(MODES as readonly string[]).includes(a.mode)) {
      throw cpuErr("CONFIG_UNSUPPORTED", `Invalid mode attribute '${a.mode}'`);
    }
    def.mode = a.mode as CpuDef["mode"];
  } else if (def.type === "host") def.mode = undefined;
  const passthrough = def.mode === "host-passthrough" || def.mode === "maximum";
  def.migratable = xmlPropEnum(root, "migratable", ["on", "off"]);
  if (def.migratable && !passthrough) {
    throw cpuErr(
      "CONFIG_UNSUPPORTED",
      "Attribute migratable is only allowed for 'host-passthrough' / 'maximum' CPU mode",
    );
  }
  if (def.type === "guest") {
    def.match = xmlPropEnum(root, "match", MATCHES) ?? "exact";
    const check = xmlPropEnum(root, "check", ["default", "none", "partial", "full"]);
    if (check && check !== "default") def.check = check;
  } else parseHostParts(root, def);
  def.model = text(root, "model");
  if (!def.model && def.type === "host") throw cpuErr("XML_ERROR", "Missing CPU model name");
  const modelEl = child(root, "model");
  if (def.type === "guest" && !passthrough && modelEl) parseModelAttrs(modelEl, def);
  def.vendor = text(root, "vendor");
  if (def.vendor && !def.model) {
    throw cpuErr("XML_ERROR", "CPU vendor specified without CPU model");
  }
  const topology = child(root, "topology");
  if (topology) def.topology = parseTopology(topology);
  def.features = parseFeatures(root, def);
  parseCacheAndAddr(root, def);
  return def;
}

/**
 * virCPUDefParseXML's `<topology>`: sockets, cores and threads required, dies 1 unless given,
 * none of them 0.
 *
 * @example
 * ```ts
 * import { parseTopology } from "./def.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseTopology(parse("<topology sockets='1' cores='2' threads='1'/>")).dies; // 1
 * ```
 */
export function parseTopology(
  topology: XmlElement,
): { sockets: number; dies: number; cores: number; threads: number } {
  const need = { required: true, nonZero: true };
  return {
    sockets: xmlPropUInt(topology, "sockets", undefined, need)!,
    dies: xmlPropUInt(topology, "dies", undefined, { nonZero: true }) ?? 1,
    cores: xmlPropUInt(topology, "cores", undefined, need)!,
    threads: xmlPropUInt(topology, "threads", undefined, need)!,
  };
}

/** A host CPU's `<arch>`, `<microcode>`, `<signature>` and TSC `<counter>`. */
function parseHostParts(root: XmlElement, def: CpuDef): void {
  const arch = text(root, "arch");
  if (!arch) throw cpuErr("XML_ERROR", "Missing CPU architecture");
  if (!isKnownArch(arch)) throw cpuErr("CONFIG_UNSUPPORTED", `Unknown architecture ${arch}`);
  def.arch = arch;
  const microcode = child(root, "microcode")?.attributes.version;
  if (microcode !== undefined) {
    def.microcode = parseUInt(microcode);
    if (def.microcode === undefined) {
      throw cpuErr("CONFIG_UNSUPPORTED", "invalid microcode version");
    }
  }
  const sig = child(root, "signature");
  if (sig) {
    def.signature = {
      family: xmlPropUInt(sig, "family", undefined, { required: true, nonZero: true })!,
      model: xmlPropUInt(sig, "model", undefined, { required: true })!,
      stepping: xmlPropUInt(sig, "stepping", undefined, { required: true })!,
    };
  }
  const counter = children(root, "counter").find((c) => c.attributes.name === "tsc");
  if (counter) {
    def.tsc = {
      frequency: xmlPropUInt(counter, "frequency", Number.MAX_SAFE_INTEGER, { required: true })!,
      scaling: xmlPropEnum(counter, "scaling", ["yes", "no"]),
    };
  }
}

/** A guest model's `fallback` and `vendor_id`. */
function parseModelAttrs(model: XmlElement, def: CpuDef): void {
  const { fallback, vendor_id: vendorId } = model.attributes;
  if (fallback) {
    if (fallback !== "allow" && fallback !== "forbid") {
      throw cpuErr("CONFIG_UNSUPPORTED", "Invalid fallback attribute");
    }
    def.fallback = fallback;
  }
  if (vendorId) {
    if ([...vendorId].length !== 12) {
      throw cpuErr("XML_ERROR", "vendor_id must be exactly 12 characters long");
    }
    if (vendorId.includes(",")) throw cpuErr("XML_ERROR", "vendor id is invalid");
    def.vendorId = vendorId;
  }
}

function parseFeatures(root: XmlElement, def: CpuDef): CpuFeature[] {
  const nodes = children(root, "feature");
  if (nodes.length && !def.model && def.mode === "custom") {
    throw cpuErr("XML_ERROR", "Non-empty feature list specified without CPU model");
  }
  const out: CpuFeature[] = [];
  for (const node of nodes) {
    let policy: FeaturePolicy | undefined;
    if (def.type === "guest") {
      const p = node.attributes.policy ?? "require";
      if (!(FEATURE_POLICIES as readonly string[]).includes(p)) {
        throw cpuErr("CONFIG_UNSUPPORTED", "Invalid CPU feature policy");
      }
      policy = p as FeaturePolicy;
    }
    const name = node.attributes.name;
    if (!name) throw cpuErr("XML_ERROR", "Invalid CPU feature name");
    if (out.some((f) => f.name === name)) {
      throw cpuErr("XML_ERROR", `CPU feature '${name}' specified more than once`);
    }
    out.push(policy ? { name, policy } : { name });
  }
  return out;
}

function parseCacheAndAddr(root: XmlElement, def: CpuDef): void {
  const caches = children(root, "cache");
  if (caches.length > 1) {
    throw cpuErr("XML_ERROR", "at most one CPU cache element may be specified");
  }
  if (caches.length) {
    const level = xmlPropInt(caches[0], "level", { nonNegative: true });
    if (level !== undefined && (level < 1 || level > 3)) {
      throw cpuErr("XML_ERROR", "invalid CPU cache level, must be in range [1,3]");
    }
    const mode = xmlPropEnum(caches[0], "mode", ["emulate", "passthrough", "disable"], true)!;
    def.cache = level === undefined ? { mode } : { level, mode };
  }
  const addr = child(root, "maxphysaddr");
  if (addr) {
    const mode = xmlPropEnum(addr, "mode", ["emulate", "passthrough"], true)!;
    const bits = xmlPropInt(addr, "bits", { nonNegative: true });
    def.maxPhysAddr = bits === undefined ? { mode } : { mode, bits };
  }
}

/**
 * `virCPUDefFormat` (without NUMA cells): the `<cpu>` element as libvirt prints it.
 *
 * @example
 * ```ts
 * import { formatCpuDef, newCpuDef } from "./def.ts";
 * formatCpuDef({ ...newCpuDef(), model: "Haswell" });
 * // "<cpu mode='custom' match='exact'>\n  <model fallback='allow'>Haswell</model>\n</cpu>\n"
 * ```
 */
export function formatCpuDef(def: CpuDef): string {
  return stringify(cpuDefElement(def));
}

/**
 * `virCPUDefFormatBuf` as an element: the `<cpu>` of {@link formatCpuDef}, whose children a
 * caller can place elsewhere (domain capabilities print a host model's inside `<mode>`).
 *
 * @example
 * ```ts
 * import { cpuDefElement, newCpuDef } from "./def.ts";
 * cpuDefElement({ ...newCpuDef(), model: "Haswell" }).children.length; // 1
 * ```
 */
export function cpuDefElement(def: CpuDef): XmlElement {
  const guest = def.type === "guest";
  const attrs: Record<string, string | undefined> = {};
  if (guest && (def.mode !== "custom" || def.model)) {
    attrs.mode = def.mode;
    if (def.mode === "custom") attrs.match = def.match;
    attrs.check = def.check;
    if (def.mode === "host-passthrough" || def.mode === "maximum") {
      attrs.migratable = def.migratable;
    }
  }
  const formatModel = def.mode === "custom" || def.mode === "host-model" || !guest;
  const kids = [
    !guest && def.arch !== undefined && element("arch", {}, [def.arch]),
    formatModel && (def.model !== undefined || def.vendorId !== undefined) &&
    element("model", {
      fallback: guest && def.model ? def.fallback : undefined,
      vendor_id: guest ? def.vendorId : undefined,
    }, def.model !== undefined ? [def.model] : []),
    formatModel && def.vendor !== undefined && element("vendor", {}, [def.vendor]),
    !guest && !!def.microcode && element("microcode", { version: def.microcode }),
    !guest && !!def.signature?.family && element("signature", { ...def.signature }),
    !guest && def.tsc &&
    element("counter", { name: "tsc", frequency: def.tsc.frequency, scaling: def.tsc.scaling }),
    def.topology && element("topology", { ...def.topology }),
    def.cache && element("cache", { level: def.cache.level, mode: def.cache.mode }),
    def.maxPhysAddr &&
    element("maxphysaddr", { mode: def.maxPhysAddr.mode, bits: def.maxPhysAddr.bits }),
    ...def.features.map((f) =>
      element("feature", guest ? { policy: f.policy, name: f.name } : { name: f.name })
    ),
  ];
  return element("cpu", attrs, kids);
}
