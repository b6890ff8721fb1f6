/**
 * `parseDomainXML`: libvirt's `virDomainDefParseString` for the `<domain>` document.
 *
 * @example
 * ```ts
 * import { parseDomainXML } from "./parse.ts";
 * const def = parseDomainXML(
 *   "<domain type='test'><name>vm</name><memory>1024</memory><os><type>hvm</type></os></domain>",
 * );
 * def.memory.total; // 1024
 * ```
 * @module
 */
import { parseUUID, sanitizeMetadata, scaleInteger, ULLONG_MAX } from "../common/mod.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { child, children, childText, parse, textOf } from "../../util/xml/mod.ts";
import { normalizeBitmap } from "./bitmap.ts";
import { parseCputune } from "./cputune.ts";
import type { DomainDef } from "./def.ts";
import { parseDevices } from "./devices.ts";
import {
  normalizeElement,
  type NormalizeOptions,
  stripLines,
  type UnknownElement,
} from "./normalize.ts";
import { parseOs } from "./os.ts";
import { validateDomainDef } from "./validate.ts";

/** `<domain type>` values libvirt 9.0 knows (virDomainVirt). */
const VIRT_TYPES = new Set(
  "none qemu kqemu kvm xen lxc uml openvz test vmware hyperv vbox phyp parallels bhyve vz hvf"
    .split(" "),
);

/** Top-level children libvirt parses; anything else is dropped (or refused with VALIDATE). */
const TOP_LEVEL = new Set(
  ("name uuid genid title description metadata maxMemory memory currentMemory blkiotune " +
    "memtune memoryBacking vcpu vcpus iothreads iothreadids defaultiothread cputune numatune " +
    "resource sysinfo bootloader bootloader_args os idmap features cpu clock on_poweroff " +
    "on_reboot on_crash on_lockfailure pm perf devices seclabel keywrap launchSecurity")
    .split(" "),
);

/** Sections kept as element trees, in libvirt's output order. */
export const SECTION_ORDER = [
  "blkiotune",
  "memtune",
  "memoryBacking",
  "iothreadids",
  "defaultiothread",
  "cputune",
  "numatune",
  "resource",
  "sysinfo",
  "bootloader",
  "bootloader_args",
  "idmap",
  "features",
  "pm",
  "perf",
  "seclabel",
  "keywrap",
  "launchSecurity",
];

const HYPERV_FEATURES = new Set(
  ("relaxed vapic spinlocks vpindex runtime synic stimer reset vendor_id frequencies " +
    "reenlightenment tlbflush ipi evmcs avic").split(" "),
);

/**
 * Parses a domain XML document into a {@link DomainDef}, with libvirt's errors. With
 * `VIR.DOMAIN_DEFINE_VALIDATE` in `flags`, elements libvirt's schema does not allow are refused
 * (VIR_ERR_XML_INVALID_SCHEMA); otherwise they are dropped.
 */
export function parseDomainXML(xml: string, flags = 0): DomainDef {
  const root = parse(xml, {
    context: "(domain_definition)",
    errorDomain: "DOMAIN",
    expectRoot: "domain",
  });
  const unknown: UnknownElement[] = [];
  const options: NormalizeOptions = flags & VIR.DOMAIN_DEFINE_VALIDATE
    ? { onUnknown: (u) => unknown.push(u) }
    : {};
  for (const el of children(root)) {
    if (!TOP_LEVEL.has(el.name)) options.onUnknown?.({ parent: "domain", name: el.name });
  }
  const def = parseRoot(root, options);
  if (unknown.length) throw schemaError(unknown[0]);
  validateDomainDef(def);
  return def;
}

function schemaError(u: UnknownElement): VirError {
  const detail = u.parent === "domain"
    ? `Element domain has extra content: ${u.name}\n`
    : `Extra element ${u.parent} in interleave\nElement domain failed to validate content\n`;
  return VirError.report(
    "XML",
    "XML_INVALID_SCHEMA",
    "Unable to validate doc against /usr/share/libvirt/schemas/domain.rng\n" + detail,
  );
}

