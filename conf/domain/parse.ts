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
import {
  generateUUID,
  parseUInt,
  parseUUID,
  sanitizeMetadata,
  xmlPropEnum,
  xmlPropUInt,
} from "../common/mod.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import {
  child,
  children,
  childrenInOrder,
  childText,
  element,
  nameOrder,
  parse,
  textOf,
} from "../../util/xml/mod.ts";
import { checkMemoryBacking } from "./memory_backing.ts";
import { checkTimer } from "./timer.ts";
import { formatBitmap, normalizeBitmap, parseBitmap, parseCpuset } from "./bitmap.ts";
import { parseCputune } from "./cputune.ts";
import { parseTopology } from "../cpu/def.ts";
import { memoryKiB } from "./scaled.ts";
import type { DomainDef } from "./def.ts";
import { parseDevices } from "./devices.ts";
import { normalizeElement, type NormalizeOptions, stripLines } from "./normalize.ts";
import { parseOs, parseOsType } from "./os.ts";
import { mergeRepeatedSections } from "./repeated_sections.ts";
import { SECTION_ORDER } from "./format.ts";
import { validateDomainSchema } from "./rng_schema.ts";
import { parseSysinfo } from "./sysinfo.ts";
import { type DriverParseHooks, validateDomainDef } from "./validate.ts";
import { distancesElement, readCellDistances } from "./numa_distances.ts";
import { interconnectsElement, parseCellCaches, parseInterconnects } from "./numa_hmat.ts";
import { fillIothreadIds, parseIothreadIds } from "./iothreads.ts";
import { parseIdmap } from "./idmap.ts";
import { parseFeatures } from "./features.ts";
import { parseVcpuList } from "./vcpus.ts";
import { parseKeywrap } from "./keywrap.ts";
import { parseNumatune } from "./numatune.ts";
import { parseBlkiotune } from "./blkiotune.ts";
import { parseMemtune } from "./memtune.ts";
import { parseSeclabels } from "./seclabel.ts";
import { parseLaunchSecurity } from "./launch_security.ts";
import { parsePerf } from "./perf.ts";
import { LIFECYCLE_ACTIONS } from "./names.ts";
export { LIFECYCLE_ACTIONS };

/** `<cputune>` pins that keep vCPUs from following automatic memory placement. */
const PINS = ["vcpupin", "emulatorpin", "iothreadpin"];

/** `<domain type>` values libvirt 9.0 knows (virDomainVirt). */
const VIRT_TYPES = new Set(
  "none qemu kqemu kvm xen lxc uml openvz test vmware hyperv vbox phyp parallels bhyve vz hvf"
    .split(" "),
);

const SECTIONS = nameOrder(SECTION_ORDER);

/**
 * Parses a domain XML document into a {@link DomainDef}, with libvirt's errors. With
 * `VIR.DOMAIN_DEFINE_VALIDATE` in `flags`, elements libvirt's schema does not allow are refused
 * (VIR_ERR_XML_INVALID_SCHEMA); otherwise they are dropped. A definition keeps only user
 * aliases; a running domain's saved status (`status`, libvirt's VIR_DOMAIN_DEF_PARSE_STATUS)
 * keeps every alias the driver gave. `implicitUsb`, `driver`: see {@link validateDomainDef};
 * `driver.namespace`: the driver's XML namespace parser (see {@link DomainNamespaceParser}),
 * without which namespaced elements are dropped.
 */
export function parseDomainXML(
  xml: string,
  flags = 0,
  status = false,
  implicitUsb = false,
  driver: DriverParseHooks = {},
): DomainDef {
  const root = parse(xml, {
    context: "(domain_definition)",
    errorDomain: "DOMAIN",
    expectRoot: "domain",
  });
  if (flags & VIR.DOMAIN_DEFINE_VALIDATE) validateDomainSchema(root);
  const def = parseRoot(mergeRepeatedSections(root), { keepAliases: status }, driver);
  driver.namespace?.(root, def);
  validateDomainDef(def, implicitUsb, driver);
  return def;
}

