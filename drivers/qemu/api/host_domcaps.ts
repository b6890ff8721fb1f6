/**
 * `qemuConnectGetDomainCapabilities`: what a domain of one emulator, architecture, machine and
 * virtualization type can have, in the layout of libvirt's `virDomainCapsFormat`.
 *
 * libvirt fills the document from QEMU's capabilities alone; here each value must also be one
 * this driver really starts. Every device value is tried on the driver's own start path (the
 * domain is parsed, completed and turned into a QEMU command line, never run), and kept only
 * when the command line is made and names devices the binary has (`qom-list-types`). What the
 * command line does not carry out (memory backing, guest features) is `supported='no'`. The CPU modes are libvirt's, each started as libvirt starts it
 * (cpu_update.ts): host-passthrough with KVM, maximum with QEMU's `max`, the host model QEMU's
 * expansion gives, and QEMU's models that libvirt's CPU map knows, with QEMU's usability for the
 * accelerator.
 *
 * @module
 */
import { cpuModelNames, cpuModelVendor } from "../../../conf/capabilities/cpu_models.ts";
import { checkFlags } from "../../../util/errors.ts";
import { kvmMaxVcpus } from "../../../util/kvm_caps.ts";
import { element, stringify, type XmlElement } from "../../../util/xml/mod.ts";
import { assignDeviceAliases } from "../alias.ts";
import { buildQemuArgv } from "../command/argv.ts";
import { numberDiskSources } from "../disk_chains.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { vcpusFromDef } from "../hotplug/vcpu_model.ts";
import { resolveTarget, type Target } from "./host_target.ts";
import { hostCpuModel } from "./host_cpu_model.ts";
import { cpuModeSupported } from "../cpu_update.ts";
import { cpuDefElement } from "../../../conf/cpu/mod.ts";
import { descriptorDirs, readDescriptors, supportedFirmware } from "../firmware_descriptor.ts";
import { fileExists } from "../nvram.ts";

/**
 * `<os>` (virQEMUCapsFillDomainOSCaps): the firmware types QEMU's descriptors let the driver
 * autoselect for the machine, the images they name that exist, the loader types the driver
 * starts (`-bios`, pflash), secure loaders when a descriptor needs SMM.
 */
async function osCaps(state: QemuDriverState, t: Target): Promise<XmlElement> {
  const fws = await readDescriptors(state.firmwareDirs ?? descriptorDirs(state.privileged));
  const offered = supportedFirmware(fws, t.machine, t.arch);
  const images = [];
  for (const image of offered.images) if (await fileExists(image)) images.push(image);
  const values = (name: string, list: string[]) =>
    element("enum", { name }, list.map((v) => element("value", {}, [v])));
  return element("os", { supported: "yes" }, [
    values("firmware", offered.types),
    element("loader", { supported: "yes" }, [
      ...images.map((image) => element("value", {}, [image])),
      values("type", ["rom", "pflash"]),
      values("readonly", ["yes", "no"]),
      values("secure", offered.secure ? ["yes", "no"] : ["no"]),
    ]),
  ]);
}

/** Whether the driver would start a domain of `target` holding `devices`. */
function starts(state: QemuDriverState, target: Target, devices: string): boolean {
  const xml = `<domain type='${target.virttype}'><name>domcaps</name>` +
    `<memory unit='MiB'>64</memory><os><type arch='${target.arch}' ` +
    `machine='${target.machine}'>hvm</type></os><devices><emulator>${target.emulator}` +
    `</emulator>${devices}<memballoon model='none'/></devices></domain>`;
  try {
    const def = state.parse(xml);
    assignDeviceAliases(def);
    numberDiskSources(def);
    const argv = buildQemuArgv(def, vcpusFromDef(def).vcpus, {
      monitorPath: "/nonexistent",
      memoryDir: "/nonexistent",
      tpmSocket: "/nonexistent",
      accel: target.virttype === "kvm" ? "kvm" : "tcg",
    });
    const types = new Set(target.caps.types);
    return argv.every((a, i) => argv[i - 1] !== "-device" || types.has(a.split(",")[0]));
  } catch {
    return false;
  }
}

type Candidates = [value: string, xml: string][];

/** `<enum name>` of the candidates the driver starts. */
function enumOf(state: QemuDriverState, t: Target, name: string, candidates: Candidates) {
  const values = candidates.filter(([, xml]) => starts(state, t, xml)).map(([v]) => v);
  return element("enum", { name }, values.map((v) => element("value", {}, [v])));
}

const valuesOf = (e: XmlElement) => e.children.length;

/**
 * `virQEMUCapsFillDomainMemoryBackingCaps`: file and anonymous memory always, memfd where the
 * binary has its backend.
 */