function parseRoot(root: XmlElement, options: NormalizeOptions): DomainDef {
  const type = root.attributes.type;
  if (type === undefined) {
    throw VirError.report("DOMAIN", "INTERNAL_ERROR", "missing domain type attribute");
  }
  if (!VIRT_TYPES.has(type)) {
    throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", `invalid domain type ${type}`);
  }
  const name = childText(root, "name")?.trim();
  if (!name) throw VirError.report("DOMAIN", "NO_NAME");
  if (name.includes("/")) {
    throw VirError.report("DOMAIN", "XML_ERROR", `name ${name} cannot contain '/'`);
  }
  const uuidText = childText(root, "uuid");
  let uuid = "";
  if (uuidText !== undefined) {
    uuid = parseUUID(uuidText) ?? "";
    if (!uuid) throw VirError.report("DOMAIN", "INTERNAL_ERROR", "malformed uuid element");
  }
  const def: DomainDef = {
    type,
    id: -1,
    name,
    uuid,
    memory: parseMemory(root),
    vcpu: parseVcpu(child(root, "vcpu")),
    os: parseOs(child(root, "os"), options),
    devices: parseDevices(child(root, "devices"), options),
    sections: [],
  };
  const genid = child(root, "genid");
  if (genid) def.genid = parseUUID(textOf(genid) ?? "") ?? "";
  const title = childText(root, "title");
  if (title) def.title = title;
  const description = childText(root, "description");
  if (description) def.description = description;
  const metadata = child(root, "metadata");
  if (metadata) def.metadata = stripLines(sanitizeMetadata(metadata, [root]));
  const vcpus = child(root, "vcpus");
  if (vcpus) {
    def.vcpus = children(vcpus, "vcpu").map((v) => ({
      id: Number(v.attributes.id),
      enabled: v.attributes.enabled === "yes",
      hotpluggable: v.attributes.hotpluggable === "yes",
      ...(v.attributes.order !== undefined ? { order: Number(v.attributes.order) } : {}),
    }));
  }
  const iothreads = childText(root, "iothreads");
  if (iothreads !== undefined) def.iothreads = Number(iothreads.trim());
  parseCpu(root, def, options);
  parseClock(root, def, options);
  for (
    const [key, el] of [
      ["onPoweroff", "on_poweroff"],
      ["onReboot", "on_reboot"],
      ["onCrash", "on_crash"],
      ["onLockfailure", "on_lockfailure"],
    ] as const
  ) {
    const v = childText(root, el)?.trim();
    if (v) def[key] = v;
  }
  def.sections = parseSections(root, def, options);
  return def;
}

function parseMemory(root: XmlElement): DomainDef["memory"] {
  const mem = child(root, "memory");
  const cur = child(root, "currentMemory");
  const max = child(root, "maxMemory");
  const kib = (el: XmlElement) => {
    const text = (textOf(el) ?? "").trim();
    if (!/^[0-9]+$/.test(text)) {
      throw VirError.report(
        "DOMAIN",
        "XML_ERROR",
        `Invalid value '${text}' for element or attribute './${el.name}[1]'`,
      );
    }
    // libvirt stores KiB and rounds a byte count up to the next whole KiB.
    const bytes = scaleInteger(BigInt(text), el.attributes.unit, 1024n, ULLONG_MAX);
    return Number((bytes + 1023n) / 1024n);
  };
  const memory: DomainDef["memory"] = {
    total: mem ? kib(mem) : 0,
    current: cur ? kib(cur) : 0,
  };
  if (mem?.attributes.dumpCore) memory.dumpCore = mem.attributes.dumpCore;
  if (max) {
    memory.max = { size: kib(max) };
    if (max.attributes.slots !== undefined) memory.max.slots = Number(max.attributes.slots);
  }
  return memory;
}

function parseVcpu(el: XmlElement | undefined): DomainDef["vcpu"] {
  const max = el ? Number((textOf(el) ?? "").trim() || "1") : 1;
  const current = el?.attributes.current !== undefined ? Number(el.attributes.current) : max;
  const vcpu: DomainDef["vcpu"] = { max, current };
  const placement = el?.attributes.placement;
  if (placement) vcpu.placement = placement;
  if (el?.attributes.cpuset !== undefined) vcpu.cpuset = normalizeBitmap(el.attributes.cpuset);
  return vcpu;
}