function parseRoot(
  root: XmlElement,
  options: NormalizeOptions,
  driver: DriverParseHooks,
): DomainDef {
  // virDomainDefParseIDs (the name, UUID and genid) comes before virDomainDefParseCaps (the
  // type). virXPathString: the text as it is, blanks included; only an empty one is missing.
  const name = childText(root, "name");
  if (!name) throw VirError.report("DOMAIN", "NO_NAME");
  const uuidText = childText(root, "uuid");
  let uuid = "";
  if (uuidText) {
    uuid = parseUUID(uuidText) ?? "";
    if (!uuid) throw VirError.report("DOMAIN", "INTERNAL_ERROR", "malformed uuid element");
  }
  const genid = parseGenid(root);
  const type = root.attributes.type;
  if (!type) {
    throw VirError.report("DOMAIN", "INTERNAL_ERROR", "missing domain type attribute");
  }
  if (!VIRT_TYPES.has(type)) {
    throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", `invalid domain type ${type}`);
  }
  const osType = parseOsType(root, type);
  const title = childText(root, "title");
  if (title?.includes("\n")) {
    throw VirError.report("DOMAIN", "XML_ERROR", "Domain title can't contain newlines");
  }
  // Security labels come early, before the memory: devices may refer to them.
  const seclabels = parseSeclabels(children(root, "seclabel"), driver.defSecModel);
  const memory = parseMemory(root);
  checkMemoryBacking(root);
  // virDomainDefTunablesParse starts with <blkiotune> and <memtune>, before the vCPUs.
  const early = new Map<string, XmlElement | undefined>();
  for (const name of ["blkiotune", "memtune"]) {
    const els = children(root, name);
    if (els.length) early.set(name, READ_ONCE[name](els));
  }
  const def: DomainDef = {
    type,
    id: -1,
    name,
    uuid,
    memory,
    vcpu: parseVcpu(child(root, "vcpu"), !children(child(root, "vcpus"), "vcpu").length),
    os: { type: "", extra: [] },
    devices: { other: [], interfaces: [] },
    sections: [],
  };
  if (genid !== undefined) def.genid = genid;
  if (title) def.title = title;
  const description = childText(root, "description");
  if (description) def.description = description;
  const metadata = child(root, "metadata");
  if (metadata) def.metadata = stripLines(sanitizeMetadata(metadata, [root]));
  const vcpus = child(root, "vcpus");
  if (children(vcpus, "vcpu").length) {
    // Listed vCPU states take precedence over <vcpu current>.
    def.vcpus = parseVcpuList(vcpus!, def.vcpu.max);
    def.vcpu.current = def.vcpus.filter((v) => v.enabled).length;
  }
  // virDomainDefTunablesParse: IOThreads, then <cputune>, which refers to them.
  const iothreadIds = parseIothreadIds(root);
  const cputuneEl = child(root, "cputune");
  const cputune = cputuneEl && parseCputune(cputuneEl, def.vcpu.max, options, iothreadIds);
  // virDomainDefParseXML's order: the CPU and <resource> before the boot options and devices.
  parseCpu(root, def, options);
  checkNumaCpus(def);
  const numatune = parseNumatune(
    children(root, "numatune"),
    (def.vcpu.placement ?? "static") === "static",
    children(def.cpu?.extra.find((e) => e.name === "numa"), "cell").length,
  );
  // Automatic memory placement carries over to vCPUs that nothing pins.
  const pinned = children(child(root, "cputune")).some((k) => PINS.includes(k.name));
  if (numatune.placementAuto && def.vcpu.cpuset === undefined && !pinned) {
    def.vcpu.placement = "auto";
  }
  checkResource(root);
  const features = parseFeatures(children(root, "features"));
  for (
    const [key, el] of [
      ["onPoweroff", "on_poweroff"],
      ["onReboot", "on_reboot"],
      ["onCrash", "on_crash"],
      ["onLockfailure", "on_lockfailure"],
    ] as const
  ) {
    const v = childText(root, el);
    if (!v) continue;
    const allowed = el === "on_lockfailure" ? LOCK_FAILURE_ACTIONS : LIFECYCLE_ACTIONS;
    if (!allowed.includes(v)) {
      throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", `unknown ${el} action: ${v}`);
    }
    def[key] = v;
  }
  // virDomainDefParseXML: the lifecycle actions, <perf>, then the clock.
  const perfs = children(root, "perf");
  if (perfs.length) early.set("perf", READ_ONCE.perf(perfs));
  parseClock(root, def, options);
  def.os = parseOs(child(root, "os"), osType, options, driver.abiUpdate);
  // libvirt reads ./devices/KIND: the devices of every <devices> element, in document order.
  const deviceEls = children(root, "devices");
  def.devices = parseDevices(
    deviceEls.length > 1
      ? element(
        "devices",
        {},
        deviceEls.flatMap((d) => d.children.filter((c): c is XmlElement => c.type === "element")),
      )
      : deviceEls[0],
    options,
    { osType: def.os.type, arch: def.os.arch, virtType: def.type },
  );
  const iothreads = childText(root, "iothreads");
  if (iothreads !== undefined) def.iothreads = Number(iothreads.trim());
  // After the devices: the ID maps, the sysinfo, the SMBIOS mode, then the key wrapping.
  const idmaps = children(root, "idmap");
  if (idmaps.length) early.set("idmap", READ_ONCE.idmap(idmaps));
  const sysinfo = children(root, "sysinfo").map((el) => parseSysinfo(el, def));
  checkSmbiosMode(root);
  const keywraps = children(root, "keywrap");
  if (keywraps.length) early.set("keywrap", READ_ONCE.keywrap(keywraps));
  def.sections = parseSections(root, options, {
    features,
    numatune: numatune.element,
    seclabels,
    cputune,
    sysinfo,
    early,
  });
  fillIothreadIds(def);
  return def;
}

