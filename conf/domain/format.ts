/**
 * `formatDomainXML`: libvirt's `virDomainDefFormat` with the public XML flags.
 *
 * @example
 * ```ts
 * import { formatDomainXML, parseDomainXML } from "./mod.ts";
 * import { formatMetadata } from "../common/mod.ts";
import { VIR } from "../../util/constants.ts";
 * const def = parseDomainXML(
 *   "<domain type='test'><name>vm</name><memory>1024</memory><os><type>hvm</type></os></domain>",
 * );
 * formatDomainXML(def, VIR.DOMAIN_XML_INACTIVE).startsWith("<domain type='test'>"); // true
 * ```
 * @module
 */
import { formatMetadata } from "../common/mod.ts";
import { VIR } from "../../util/constants.ts";
import type { XmlElement, XmlNode } from "../../util/xml/mod.ts";
import { element, escapeXml, stringify } from "../../util/xml/mod.ts";
import type { DomainDef, DomainInterface } from "./def.ts";
import { DEVICE_ORDER, generatedIfname } from "./devices.ts";
import { OS_KIDS_BEFORE_BOOT } from "./os.ts";
import { featuresForOutput } from "./features.ts";
import { VIRTIO_MODELS } from "./virtio_options.ts";
import { formatQemuNamespace, qemuNamespaceAttribute } from "./qemu_namespace.ts";

type Slot = string | ((def: DomainDef, flags: number) => (XmlElement | undefined)[]);

const text = (name: string, value: string | number | undefined) =>
  value === undefined || value === "" ? undefined : element(name, {}, [String(value)]);

/** Top-level output order: section names (kept trees) and formatters of modelled fields. */
const SLOTS: Slot[] = [
  (d) => [text("name", d.name), text("uuid", d.uuid), text("genid", d.genid)],
  (d) => [text("title", d.title), text("description", d.description), d.metadata],
  (d) => [
    // virDomainDefHasMemoryHotplug: a zero size and slot count is no maxMemory.
    d.memory.max && (d.memory.max.size || d.memory.max.slots)
      ? element("maxMemory", { slots: d.memory.max.slots, unit: "KiB" }, [
        String(d.memory.max.size),
      ])
      : undefined,
    element("memory", { dumpCore: d.memory.dumpCore, unit: "KiB" }, [String(d.memory.total)]),
    element("currentMemory", { unit: "KiB" }, [String(d.memory.current)]),
  ],
  "blkiotune",
  "memtune",
  "memoryBacking",
  (d) => [
    element("vcpu", {
      placement: d.vcpu.placement,
      cpuset: d.vcpu.cpuset,
      current: d.vcpu.current !== d.vcpu.max ? d.vcpu.current : undefined,
    }, [String(d.vcpu.max)]),
    d.vcpus && element(
      "vcpus",
      {},
      d.vcpus.map((v) =>
        element("vcpu", {
          id: v.id,
          enabled: v.enabled ? "yes" : "no",
          hotpluggable: v.hotpluggable ? "yes" : "no",
          order: v.order,
        })
      ),
    ),
    // virDomainDefFormatInternal writes the count only when there are IOThreads.
    text("iothreads", d.iothreads || undefined),
  ],
  "iothreadids",
  "defaultiothread",
  "cputune",
  "numatune",
  "resource",
  "sysinfo",
  "bootloader",
  "bootloader_args",
  (d) => [formatOs(d.os, d.sections.some((s) => s.name === "bootloader"), d.type)],
  "idmap",
  "features",
  (d) => [formatCpu(d.cpu)],
  (d) => [
    d.clock && element("clock", {
      offset: d.clock.offset,
      timezone: d.clock.timezone,
      adjustment: d.clock.adjustment,
      basis: d.clock.basis,
      start: d.clock.start,
    }, d.clock.timers),
    text("on_poweroff", d.onPoweroff),
    text("on_reboot", d.onReboot),
    text("on_crash", d.onCrash),
    text("on_lockfailure", d.onLockfailure),
  ],
  "pm",
  "perf",
  (d, flags) => [formatDevices(d, flags)],
  "seclabel",
  "keywrap",
  "launchSecurity",
];

/** Sections kept as element trees (the named slots), in libvirt's output order. */
export const SECTION_ORDER: readonly string[] = SLOTS.filter((s) => typeof s === "string");