function parseCpu(root: XmlElement, def: DomainDef, options: NormalizeOptions): void {
  const cpu = child(root, "cpu");
  if (!cpu) return;
  const a = cpu.attributes;
  const out: NonNullable<DomainDef["cpu"]> = { extra: [] };
  for (const k of ["mode", "match", "check", "migratable"] as const) {
    if (a[k] !== undefined) out[k] = a[k];
  }
  const topo = child(cpu, "topology");
  if (topo) {
    const n = (k: string) => Number(topo.attributes[k] ?? "1");
    out.topology = {
      sockets: n("sockets"),
      dies: n("dies"),
      cores: n("cores"),
      threads: n("threads"),
    };
  }
  for (const name of ["model", "vendor", "feature", "cache", "maxphysaddr", "numa"]) {
    for (const k of children(cpu, name)) {
      const el = normalizeElement(k, "cpu", options, "domain");
      if (!el) continue;
      if (name === "numa") {
        el.children.forEach((c, i) => {
          if (c.type !== "element") return;
          if (c.attributes.id === undefined) c.attributes = { id: String(i), ...c.attributes };
          if (c.attributes.cpus !== undefined) {
            c.attributes.cpus = normalizeBitmap(c.attributes.cpus);
          }
        });
      }
      out.extra.push(el);
    }
  }
  for (const k of children(cpu)) {
    if (
      !["topology", "model", "vendor", "feature", "cache", "maxphysaddr", "numa"].includes(k.name)
    ) {
      options.onUnknown?.({ parent: "cpu", name: k.name });
    }
  }
  applyCpuDefaults(out);
  def.cpu = out;
}

/**
 * virCPUDefParseXML's defaults as libvirt 9.0 prints them: a custom-mode CPU shows its mode and
 * match='exact' only when it names a model, a model falls back 'allow', a feature requires.
 */
function applyCpuDefaults(cpu: NonNullable<DomainDef["cpu"]>): void {
  const models = cpu.extra.filter((e) => e.name === "model");
  if ((cpu.mode ?? "custom") === "custom") {
    if (models.length) {
      cpu.mode = "custom";
      cpu.match ??= "exact";
    } else {
      delete cpu.mode;
      delete cpu.match;
    }
  }
  for (const m of models) {
    if (m.attributes.fallback === undefined) m.attributes = { fallback: "allow", ...m.attributes };
  }
  for (const f of cpu.extra) {
    if (f.name === "feature" && f.attributes.policy === undefined) {
      f.attributes = { policy: "require", ...f.attributes };
    }
  }
}

function parseClock(root: XmlElement, def: DomainDef, options: NormalizeOptions): void {
  const clock = child(root, "clock");
  if (!clock) return;
  const a = clock.attributes;
  def.clock = {
    offset: a.offset ?? "utc",
    timers: children(clock, "timer").map((t) => normalizeElement(t, "clock", options, "domain")!),
  };
  if (a.adjustment !== undefined) def.clock.adjustment = a.adjustment;
  if (a.basis !== undefined) def.clock.basis = a.basis;
  if (a.timezone !== undefined) def.clock.timezone = a.timezone;
}

function parseSections(root: XmlElement, def: DomainDef, options: NormalizeOptions): XmlElement[] {
  const out: XmlElement[] = [];
  for (const name of SECTION_ORDER) {
    for (const el of children(root, name)) {
      if (name === "cputune") {
        const c = parseCputune(el, def.vcpu.max, options);
        if (c) out.push(c);
        continue;
      }
      if (name === "features") checkHyperv(el);
      const n = normalizeElement(el, "domain", options);
      if (!n) continue;
      if (name === "numatune") {
        for (const m of n.children) {
          if (m.type === "element" && m.attributes.nodeset !== undefined) {
            m.attributes.nodeset = normalizeBitmap(m.attributes.nodeset);
          }
        }
      }
      out.push(n);
    }
  }
  return out;
}

function checkHyperv(features: XmlElement): void {
  for (const f of children(child(features, "hyperv"))) {
    if (!HYPERV_FEATURES.has(f.name)) {
      throw VirError.report(
        "DOMAIN",
        "CONFIG_UNSUPPORTED",
        `unsupported HyperV Enlightenment feature: ${f.name}`,
      );
    }
  }
}