/** virDomainSmbiosMode names. */
const SMBIOS_MODES = ["none", "emulate", "host", "sysinfo"];

/** The `<os><smbios>` mode, which virDomainDefParseXML checks after the sysinfo. */
function checkSmbiosMode(root: XmlElement): void {
  // virXPathString: an empty mode is none given.
  const mode = child(child(root, "os"), "smbios")?.attributes.mode;
  if (mode && !SMBIOS_MODES.includes(mode)) {
    throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", `unknown smbios mode '${mode}'`);
  }
}

/**
 * The guest NUMA cells' CPUs, which virDomainDefParseXML checks against the vCPU count right
 * after reading them (with no cells, the highest CPU id is 0: no vCPU at all fails too).
 */
function checkNumaCpus(def: DomainDef): void {
  const cells = children(def.cpu?.extra.find((e) => e.name === "numa"), "cell");
  const cpus = cells.map((c) => c.attributes.cpus ? parseBitmap(c.attributes.cpus) : []);
  if (cpus.reduce((n, ids) => n + ids.length, 0) > def.vcpu.max) {
    throw VirError.report(
      "DOMAIN",
      "INTERNAL_ERROR",
      "Number of CPUs in <numa> exceeds the <vcpu> count",
    );
  }
  if (Math.max(0, ...cpus.flat()) >= def.vcpu.max) {
    throw VirError.report("DOMAIN", "INTERNAL_ERROR", "CPU IDs in <numa> exceed the <vcpu> count");
  }
}

/** virDomainDefParseIDs' `<genid>`: at most one; an empty one asks for a generated one. */
function parseGenid(root: XmlElement): string | undefined {
  const genids = children(root, "genid");
  if (genids.length > 1) {
    throw VirError.report("DOMAIN", "XML_ERROR", "element 'genid' can only appear once");
  }
  if (!genids.length) return undefined;
  const raw = textOf(genids[0]) ?? "";
  const genid = raw === "" ? generateUUID() : parseUUID(raw);
  if (genid === undefined) {
    throw VirError.report("DOMAIN", "INTERNAL_ERROR", "malformed genid element");
  }
  return genid;
}