function memoryBacking(t: Target): XmlElement {
  const memfd = t.caps.types.includes("memory-backend-memfd") ? ["memfd"] : [];
  const sources = ["file", "anonymous", ...memfd];
  return element("memoryBacking", { supported: "yes" }, [
    element("enum", { name: "sourceType" }, sources.map((v) => element("value", {}, [v]))),
  ]);
}

/** A device section: supported when any of its first enum's values is. */
function deviceSection(name: string, enums: XmlElement[]): XmlElement {
  if (!enums.length || valuesOf(enums[0]) === 0) return element(name, { supported: "no" });
  return element(name, { supported: "yes" }, enums);
}

const disk = (device: string, bus: string, dev: string, extra = "") =>
  `<disk type='file' device='${device}'${extra}><source file='/dev/null'/>` +
  `<target dev='${dev}' bus='${bus}'/></disk>`;

/**
 * `<tpm>` (virQEMUCapsFillDomainDeviceTPMCaps): the models, backends and, where swtpm is
 * installed, the TPM versions the driver starts. A host TPM (passthrough), which libvirt
 * lists, is not: the driver refuses it (see `tpm_args.ts`).
 */
function tpm(state: QemuDriverState, t: Target): XmlElement[] {
  const tpmOf = (model: string, backend: string) =>
    `<tpm model='${model}'><backend ${backend}</backend></tpm>`;
  const emulator = (version: string) => `type='emulator' version='${version}'>`;
  return [
    enumOf(
      state,
      t,
      "model",
      ["tpm-tis", "tpm-crb", "tpm-spapr", "spapr-tpm-proxy"].map((m) => [
        m,
        tpmOf(m, emulator("2.0")),
      ]),
    ),
    enumOf(state, t, "backendModel", [
      ["passthrough", tpmOf("tpm-tis", "type='passthrough'>")],
      ["emulator", tpmOf("tpm-tis", emulator("2.0"))],
      [
        "external",
        tpmOf("tpm-tis", "type='external'><source type='unix' path='/nonexistent'/>"),
      ],
    ]),
    enumOf(state, t, "backendVersion", [
      ["1.2", tpmOf("tpm-tis", emulator("1.2"))],
      ["2.0", tpmOf("tpm-tis", emulator("2.0"))],
    ]),
  ];
}

function devices(state: QemuDriverState, t: Target): XmlElement {
  const cdromBus = t.machine.includes("q35") ? "sata" : "ide";
  const diskEnums = [
    enumOf(state, t, "diskDevice", [
      ["disk", disk("disk", "virtio", "vda")],
      ["cdrom", disk("cdrom", cdromBus, "sdc")],
      ["floppy", disk("floppy", "fdc", "fda")],
      ["lun", disk("lun", "scsi", "sda")],
    ]),
    enumOf(state, t, "bus", [
      ["ide", disk("disk", "ide", "hda")],
      ["fdc", disk("floppy", "fdc", "fda")],
      ["scsi", disk("disk", "scsi", "sda")],
      ["virtio", disk("disk", "virtio", "vda")],
      ["usb", disk("disk", "usb", "sda")],
      ["sata", disk("disk", "sata", "sda")],
    ]),
    // The command line starts every virtio disk as virtio-blk-pci: the plain model only.
    enumOf(state, t, "model", [["virtio", disk("disk", "virtio", "vda")]]),
  ];
  const graphics = [
    enumOf(
      state,
      t,
      "type",
      ["sdl", "vnc", "spice", "egl-headless", "dbus"].map((g) => [g, `<graphics type='${g}'/>`]),
    ),
  ];
  const video = [
    enumOf(
      state,
      t,
      "modelType",
      ["vga", "cirrus", "vmvga", "qxl", "virtio", "none", "bochs", "ramfb"].map((
        m,
      ) => [m, `<video><model type='${m}'/></video>`]),
    ),
  ];
  const rngOf = (model: string, backend: string) =>
    `<rng model='${model}'><backend model='${backend}'` +
    (backend === "egd"
      ? " type='unix'><source mode='bind' path='/nonexistent'/></backend>"
      : "/>") +
    "</rng>";
  const rng = [
    enumOf(
      state,
      t,
      "model",
      ["virtio", "virtio-transitional", "virtio-non-transitional"].map((
        m,
      ) => [m, rngOf(m, "random")]),
    ),
    enumOf(
      state,
      t,
      "backendModel",
      ["random", "egd", "builtin"].map((b) => [b, rngOf("virtio", b)]),
    ),
  ];
  const one = (name: string, xml: string) =>
    starts(state, t, xml)
      ? element(name, { supported: "yes" })
      : element(name, { supported: "no" });
  return element("devices", {}, [
    deviceSection("disk", diskEnums),
    deviceSection("graphics", graphics),
    deviceSection("video", video),
    one(
      "hostdev",
      "<hostdev mode='subsystem' type='usb'><source><vendor id='0x1'/><product id='0x1'/>" +
        "</source></hostdev>",
    ),
    deviceSection("rng", rng),
    one("filesystem", "<filesystem><source dir='/'/><target dir='t'/></filesystem>"),
    deviceSection("tpm", tpm(state, t)),
    one("redirdev", "<redirdev bus='usb' type='spicevmc'/>"),
    one("channel", "<channel type='pty'><target type='virtio' name='x'/></channel>"),
  ]);
}

