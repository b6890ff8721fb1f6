/**
 * `<features>`: libvirt 9.0's virDomainFeaturesDefParse and virDomainDefFormatFeatures. Every
 * feature is read into its state (a later element of the same name wins, as libvirt overwrites
 * its slot) and written back in libvirt's enum order with its defaults made explicit.
 *
 * @example
 * ```ts
 * import { parseFeatures } from "./features.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * const el = parseFeatures([parse("<features><pmu/><hyperv/></features>")]);
 * // <features><pmu state='on'/><hyperv mode='custom'></hyperv></features>
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { children, element } from "../../util/xml/mod.ts";
import { LLONG_MAX, xmlPropEnum, xmlPropUInt } from "../common/mod.ts";
import { scaledValue } from "./scaled.ts";

/** virDomainFeature names, in libvirt's enum (and output) order. */
const FEATURES = (
  "acpi apic pae hap viridian privnet hyperv kvm pvspinlock capabilities pmu vmport gic smm " +
  "ioapic hpt vmcoreinfo htm nested-hv msrs ccf-assist xen cfpc sbbc ibs tcg"
).split(" ");

const HYPERV = (
  "relaxed vapic spinlocks vpindex runtime synic stimer reset vendor_id frequencies " +
  "reenlightenment tlbflush ipi evmcs avic"
).split(" ");
const KVM = ["hidden", "hint-dedicated", "poll-control", "pv-ipi", "dirty-ring"];
const XEN = ["e820_host", "passthrough"];
const CAPS = (
  "audit_control audit_write block_suspend chown dac_override dac_read_search fowner fsetid " +
  "ipc_lock ipc_owner kill lease linux_immutable mac_admin mac_override mknod net_admin " +
  "net_bind_service net_broadcast net_raw setgid setfcap setpcap setuid sys_admin sys_boot " +
  "sys_chroot sys_module sys_nice sys_pacct sys_ptrace sys_rawio sys_resource sys_time " +
  "sys_tty_config syslog wake_alarm"
).split(" ");

const ON_OFF = ["on", "off"] as const;
/** Features that are on when present, whatever they say. */
const PLAIN = new Set(["acpi", "pae", "viridian", "privnet"]);
/** Features with an optional state that defaults to on. */
const STATE_DEFAULT_ON = new Set(["hap", "vmcoreinfo", "pmu", "pvspinlock", "vmport"]);
/** Features whose state is required. */
const STATE_REQUIRED = new Set(["htm", "nested-hv", "ccf-assist"]);
const VALUE_ENUMS: Record<string, string[]> = {
  cfpc: ["broken", "workaround", "fixed"],
  sbbc: ["broken", "workaround", "fixed"],
  ibs: ["broken", "workaround", "fixed-ibs", "fixed-ccd", "fixed-na"],
};

const unsupported = (msg: string) => VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", msg);
const xmlError = (msg: string) => VirError.report("DOMAIN", "XML_ERROR", msg);

/** virXMLPropUInt with VIR_XML_PROP_REQUIRED. */
function requiredUInt(el: XmlElement, attr: string): number {
  const n = xmlPropUInt(el, attr);
  if (n === undefined) {
    throw VirError.report(
      "XML",
      "XML_ERROR",
      `Missing required attribute '${attr}' in element '${el.name}'`,
    );
  }
  return n;
}

/** virFormatIntPretty: the largest binary unit that divides `bytes`. */
function prettyBytes(bytes: bigint): [bigint, string] {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let i = 0;
  while (i < units.length - 1 && bytes !== 0n && bytes % 1024n === 0n) {
    bytes /= 1024n;
    i++;
  }
  return [bytes, units[i]];
}

/** One `<name state='…'/>` per set entry of `list`, in `order`. */
function states(order: string[], list: Map<string, XmlElement>): XmlElement[] {
  return order.flatMap((n) => list.get(n) ?? []);
}