/**
 * virDomainResourceDefParse returns nothing, without reporting why, for a `<resource>` with
 * neither partition nor appid: the caller fails with the public API's generic error.
 */
function checkResource(root: XmlElement): void {
  const resources = children(root, "resource");
  if (resources.length > 1) {
    throw VirError.report("DOMAIN", "XML_ERROR", "only one resource element is supported");
  }
  const r = resources[0];
  if (r && !textOf(child(r, "partition")) && !child(r, "fibrechannel")?.attributes.appid) {
    throw VirError.bare("NONE", "INTERNAL_ERROR", "An error occurred, but the cause is unknown");
  }
}

function parseMemory(root: XmlElement): DomainDef["memory"] {
  const mem = child(root, "memory");
  const cur = child(root, "currentMemory");
  const max = child(root, "maxMemory");
  // virDomainParseMemory; an empty element is no value.
  const kib = (el: XmlElement) => {
    const text = textOf(el) ?? "";
    return text === "" ? 0 : Number(memoryKiB(text, el.attributes.unit, `./${el.name}[1]`));
  };
  const memory: DomainDef["memory"] = {
    total: mem ? kib(mem) : 0,
    current: cur ? kib(cur) : 0,
  };
  // virXMLPropTristateSwitch, after the sizes.
  const dumpCore = mem && xmlPropEnum(mem, "dumpCore", ["on", "off"]);
  if (dumpCore) memory.dumpCore = dumpCore;
  if (max) {
    memory.max = { size: kib(max) };
    if (max.attributes.slots !== undefined) memory.max.slots = Number(max.attributes.slots);
  }
  return memory;
}

const LOCK_FAILURE_ACTIONS = ["poweroff", "restart", "pause", "ignore"];

/** virDomainVcpuParse; without a `<vcpus>` list the current count must fit the maximum. */
function parseVcpu(el: XmlElement | undefined, checkCurrent: boolean): DomainDef["vcpu"] {
  let max = 1;
  if (el) {
    const n = parseUInt(textOf(el) ?? "");
    if (n === undefined) {
      throw VirError.report("DOMAIN", "XML_ERROR", "maximum vcpus count must be an integer");
    }
    max = n;
  }
  const current = (el && xmlPropUInt(el, "current")) ?? max;
  const vcpu: DomainDef["vcpu"] = { max, current };
  const placement = el && xmlPropEnum(el, "placement", ["static", "auto"]);
  if (placement) vcpu.placement = placement;
  // libvirt reads cpuset only for static placement: with placement='auto' numad decides.
  if (el?.attributes.cpuset !== undefined && placement !== "auto") {
    vcpu.cpuset = formatBitmap(parseCpuset(el.attributes.cpuset));
  }
  // virDomainDefSetVcpus, after the cpuset is read.
  if (checkCurrent && current > max) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "maximum vCPU count must not be less than current vCPU count",
    );
  }
  return vcpu;
}

/** `<cpu>` children kept as trees (besides the modelled topology), in parse order. */
const CPU_KIDS = nameOrder(["model", "vendor", "feature", "cache", "maxphysaddr", "numa"]);

/** The CPU modes that may say whether the CPU is migratable. */
const MIGRATABLE_MODES: (string | undefined)[] = ["host-passthrough", "maximum"];

/** virCPUMode names. */
const CPU_MODES = ["custom", "host-model", "host-passthrough", "maximum"];