/**
 * Formats a definition as libvirt does. Flags: `VIR.DOMAIN_XML_INACTIVE` (no `id`),
 * `VIR.DOMAIN_XML_SECURE` (keep passwords); `VIR.DOMAIN_XML_MIGRATABLE` changes nothing the
 * model keeps.
 */
export function formatDomainXML(def: DomainDef, flags = 0): string {
  const live = !(flags & VIR.DOMAIN_XML_INACTIVE) && def.id >= 0;
  // One pass over the kept sections rather than one per section slot.
  const sections = new Map<string, XmlElement[]>();
  for (const s of def.sections) {
    const list = sections.get(s.name);
    if (list) list.push(s);
    else sections.set(s.name, [s]);
  }
  let out = `<domain type='${escapeXml(def.type)}'${live ? ` id='${def.id}'` : ""}${
    def.qemuNamespace ? qemuNamespaceAttribute() : ""
  }>\n`;
  for (const slot of SLOTS) {
    const els = typeof slot === "string" ? sections.get(slot) ?? [] : slot(def, flags);
    for (const el of els) {
      if (!el) continue;
      if (el === def.metadata) out += `  ${formatMetadata(el, 1)}\n`;
      else if (el.name === "devices" && !el.children.length) out += "  <devices>\n  </devices>\n";
      else if (el.name === "features") out += stringify(featuresForOutput(el), DEPTH_1);
      else out += stringify(el, DEPTH_1);
    }
  }
  if (def.qemuNamespace) out += formatQemuNamespace(def.qemuNamespace);
  return out + "</domain>\n";
}

const DEPTH_1 = { depth: 1 };

const LOADER_PARTS = new Set(["loader", "nvram"]);

/** With a bootloader, virDomainDefFormatOs writes no boot devices, boot menu or BIOS settings. */
const BOOTLOADER_HIDES = new Set(["bootmenu", "bios"]);

function formatOs(os: DomainDef["os"], bootloader: boolean, virtType: string): XmlElement {
  // An empty <loader/> or <nvram/> still makes a loader (validated as such) but names nothing
  // to write.
  const before = os.extra.filter((e) =>
    OS_KIDS_BEFORE_BOOT.includes(e.name) &&
    (!LOADER_PARTS.has(e.name) || e.children.length || Object.keys(e.attributes).length)
  );
  const after = os.extra.filter((e) =>
    !OS_KIDS_BEFORE_BOOT.includes(e.name) && !(bootloader && BOOTLOADER_HIDES.has(e.name))
  );
  return element("os", { firmware: os.firmware }, [
    // A Xen domain's paravirtual type is written by its old name, as virDomainDefFormatOs does.
    element("type", { arch: os.arch, machine: os.machine }, [
      virtType === "xen" && os.type === "xen" ? "linux" : os.type,
    ]),
    ...before,
    ...(bootloader ? [] : os.boot ?? []).map((dev) => element("boot", { dev })),
    ...after,
  ]);
}

const CPU_KIDS = ["model", "vendor", "topology", "cache", "maxphysaddr", "feature", "numa"];

function formatCpu(cpu: DomainDef["cpu"]): XmlElement | undefined {
  if (!cpu) return undefined;
  const topo = cpu.topology && element("topology", { ...cpu.topology });
  const kids = CPU_KIDS.flatMap((name) =>
    name === "topology" ? [topo] : cpu.extra.filter((e) => e.name === name)
  );
  const attrs = { mode: cpu.mode, match: cpu.match, check: cpu.check, migratable: cpu.migratable };
  const el = element("cpu", attrs, kids);
  return el.children.length || Object.keys(el.attributes).length ? el : undefined;
}

/** What virDomainNetDefFormat prints between `<source>` and `<target>`, in its order. */
const INTERFACE_BEFORE_TARGET = [
  "vlan",
  "virtualport",
  "bandwidth",
  "port",
  // virDomainNetDefFormat: the guest side's addresses and routes (virNetDevIPInfoFormat).
  "ip",
  "route",
  "portForward",
  "script",
  "downscript",
  "backenddomain",
];

