/**
 * The guest firmware of `<os>`: the `<loader>` and its `<nvram>` variable store as libvirt's
 * QEMU driver reads them (`virDomainLoaderDef`), the NVRAM path it fills in at define
 * (`qemuDomainDefPostParse`) and its checks (`qemuValidateDomainDefBoot`, UEFI and ACPI).
 *
 * @example
 * ```ts
 * import { loaderOf } from "./loader.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * loaderOf(def)?.type; // "pflash"
 * ```
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { OS_KIDS_BEFORE_BOOT } from "../../conf/domain/os.ts";
import { child, element, textOf, type XmlElement } from "../../util/xml/mod.ts";
import { isQ35 } from "./default_devices.ts";
import { unsupported } from "./command/unsupported.ts";

/** Where an `<nvram>` lives (virStorageType of a typed one; a plain path is a file). */
export interface NvramDef {
  /** `file`, `block`, `network`, … */
  storage: string;
  /** The file or block device; none for a network source. */
  path?: string;
  /** The template a missing store is copied from. */
  template?: string;
}

/** `<loader>` and `<nvram>`. */
export interface LoaderDef {
  /** `rom` (`-bios`) or `pflash`. */
  type?: string;
  /** The firmware image. */
  path?: string;
  readonly?: string;
  secure?: string;
  stateless?: string;
  /** The variable store, when the definition has one. */
  nvram?: NvramDef;
  /** `<nvram template>` without a store (virDomainLoaderDef's `nvramTemplate` alone). */
  template?: string;
}

const osChild = (def: DomainDef, name: string) => def.os.extra.find((e) => e.name === name);

/** A typed `<nvram>`'s `<source>` path attribute by storage type. */
const SOURCE_PATH: Record<string, string> = { file: "file", block: "dev", dir: "dir" };

/** The `<nvram>` store: its path (text or typed `<source>`), none when it names nothing. */
function nvramOf(el: XmlElement | undefined): NvramDef | undefined {
  if (!el) return undefined;
  const source = child(el, "source");
  const storage = source ? el.attributes.type ?? "file" : "file";
  const path = source ? source.attributes[SOURCE_PATH[storage] ?? ""] : textOf(el)?.trim();
  if (!source && !path) return undefined;
  return { storage, path, template: el.attributes.template };
}

/**
 * The domain's `<loader>` and `<nvram>`, undefined when it has neither.
 *
 * @example
 * ```ts
 * import { loaderOf } from "./loader.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * loaderOf(def)?.nvram?.path; // "/var/lib/libvirt/qemu/nvram/vm_VARS.fd"
 * ```
 */
export function loaderOf(def: DomainDef): LoaderDef | undefined {
  const loader = osChild(def, "loader");
  const nvramEl = osChild(def, "nvram");
  if (!loader && !nvramEl) return undefined;
  const a = loader?.attributes ?? {};
  return {
    type: a.type,
    path: textOf(loader)?.trim() || undefined,
    readonly: a.readonly,
    secure: a.secure,
    stateless: a.stateless,
    nvram: nvramOf(nvramEl),
    template: nvramEl?.attributes.template,
  };
}

/** virStorageSourceIsLocalStorage's types. */
const LOCAL_STORAGE = new Set(["file", "block", "dir"]);

/**
 * Whether the store is on the host (virStorageSourceIsLocalStorage): a file, a block device.
 *
 * @example
 * ```ts
 * import { isLocalNvram } from "./loader.ts";
 * isLocalNvram({ storage: "network" }); // false
 * ```
 */
export const isLocalNvram = (nvram: NvramDef): boolean => LOCAL_STORAGE.has(nvram.storage);

/** virDomainDefHasOldStyleUEFI: a pflash loader given by path. */
export const isPflash = (l: LoaderDef | undefined): l is LoaderDef => l?.type === "pflash";

/** virDomainDefHasOldStyleROUEFI: a read-only pflash loader, whose variables need a store. */
export const isReadonlyPflash = (l: LoaderDef | undefined): l is LoaderDef =>
  isPflash(l) && l.readonly === "yes";