function parseCpu(root: XmlElement, def: DomainDef, options: NormalizeOptions): void {
  const cpu = child(root, "cpu");
  if (!cpu) return;
  const a = cpu.attributes;
  // virCPUDefParseXML (src/conf/cpu_conf.c, VIR_FROM_CPU) reads the mode by hand, match with
  // virXMLPropEnum.
  if (a.mode !== undefined && !CPU_MODES.includes(a.mode)) {
    throw VirError.report("CPU", "CONFIG_UNSUPPORTED", `Invalid mode attribute '${a.mode}'`);
  }
  if (xmlPropEnum(cpu, "migratable", ["on", "off"]) && !MIGRATABLE_MODES.includes(a.mode)) {
    throw VirError.report(
      "CPU",
      "CONFIG_UNSUPPORTED",
      "Attribute migratable is only allowed for 'host-passthrough' / 'maximum' CPU mode",
    );
  }
  xmlPropEnum(cpu, "match", ["minimum", "exact", "strict"]);
  // virCPUCheck's unset value, default, may be named, and is then not written back.
  const check = xmlPropEnum(cpu, "check", ["default", "none", "partial", "full"]);
  const model = textOf(child(cpu, "model"));
  if (child(cpu, "vendor") && !model) {
    throw VirError.report("CPU", "XML_ERROR", "CPU vendor specified without CPU model");
  }
  // The topology comes between the vendor and the features.
  const topo = child(cpu, "topology");
  const topology = topo && parseTopology(topo);
  if (child(cpu, "feature") && !model && (a.mode ?? "custom") === "custom") {
    throw VirError.report("CPU", "XML_ERROR", "Non-empty feature list specified without CPU model");
  }
  const out: NonNullable<DomainDef["cpu"]> = { extra: [] };
  for (const k of ["mode", "match", "migratable"] as const) {
    if (a[k] !== undefined) out[k] = a[k];
  }
  if (check && check !== "default") out.check = check;
  if (topology) out.topology = topology;
  for (const k of childrenInOrder(cpu, CPU_KIDS)) {
    const el = normalizeElement(k, "cpu", options, "domain");
    if (!el) continue;
    if (k.name === "numa") {
      const cells = el.children.filter((c): c is XmlElement => c.type === "element");
      const inputCells = children(k, "cell");
      const rows: (number[] | undefined)[] = new Array(cells.length).fill(undefined);
      const withMemory = new Set<number>();
      const masks: (number[] | undefined)[] = [];
      cells.forEach((c, i) => {
        // virDomainNumaDefParseXML: ids number the cells from 0 without gaps.
        const id = xmlPropUInt(c, "id") ?? i;
        if (id >= cells.length) {
          throw VirError.report(
            "DOMAIN",
            "XML_ERROR",
            "Exactly one 'cell' element per guest NUMA cell allowed, non-contiguous ranges " +
              "or ranges not starting from 0 are not allowed",
          );
        }
        if (withMemory.has(id)) {
          throw VirError.report(
            "DOMAIN",
            "XML_ERROR",
            `Duplicate NUMA cell info for cell id '${id}'`,
          );
        }
        if (c.attributes.id === undefined) c.attributes = { id: String(i), ...c.attributes };
        if (c.attributes.cpus !== undefined) {
          c.attributes.cpus = normalizeBitmap(c.attributes.cpus);
          // An empty set (all negated) is no CPU mask at all.
          const mask = c.attributes.cpus ? parseBitmap(c.attributes.cpus) : [];
          if (!mask.length) delete c.attributes.cpus;
          const other = masks.findIndex((m) => m?.some((cpu) => mask.includes(cpu)));
          if (other >= 0) {
            throw VirError.report(
              "DOMAIN",
              "CONFIG_UNSUPPORTED",
              `NUMA cells ${id} and ${other} have overlapping vCPU ids`,
            );
          }
          if (mask.length) masks[id] = mask;
        }
        const memory = c.attributes.memory;
        let kib = 0n;
        if (memory !== undefined) {
          // virDomainParseMemory: kept and written in KiB.
          kib = memoryKiB(memory, c.attributes.unit, "./@memory");
          c.attributes.memory = String(kib);
          c.attributes.unit = "KiB";
        }
        // virDomainMemoryAccess (its unset "default" refused) and a switch, after the memory.
        xmlPropEnum(c, "memAccess", ["shared", "private"]);
        xmlPropEnum(c, "discard", ["yes", "no"]);
        readCellDistances(c, id, rows);
        const caches = parseCellCaches(inputCells[i], id);
        c.children = [
          ...c.children.filter((n) => n.type !== "element" || n.name !== "cache"),
          ...caches,
        ];
        // A cell of no memory is not seen again by the duplicate check, as in libvirt.
        if (kib) withMemory.add(id);
        // virDomainNumaDefFormatXML's attribute order.
        const { id: cellId, cpus, memory: mem, unit, memAccess, discard, ...rest } = c.attributes;
        c.attributes = element("cell", { id: cellId, cpus, memory: mem, unit, memAccess, discard })
          .attributes;
        Object.assign(c.attributes, rest);
      });
      // Each cell is written with its full row of distances first (virDomainNumaDefFormatXML).
      cells.forEach((c, i) => {
        const id = Number(c.attributes.id ?? i);
        const others = c.children.filter((n) => n.type !== "element" || n.name !== "distances");
        const distances = distancesElement(rows[id]);
        c.children = distances ? [distances, ...others] : others;
      });
      // Then the interconnects between the cells, checked with the whole definition.
      const interconnects = interconnectsElement(parseInterconnects(k));
      // Written in id order, whatever the document's (virDomainNumaDefFormatXML).
      const byId = [...cells].sort((a, b) => Number(a.attributes.id) - Number(b.attributes.id));
      el.children = interconnects ? [...byId, interconnects] : byId;
    }
    out.extra.push(el);
  }
  applyCpuDefaults(out);
  def.cpu = out;
}

