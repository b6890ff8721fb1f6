/**
 * QEMU's firmware descriptors (docs/interop/firmware.json) as libvirt 9.0 finds and reads them
 * (qemuInteropFetchConfigs, qemuFirmwareParse): the files in effect in the descriptor folders and
 * what each says, with libvirt's errors for a descriptor it cannot read.
 *
 * @example
 * ```ts
 * import { readDescriptors } from "./firmware_descriptor.ts";
 * const fws = await readDescriptors(["/usr/share/qemu/firmware", "/etc/qemu/firmware"]);
 * fws[0]?.interfaces; // ["uefi"]
 * ```
 * @module
 */
import { isKnownArch } from "../../conf/capabilities/cpu_models.ts";
import { VirError } from "../../util/errors.ts";
import { interopDirs, interopFiles } from "./interop_config.ts";

/** A firmware image file and its format. */
export interface FirmwareFile {
  filename: string;
  format: string;
}

/** One descriptor. */
export interface FirmwareDescriptor {
  /** Its file. */
  path: string;
  /** `bios`, `openfirmware`, `uboot`, `uefi`. */
  interfaces: string[];
  /** How the firmware is mapped into the guest. */
  mapping:
    | { device: "flash"; mode: string; executable: FirmwareFile; nvramTemplate?: FirmwareFile }
    | { device: "kernel" | "memory"; filename: string };
  /** Architectures, each with its machine type patterns (`pc-q35-*`). */
  targets: { architecture: string; machines: string[] }[];
  /** The features libvirt knows (others are skipped, as libvirt does). */
  features: string[];
}

/**
 * The folders firmware descriptors are read from (qemuInteropFetchConfigs), the least specific
 * first: QEMU's data folder, the host's configuration, and for a session driver the user's own.
 *
 * @example
 * ```ts
 * import { descriptorDirs } from "./firmware_descriptor.ts";
 * descriptorDirs(true); // ["/usr/share/qemu/firmware", "/etc/qemu/firmware"]
 * ```
 */
export function descriptorDirs(privileged: boolean): string[] {
  return interopDirs("firmware", privileged);
}

const INTERFACES = ["bios", "openfirmware", "uboot", "uefi"];
const DEVICES = ["flash", "kernel", "memory"];
const FLASH_MODES = ["split", "combined", "stateless"];
const FEATURES = [
  "acpi-s3",
  "acpi-s4",
  "amd-sev",
  "amd-sev-es",
  "enrolled-keys",
  "requires-smm",
  "secure-boot",
  "verbose-dynamic",
  "verbose-static",
];
type Json = Record<string, unknown>;
const fail = (message: string) => VirError.report("QEMU", "INTERNAL_ERROR", message);
const isObject = (v: unknown): v is Json =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** qemuFirmwareFlashFileParse and the kernel/memory filename. */
function file(doc: Json, path: string): FirmwareFile {
  const { filename, format } = doc;
  if (typeof filename !== "string") throw fail(`missing 'filename' in '${path}'`);
  if (typeof format !== "string") throw fail(`missing 'format' in '${path}'`);
  return { filename, format };
}

/** qemuFirmwareMappingParse. */
function mapping(doc: Json, path: string): FirmwareDescriptor["mapping"] {
  const map = doc.mapping;
  if (!isObject(map)) throw fail(`missing mapping in '${path}'`);
  if (typeof map.device !== "string") throw fail(`missing device type in '${path}'`);
  const device = map.device;
  if (!DEVICES.includes(device)) throw fail(`unknown device type in '${path}'`);
  if (device !== "flash") {
    if (typeof map.filename !== "string") throw fail(`missing 'filename' in '${path}'`);
    return { device: device as "kernel" | "memory", filename: map.filename };
  }
  let mode = "split";
  if (map.mode !== undefined) {
    if (typeof map.mode !== "string") throw fail("Firmware flash mode value was malformed");
    if (!FLASH_MODES.includes(map.mode)) {
      throw fail(`Firmware flash mode value '${map.mode}' unexpected`);
    }
    mode = map.mode;
  }
  if (!isObject(map.executable)) throw fail(`missing 'executable' in '${path}'`);
  const executable = file(map.executable, path);
  if (mode !== "split") return { device, mode, executable };
  if (!isObject(map["nvram-template"])) throw fail(`missing 'nvram-template' in '${path}'`);
  return { device, mode, executable, nvramTemplate: file(map["nvram-template"], path) };
}