function parseHyperv(el: XmlElement): XmlElement {
  const mode = xmlPropEnum(el, "mode", ["custom", "passthrough"]) ?? "custom";
  const set = new Map<string, XmlElement>();
  for (const f of children(el)) {
    if (!HYPERV.includes(f.name)) {
      throw unsupported(`unsupported HyperV Enlightenment feature: ${f.name}`);
    }
    const state = xmlPropEnum(f, "state", ON_OFF, true)!;
    const out = element(f.name, { state });
    if (state === "on" && f.name === "stimer") {
      let direct: string | undefined;
      for (const c of children(f)) {
        if (c.name !== "direct") throw unsupported(`unsupported Hyper-V stimer feature: ${c.name}`);
        direct = xmlPropEnum(c, "state", ON_OFF, true);
      }
      if (direct === "on") out.children.push(element("direct", { state: "on" }));
    } else if (state === "on" && f.name === "spinlocks") {
      const retries = requiredUInt(f, "retries");
      if (retries < 0xfff) throw xmlError("HyperV spinlock retry count must be at least 4095");
      out.attributes.retries = String(retries);
    } else if (state === "on" && f.name === "vendor_id") {
      const value = f.attributes.value;
      if (value === undefined) {
        throw xmlError("missing 'value' attribute for HyperV feature 'vendor_id'");
      }
      if ([...value].length > 12) {
        throw xmlError("HyperV vendor_id value must not be more than 12 characters.");
      }
      if (value.includes(",")) throw xmlError("HyperV vendor_id value is invalid");
      out.attributes.value = value;
    }
    set.set(f.name, out);
  }
  return element("hyperv", { mode }, states(HYPERV, set));
}

function parseKvm(el: XmlElement): XmlElement {
  const set = new Map<string, XmlElement>();
  for (const f of children(el)) {
    if (!KVM.includes(f.name)) throw unsupported(`unsupported KVM feature: ${f.name}`);
    const state = xmlPropEnum(f, "state", ON_OFF, true)!;
    const out = element(f.name, { state });
    if (f.name === "dirty-ring" && state === "on") {
      const size = requiredUInt(f, "size");
      if ((size & (size - 1)) !== 0 || size < 1024 || size > 65536) {
        throw xmlError("dirty ring must be power of 2 and ranges [1024, 65536]");
      }
      out.attributes.size = String(size);
    }
    set.set(f.name, out);
  }
  return element("kvm", {}, states(KVM, set));
}

function parseXen(el: XmlElement): XmlElement {
  const set = new Map<string, XmlElement>();
  for (const f of children(el)) {
    if (!XEN.includes(f.name)) throw unsupported(`unsupported Xen feature: ${f.name}`);
    const state = xmlPropEnum(f, "state", ON_OFF, true)!;
    const out = element(f.name, { state });
    if (f.name === "passthrough" && state === "on") {
      const mode = xmlPropEnum(f, "mode", ["sync_pt", "share_pt"]);
      if (mode) out.attributes.mode = mode;
    }
    set.set(f.name, out);
  }
  return element("xen", {}, states(XEN, set));
}

/** Process capabilities add up over repeated `<capabilities>` elements; the policy is the last. */
function parseCapabilities(el: XmlElement, caps: Map<string, XmlElement>): string {
  const policy = xmlPropEnum(el, "policy", ["default", "allow", "deny"]) ?? "default";
  for (const f of children(el)) {
    if (!CAPS.includes(f.name)) throw unsupported(`unexpected capability feature '${f.name}'`);
    caps.set(f.name, element(f.name, { state: xmlPropEnum(f, "state", ON_OFF) ?? "on" }));
  }
  return policy;
}

/** `<smm>`: its TSEG size only counts when SMM is on. */
function parseSmm(el: XmlElement): XmlElement {
  const state = xmlPropEnum(el, "state", ON_OFF) ?? "on";
  const out = element("smm", { state });
  if (state !== "on") return out;
  const tseg = children(el, "tseg")[0];
  const bytes = scaledValue(tseg, "string(./features/smm/tseg)", 1024n * 1024n);
  if (bytes !== undefined) {
    const [n, unit] = prettyBytes(bytes);
    out.children.push(element("tseg", { unit }, [String(n)]));
  }
  return out;
}

/** `<hpt>` is on only with a resizing mode or a page size. */
function parseHpt(el: XmlElement): XmlElement | undefined {
  const resizing = xmlPropEnum(el, "resizing", ["enabled", "disabled", "required"]);
  let kib = 0n;
  try {
    const bytes = scaledValue(children(el, "maxpagesize")[0], "./features/hpt/maxpagesize", 1024n);
    kib = ((bytes ?? 0n) + 1023n) / 1024n;
  } catch {
    throw unsupported("Unable to parse HPT maxpagesize setting");
  }
  if (!resizing && !kib) return undefined;
  return element(
    "hpt",
    { resizing },
    kib ? [element("maxpagesize", { unit: "KiB" }, [String(kib)])] : [],
  );
}