/**
 * The default variable store of a domain (qemuDomainNVRAMPathFormat): `<name>_VARS.fd` in the
 * driver's NVRAM folder.
 *
 * @example
 * ```ts
 * import { defaultNvramPath } from "./loader.ts";
 * defaultNvramPath("/var/lib/libvirt/qemu/nvram", "vm"); // "/var/lib/libvirt/qemu/nvram/vm_VARS.fd"
 * ```
 */
export function defaultNvramPath(nvramDir: string, name: string): string {
  return `${nvramDir}/${name}_VARS.fd`;
}

/**
 * qemuDomainDefPostParse: a read-only pflash loader that is not stateless gets its variable
 * store at the default path when the definition names none (a template alone included), which
 * the inactive XML then shows.
 *
 * @example
 * ```ts
 * import { nvramPostParse } from "./loader.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * nvramPostParse(def, "/home/u/.config/edgevirt/qemu/nvram");
 * ```
 */
export function nvramPostParse(def: DomainDef, nvramDir: string): void {
  const loader = loaderOf(def);
  if (!isReadonlyPflash(loader) || loader.nvram || loader.stateless === "yes") return;
  setOsChild(
    def,
    element("nvram", { template: loader.template }, [defaultNvramPath(nvramDir, def.name)]),
  );
}

/** Rank of each `<os>` child written before the boot list, in libvirt's order. */
const OS_RANK = new Map(OS_KIDS_BEFORE_BOOT.map((name, i) => [name, i]));

/**
 * Puts `el` into `<os>`: in place of the child of its name, else where libvirt writes it.
 *
 * @example
 * ```ts
 * import { setOsChild } from "./loader.ts";
 * import { element } from "../../util/xml/mod.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * setOsChild(def, element("loader", { type: "rom" }, ["/usr/share/seabios/bios.bin"]));
 * ```
 */
export function setOsChild(def: DomainDef, el: XmlElement): void {
  const extra = def.os.extra;
  const at = extra.findIndex((e) => e.name === el.name);
  if (at >= 0) {
    extra[at] = el;
    return;
  }
  const rank = OS_RANK.get(el.name)!;
  const next = extra.findIndex((e) => (OS_RANK.get(e.name) ?? Infinity) > rank);
  extra.splice(next < 0 ? extra.length : next, 0, el);
}

/** virStorageType names libvirt refuses for an NVRAM (qemuValidateDomainDefNvram). */
const NVRAM_REFUSED = new Set(["dir", "volume", "nvme", "vhostuser"]);

/**
 * qemuValidateDomainDef's firmware checks, at define and start: UEFI (a pflash loader or
 * `firmware='efi'`) needs ACPI on x86; secure boot needs q35, x86_64 and SMM (which firmware
 * autoselection would turn on); an NVRAM is a file, a block device or a network source.
 *
 * @example
 * ```ts
 * import { validateLoader } from "./loader.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * validateLoader(def); // throws "unsupported configuration: UEFI requires ACPI on this architecture"
 * ```
 */
export function validateLoader(def: DomainDef): void {
  const loader = loaderOf(def);
  const features = def.sections.find((s) => s.name === "features");
  const x86 = def.os.arch === "x86_64" || def.os.arch === "i686";
  if ((def.os.firmware === "efi" || isPflash(loader)) && x86 && !child(features, "acpi")) {
    throw unsupported("UEFI requires ACPI on this architecture");
  }
  if (!loader) return;
  if (loader.secure === "yes") {
    if (!isQ35(def)) throw unsupported("Secure boot is supported with q35 machine types only");
    if (def.os.arch !== "x86_64") {
      throw unsupported("Secure boot is supported for x86_64 architecture only");
    }
    if (!def.os.firmware && child(features, "smm")?.attributes.state !== "on") {
      throw unsupported("Secure boot requires SMM feature enabled");
    }
  }
  const storage = loader.nvram?.storage;
  if (storage && NVRAM_REFUSED.has(storage)) {
    throw unsupported(`unsupported nvram disk type '${storage}'`);
  }
}