/**
 * virCPUDefParseXML's defaults as libvirt 9.0 prints them: a custom-mode CPU shows its mode and
 * match='exact' only when it names a model, a model falls back 'allow', a feature requires.
 */
function applyCpuDefaults(cpu: NonNullable<DomainDef["cpu"]>): void {
  const mode = cpu.mode ?? "custom";
  // virCPUDefFormatBuf writes the model and vendor only for the modes that use them, and a
  // model only when it names one (or a vendor_id); match only means something for custom.
  const formatModel = mode === "custom" || mode === "host-model";
  if (mode !== "custom") delete cpu.match;
  // One model, the first <model>'s: its name, vendor_id (an empty one is none) and fallback
  // (written only with a name).
  const first = cpu.extra.find((e) => e.name === "model");
  cpu.extra = cpu.extra.flatMap((e) => {
    if (e.name === "vendor") return formatModel ? [e] : [];
    if (e.name !== "model") return [e];
    const name = textOf(e) || undefined;
    const vendorId = e.attributes.vendor_id || undefined;
    if (e !== first || !formatModel || (!name && !vendorId)) return [];
    const fallback = name ? e.attributes.fallback ?? "allow" : undefined;
    return [element("model", { fallback, vendor_id: vendorId }, name ? [name] : [])];
  });
  const models = cpu.extra.filter((e) => e.name === "model" && textOf(e));
  if (mode === "custom") {
    if (models.length) {
      cpu.mode = "custom";
      cpu.match ??= "exact";
    } else {
      delete cpu.mode;
      delete cpu.match;
    }
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
  parseClockOffset(clock, def, options);
  // virDomainDefClockParse reads the timers after the offset.
  for (const t of children(clock, "timer")) checkTimer(t);
}

function parseClockOffset(clock: XmlElement, def: DomainDef, options: NormalizeOptions): void {
  const a = clock.attributes;
  const offset = a.offset ?? "utc";
  if (!CLOCK_OFFSETS.includes(offset)) {
    throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", `unknown clock offset '${offset}'`);
  }
  const timers = children(clock, "timer")
    .map((t) => normalizeElement(t, "clock", options, "domain")!);
  def.clock = { offset, timers };
  const missing = (attr: string) =>
    VirError.report(
      "DOMAIN",
      "INTERNAL_ERROR",
      `missing '${attr}' attribute for clock with offset='${offset}'`,
    );
  if (offset === "utc" || offset === "localtime") {
    if (!a.adjustment) return;
    if (a.adjustment === "reset") {
      def.clock.adjustment = "reset";
      return;
    }
    if (!/^[ \t\n\v\f\r]*[+-]?[0-9]+$/.test(a.adjustment)) {
      throw VirError.report("DOMAIN", "XML_ERROR", `unknown clock adjustment '${a.adjustment}'`);
    }
    // A fixed adjustment turns the clock into a variable one based on the requested offset.
    def.clock = {
      offset: "variable",
      adjustment: String(BigInt(a.adjustment.trim())),
      basis: offset,
      timers,
    };
  } else if (offset === "variable") {
    // virXPathLongLong over number(): anything that is not a whole number counts as 0.
    const n = Number((a.adjustment ?? "").trim());
    def.clock.adjustment = a.adjustment?.trim() && Number.isInteger(n) ? String(n) : "0";
    const basis = a.basis ?? "utc";
    if (basis !== "utc" && basis !== "localtime") {
      throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", `unknown clock basis '${basis}'`);
    }
    def.clock.basis = basis;
  } else if (offset === "timezone") {
    if (a.timezone === undefined) throw missing("timezone");
    def.clock.timezone = a.timezone;
  } else {
    if (a.start === undefined) throw missing("start");
    def.clock.start = a.start;
  }
}

/** virDomainClockOffset names. */
const CLOCK_OFFSETS = ["utc", "localtime", "variable", "timezone", "absolute"];

/**
 * Sections libvirt reads once for the whole document (from all their elements, or the first
 * one): name → the element written back, if any.
 */
const READ_ONCE: Record<string, (els: XmlElement[]) => XmlElement | undefined> = {
  memtune: (els) => parseMemtune(els[0]),
  blkiotune: parseBlkiotune,
  idmap: parseIdmap,
  perf: parsePerf,
  keywrap: parseKeywrap,
  launchSecurity: (els) => parseLaunchSecurity(els[0]),
};

function parseSections(
  root: XmlElement,
  options: NormalizeOptions,
  parsed: {
    features?: XmlElement;
    numatune?: XmlElement;
    seclabels: XmlElement[];
    cputune?: XmlElement;
    sysinfo: XmlElement[];
    /** Sections of READ_ONCE parsed already, where libvirt reads them. */
    early: Map<string, XmlElement | undefined>;
  },
): XmlElement[] {
  const out: XmlElement[] = [];
  let { features, numatune, seclabels } = parsed;
  const read = new Set<string>();
  for (const el of childrenInOrder(root, SECTIONS)) {
    const name = el.name;
    if (name === "cputune") {
      if (parsed.cputune) out.push(parsed.cputune);
      parsed.cputune = undefined;
      continue;
    }
    if (name === "sysinfo") {
      out.push(...parsed.sysinfo);
      parsed.sysinfo = [];
      continue;
    }
    const once = READ_ONCE[name];
    if (once) {
      if (!read.has(name)) {
        const e = parsed.early.has(name) ? parsed.early.get(name) : once(children(root, name));
        if (e) out.push(e);
      }
      read.add(name);
      continue;
    }
    if (name === "seclabel") {
      out.push(...seclabels);
      seclabels = [];
      continue;
    }
    if (name === "numatune") {
      if (numatune) out.push(numatune);
      numatune = undefined;
      continue;
    }
    if (name === "features") {
      if (features) out.push(features);
      features = undefined;
      continue;
    }
    // virDomainDefFormat writes the arguments only along with a bootloader.
    if (name === "bootloader_args" && !childText(root, "bootloader")) continue;
    const n = normalizeElement(el, "domain", options);
    if (!n) continue;
    out.push(n);
  }
  if (numatune) {
    // Derived from the vCPU placement alone: placed where the section would have been.
    const rank = (name: string) => SECTION_ORDER.indexOf(name);
    const at = out.findIndex((e) => rank(e.name) > rank("numatune"));
    out.splice(at < 0 ? out.length : at, 0, numatune);
  }
  return out;
}