/** `<tcg>` is on only with a translation block cache size (virDomainParseMemory, KiB). */
function parseTcg(el: XmlElement): XmlElement | undefined {
  const bytes = scaledValue(children(el, "tb-cache")[0], "./tb-cache", 1024n, LLONG_MAX);
  const kib = ((bytes ?? 0n) + 1023n) / 1024n;
  if (kib >= (LLONG_MAX + 1023n) / 1024n) {
    throw VirError.report("DOMAIN", "OVERFLOW", "size value too large");
  }
  if (!kib) return undefined;
  return element("tcg", {}, [element("tb-cache", { unit: "KiB" }, [String(kib)])]);
}

/** The state of one feature element, or undefined when it leaves the feature off. */
function parseOne(f: XmlElement, caps: Map<string, XmlElement>): XmlElement | undefined {
  const name = f.name;
  if (PLAIN.has(name)) return element(name);
  if (STATE_DEFAULT_ON.has(name)) {
    return element(name, { state: xmlPropEnum(f, "state", ON_OFF) ?? "on" });
  }
  if (STATE_REQUIRED.has(name)) {
    return element(name, { state: xmlPropEnum(f, "state", ON_OFF, true) });
  }
  if (VALUE_ENUMS[name]) {
    const value = xmlPropEnum(f, "value", VALUE_ENUMS[name]);
    return value ? element(name, { value }) : undefined;
  }
  switch (name) {
    case "apic":
      return element("apic", { eoi: xmlPropEnum(f, "eoi", ON_OFF) });
    case "msrs":
      return element("msrs", { unknown: xmlPropEnum(f, "unknown", ["ignore", "fault"], true) });
    case "hyperv":
      return parseHyperv(f);
    case "kvm":
      return parseKvm(f);
    case "xen":
      return parseXen(f);
    case "capabilities":
      return element("capabilities", { policy: parseCapabilities(f, caps) });
    case "smm":
      return parseSmm(f);
    case "gic":
      return element("gic", { version: xmlPropEnum(f, "version", ["host", "2", "3"]) });
    case "ioapic": {
      const driver = xmlPropEnum(f, "driver", ["qemu", "kvm"]);
      return driver ? element("ioapic", { driver }) : undefined;
    }
    case "hpt":
      return parseHpt(f);
    default:
      return parseTcg(f);
  }
}

/**
 * Parses the children of every `<features>` element (libvirt reads `./features/*`) and returns
 * the `<features>` libvirt writes back, or undefined when it writes none.
 */
export function parseFeatures(els: XmlElement[]): XmlElement | undefined {
  const set = new Map<string, XmlElement | undefined>();
  const caps = new Map<string, XmlElement>();
  for (const f of els.flatMap((e) => children(e))) {
    if (!FEATURES.includes(f.name)) throw unsupported(`unexpected feature '${f.name}'`);
    set.set(f.name, parseOne(f, caps));
  }
  const capabilities = set.get("capabilities");
  if (capabilities) {
    capabilities.children = states(CAPS, caps);
    // The default policy is written only along with capabilities to apply it to.
    if (capabilities.attributes.policy === "default" && !capabilities.children.length) {
      set.delete("capabilities");
    }
  }
  const kids = FEATURES.flatMap((n) => set.get(n) ?? []);
  return kids.length ? element("features", {}, kids) : undefined;
}

/** Features virDomainDefFormatFeatures writes with open and close tags even when empty. */
const OPEN = new Set(["hyperv", "kvm", "xen"]);

/**
 * `<features>` ready to print: the features libvirt always writes with open and close tags
 * are marked so (a print-time mark, kept out of the model).
 *
 * @example
 * ```ts
 * import { featuresForOutput } from "./features.ts";
 * import { element } from "../../util/xml/mod.ts";
 * featuresForOutput(element("features", {}, [element("kvm")])); // kvm printed <kvm>\n</kvm>
 * ```
 */
export function featuresForOutput(features: XmlElement): XmlElement {
  return {
    ...features,
    children: features.children.map((c) =>
      c.type === "element" && OPEN.has(c.name) ? { ...c, keepOpen: true } : c
    ),
  };
}