/**
 * `<cpu>`: host-passthrough (KVM) and maximum (QEMU's `max`) as libvirt offers them, the host
 * model libvirt computes from QEMU's expansion of its host-model CPU, and named models.
 */
function cpu(t: Target): XmlElement {
  const defs = (t.virttype === "kvm" ? t.caps.cpus.kvm : t.caps.cpus.tcg) ?? [];
  let known: string[];
  try {
    known = cpuModelNames(t.arch, "QEMU");
  } catch {
    known = [];
  }
  const models = defs.filter((d) => d.name !== "host" && known.includes(d.name)).map((d) =>
    element("model", {
      usable: d["unavailable-features"] === undefined
        ? "unknown"
        : d["unavailable-features"].length
        ? "no"
        : "yes",
      deprecated: d.deprecated ? "yes" : undefined,
      vendor: cpuModelVendor(t.arch, d.name),
    }, [d.name])
  );
  const mode = (name: string) => element("mode", { name, supported: "no" });
  const hostModel = hostCpuModel(t.caps, t.arch, t.virttype);
  const hostModelChildren = hostModel
    ? cpuDefElement(hostModel).children.filter((c) => c.type === "element")
    : [];
  // QEMU 7.2 takes `migratable=` on `host` and `max` (QEMU_CAPS_CPU_MIGRATABLE).
  const whole = (name: string, migratable: string) =>
    cpuModeSupported(t.caps, name, t.virttype)
      ? element("mode", { name, supported: "yes" }, [
        element("enum", { name: migratable }, ["on", "off"].map((v) => element("value", {}, [v]))),
      ])
      : mode(name);
  return element("cpu", {}, [
    whole("host-passthrough", "hostPassthroughMigratable"),
    whole("maximum", "maximumMigratable"),
    hostModel
      ? element("mode", { name: "host-model", supported: "yes" }, hostModelChildren)
      : mode("host-model"),
    models.length ? element("mode", { name: "custom", supported: "yes" }, models) : mode("custom"),
  ]);
}

/**
 * `qemuConnectGetDomainCapabilities`.
 *
 * @example
 * ```ts ignore
 * import { domainCapabilitiesXML } from "./host_domcaps.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * await domainCapabilitiesXML(state, null, null, null, "qemu", 0);
 * ```
 */
export async function domainCapabilitiesXML(
  state: QemuDriverState,
  emulator: string | null | undefined,
  arch: string | null | undefined,
  machine: string | null | undefined,
  virttype: string | null | undefined,
  flags: number,
): Promise<string> {
  checkFlags(flags, 0, "qemuConnectGetDomainCapabilities", "QEMU");
  const t = await resolveTarget(state, emulator, arch, machine, virttype);
  let maxCpus = t.caps.machines.find((m) => m.name === t.machine)?.["cpu-max"] ?? 0;
  if (t.virttype === "kvm") maxCpus = Math.min(maxCpus, kvmMaxVcpus());
  const no = (name: string) => element(name, { supported: "no" });
  return stringify(element("domainCapabilities", {}, [
    element("path", {}, [t.emulator]),
    element("domain", {}, [t.virttype]),
    element("machine", {}, [t.machine]),
    element("arch", {}, [t.arch]),
    element("vcpu", { max: maxCpus }),
    // The iothread object of every QEMU libvirt 9.0 supports.
    element("iothreads", { supported: "yes" }),
    await osCaps(state, t),
    cpu(t),
    memoryBacking(t),
    devices(state, t),
    element("features", {}, [
      no("gic"),
      no("vmcoreinfo"),
      no("genid"),
      no("backingStoreInput"),
      // Backups, incremental ones included (api/backup.ts), as libvirt's with QEMU 7.2.
      element("backup", { supported: "yes" }),
      no("sev"),
      no("sgx"),
      no("hyperv"),
    ]),
  ]));
}