/** qemuFirmwareParse: one descriptor, in libvirt's order of checks. */
function parseDescriptor(text: string, path: string): FirmwareDescriptor {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw fail(`unable to parse json file '${path}'`);
  }
  if (!isObject(doc)) throw fail(`failed to get interface-types from '${path}'`);
  const interfaces = doc["interface-types"];
  if (!Array.isArray(interfaces)) throw fail(`failed to get interface-types from '${path}'`);
  for (const i of interfaces) {
    if (!INTERFACES.includes(i)) throw fail(`unknown interface type: '${i}'`);
  }
  const map = mapping(doc, path);
  if (!Array.isArray(doc.targets)) throw fail(`failed to get targets from '${path}'`);
  const targets = doc.targets.map((t: unknown) => {
    const target = isObject(t) ? t : {};
    const arch = target.architecture;
    if (typeof arch !== "string") throw fail(`missing 'architecture' in '${path}'`);
    if (!isKnownArch(arch)) throw fail(`unknown architecture '${arch}'`);
    if (!Array.isArray(target.machines)) throw fail(`missing 'machines' in '${path}'`);
    return { architecture: arch, machines: target.machines.map(String) };
  });
  if (!Array.isArray(doc.features)) throw fail(`failed to get features from '${path}'`);
  const features = doc.features.filter((f: unknown) => FEATURES.includes(f as string));
  return { path, interfaces, mapping: map, targets, features };
}

/**
 * qemuFirmwareFetchParsedConfigs: every descriptor in effect in `dirs`, by file name; one that
 * cannot be read fails them all, as libvirt's start fails.
 *
 * @example
 * ```ts
 * import { readDescriptors } from "./firmware_descriptor.ts";
 * await readDescriptors([]); // []
 * ```
 */
export async function readDescriptors(dirs: readonly string[]): Promise<FirmwareDescriptor[]> {
  const out: FirmwareDescriptor[] = [];
  for (const path of await interopFiles(dirs)) {
    out.push(parseDescriptor(await Deno.readTextFile(path), path));
  }
  return out;
}

/** g_pattern_match_simple: `*` any run, `?` any one character. */
function globMatch(pattern: string, text: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${re}$`, "s").test(text);
}

/**
 * qemuFirmwareMatchesMachineArch: whether the descriptor targets `arch` with a machine pattern
 * `machine` matches.
 *
 * @example
 * ```ts
 * import { targetsMachine } from "./firmware_descriptor.ts";
 * declare const fw: import("./firmware_descriptor.ts").FirmwareDescriptor;
 * targetsMachine(fw, "pc-q35-7.2", "x86_64"); // true for machines ["pc-q35-*"]
 * ```
 */
export function targetsMachine(fw: FirmwareDescriptor, machine: string, arch: string): boolean {
  return fw.targets.some((t) =>
    t.architecture === arch && t.machines.some((m) => globMatch(m, machine))
  );
}

/** What the descriptors offer one machine (qemuFirmwareGetSupported). */
export interface SupportedFirmware {
  /** Autoselectable firmware types, `bios` and `efi`, in libvirt's order. */
  types: string[];
  /** Whether one needs SMM (libvirt's test for a secure loader). */
  secure: boolean;
  /** The firmware images, each once. */
  images: string[];
}

/**
 * qemuFirmwareGetSupported: the firmware types, secure loaders and images the descriptors
 * offer `machine` of `arch`.
 *
 * @example
 * ```ts
 * import { supportedFirmware } from "./firmware_descriptor.ts";
 * supportedFirmware([], "pc-i440fx-7.2", "x86_64"); // { types: [], secure: false, images: [] }
 * ```
 */
export function supportedFirmware(
  fws: readonly FirmwareDescriptor[],
  machine: string,
  arch: string,
): SupportedFirmware {
  const mine = fws.filter((fw) => targetsMachine(fw, machine, arch));
  const has = (i: string) => mine.some((fw) => fw.interfaces.includes(i));
  const types = [["bios", "bios"], ["efi", "uefi"]].filter(([, i]) => has(i)).map(([t]) => t);
  const images = mine.flatMap((fw) =>
    fw.mapping.device === "flash"
      ? [fw.mapping.executable.filename]
      : fw.mapping.device === "memory"
      ? [fw.mapping.filename]
      : []
  );
  return {
    types,
    secure: mine.some((fw) => fw.features.includes("requires-smm")),
    images: [...new Set(images)],
  };
}