function formatInterface(net: DomainInterface, flags: number): XmlElement {
  // virDomainNetDefFormat: an inactive XML keeps no name libvirt generated for a managed tap.
  const dev = net.target !== undefined && net.targetManaged !== "no" &&
      flags & VIR.DOMAIN_XML_INACTIVE && generatedIfname(net.target)
    ? undefined
    : net.target;
  const before = INTERFACE_BEFORE_TARGET.flatMap((n) => net.extra.filter((e) => e.name === n));
  const after = net.extra.filter((e) => !INTERFACE_BEFORE_TARGET.includes(e.name));
  const guest = after.filter((e) => e.name === "guest");
  const attrs = {
    type: net.type,
    managed: net.managed,
    trustGuestRxFilters: net.trustGuestRxFilters,
  };
  const hostdevDriver = net.type === "hostdev"
    ? after.find((e) => e.name === "driver" && e.attributes.name !== undefined)
    : undefined;
  return element("interface", attrs, [
    net.mac !== undefined &&
    element("mac", { address: net.mac, type: net.macType, check: net.macCheck }),
    // virDomainHostdevDefFormatSubsys: a hostdev NIC's PCI backend, then its device.
    hostdevDriver && element("driver", { name: hostdevDriver.attributes.name }),
    net.hostdevSource,
    // virDomainNetDefFormat opens a <source> for the host side's addresses if none was written.
    (net.source || net.hostIP) &&
    element("source", net.source ?? {}, [
      ...(net.hostIP ?? []),
      net.sourceLocal && element("local", net.sourceLocal),
      net.sourceReconnect,
    ]),
    ...before,
    (dev !== undefined || net.targetManaged !== undefined) &&
    element("target", { dev, managed: net.targetManaged }),
    ...guest,
    net.model !== undefined && element("model", { type: net.model }),
    // virDomainNetDefFormat writes a driver only for a virtio model; a hostdev NIC's is its
    // PCI backend's, written above.
    ...after.filter((e) =>
      e.name !== "guest" &&
      (e.name !== "driver" ||
        (net.type !== "hostdev" && VIRTIO_MODELS.includes(net.model ?? "")))
    ),
  ]);
}

function formatDevices(def: DomainDef, flags: number): XmlElement {
  const other = def.devices.other
    // virDomainPanicDefFormat writes nothing for a panic device without model and address.
    .filter((e) => e.name !== "panic" || Object.keys(e.attributes).length || e.children.length)
    .map((e) => keepOpen(flags & VIR.DOMAIN_XML_SECURE ? e : hideSecrets(e)));
  const at = DEVICE_ORDER.indexOf("interface");
  const split = other.findIndex((e) => DEVICE_ORDER.indexOf(e.name) > at);
  const cut = split < 0 ? other.length : split;
  return element("devices", {}, [
    text("emulator", def.devices.emulator),
    ...other.slice(0, cut),
    ...def.devices.interfaces.map((net) => formatInterface(net, flags)),
    ...other.slice(cut),
  ]);
}

/**
 * Devices libvirt writes with open and close tags even with nothing between them:
 * virDomainNVRAMDefFormat's `<nvram>`, and virDomainRNGDefFormat's EGD `<backend>`.
 */
function keepOpen(el: XmlElement): XmlElement {
  if (el.name === "nvram" && !el.children.length) return { ...el, keepOpen: true };
  if (el.name !== "rng") return el;
  const open = (c: XmlNode): XmlNode =>
    c.type === "element" && c.name === "backend" && c.attributes.model === "egd" &&
      !c.children.length
      ? { ...c, keepOpen: true }
      : c;
  return { ...el, children: el.children.map(open) };
}

function hideSecrets(el: XmlElement): XmlElement {
  if (el.name === "disk") return withoutCookies(el);
  if (el.name !== "graphics" || el.attributes.passwd === undefined) return el;
  const attributes = { ...el.attributes };
  delete attributes.passwd;
  return { ...el, attributes };
}

/**
 * virDomainDiskSourceFormatNetworkCookies: a disk's (and its chain's) HTTP cookies appear only
 * in a secure dump.
 */
function withoutCookies(el: XmlElement): XmlElement {
  const kids = el.children.flatMap((c): XmlNode[] => {
    if (c.type !== "element") return [c];
    if (c.name === "cookies") return [];
    return [c.name === "source" || c.name === "backingStore" ? withoutCookies(c) : c];
  });
  return { ...el, children: kids };
}
