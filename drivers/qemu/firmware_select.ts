/**
 * Firmware autoselection as libvirt 9.0 does it at a fresh start (qemuFirmwareFillDomain): for
 * `<os firmware='efi'|'bios'>`, and for a read-only pflash loader whose variable store and
 * template are both missing, the first of QEMU's firmware descriptors (by file name) that
 * satisfies the domain (qemuFirmwareMatchDomain) fills in the loader, the NVRAM template and
 * store, and SMM (qemuFirmwareEnableFeatures) in the definition the start runs; the inactive
 * definition keeps `firmware='efi'`. Without a match, autoselection fails with "Unable to find
 * any firmware to satisfy 'efi'"; the old style loader goes on to its NVRAM preparation.
 *
 * @example
 * ```ts
 * import { fillFirmware } from "./firmware_select.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * await fillFirmware(def, { privileged: false, reset: false, nvramDir: "/n" });
 * ```
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { parseFeatures } from "../../conf/domain/features.ts";
import { VirError } from "../../util/errors.ts";
import { child, element, type XmlElement } from "../../util/xml/mod.ts";
import {
  defaultNvramPath,
  isLocalNvram,
  isReadonlyPflash,
  type LoaderDef,
  loaderOf,
  setOsChild,
} from "./loader.ts";
import { fileExists } from "./nvram.ts";
import {
  descriptorDirs,
  type FirmwareDescriptor,
  readDescriptors,
  targetsMachine,
} from "./firmware_descriptor.ts";

/** How the start asks for a firmware. */
export interface FirmwareFillOptions {
  /** A system driver, which ignores the user's descriptors. */
  privileged: boolean;
  /** `VIR_DOMAIN_START_RESET_NVRAM`. */
  reset: boolean;
  /** The driver's NVRAM folder, for a store the chosen firmware needs. */
  nvramDir: string;
  /** Where descriptors are looked for (default `descriptorDirs`). */
  dirs?: readonly string[];
}

/** The `<firmware><feature>` states of the definition. */
function requestedFeatures(def: DomainDef): Map<string, string> {
  const fw = def.os.extra.find((e) => e.name === "firmware");
  return new Map(
    (fw?.children ?? []).flatMap((c) =>
      c.type === "element" ? [[c.attributes.name, c.attributes.enabled] as const] : []
    ),
  );
}

/** Whether `<pm>` asks for a suspend state (`suspend-to-mem`, `suspend-to-disk`). */
function pmEnabled(def: DomainDef, name: string): boolean {
  const pm = def.sections.find((s) => s.name === "pm");
  return child(pm, name)?.attributes.enabled === "yes";
}

/** The SEV policy of a `<launchSecurity type='sev'>`, undefined without one. */
function sevPolicy(def: DomainDef): number | undefined {
  const sec = def.sections.find((s) => s.name === "launchSecurity");
  if (sec?.attributes.type !== "sev") return undefined;
  const policy = child(sec, "policy");
  const text = policy?.children.map((c) => c.type === "text" ? c.text : "").join("") ?? "0";
  return Number(text.trim());
}

/** VIR_QEMU_FIRMWARE_AMD_SEV_ES_POLICY. */
const SEV_ES_POLICY = 1 << 2;

/** The `<firmware>` features a descriptor must have (`yes`) or lack (`no`). */
const REQUESTABLE = ["secure-boot", "enrolled-keys"];

/** qemuFirmwareMatchDomain. */
function matches(def: DomainDef, loader: LoaderDef | undefined, fw: FirmwareDescriptor): boolean {
  let want = def.os.firmware === "efi" ? "uefi" : def.os.firmware;
  if (!want && loader) {
    // An old style loader: only the descriptor of that very flash image.
    want = loader.type === "pflash" ? "uefi" : "bios";
    if (fw.mapping.device !== "flash" || fw.mapping.executable.filename !== loader.path) {
      return false;
    }
  }
  if (!fw.interfaces.includes(want ?? "")) return false;
  if (!targetsMachine(fw, def.os.machine ?? "", def.os.arch ?? "")) return false;
  const has = (f: string) => fw.features.includes(f);
  if (pmEnabled(def, "suspend-to-mem") && !has("acpi-s3")) return false;
  if (pmEnabled(def, "suspend-to-disk") && !has("acpi-s4")) return false;
  const requested = requestedFeatures(def);
  for (const feature of REQUESTABLE) {
    const state = requested.get(feature);
    if (state === "yes" && !has(feature)) return false;
    if (state === "no" && has(feature)) return false;
  }
  if (loader?.secure === "yes" && !has("requires-smm")) return false;
  if (fw.mapping.device === "flash") {
    const mode = loader?.stateless === "yes" ? "stateless" : "split";
    if (fw.mapping.mode !== mode) return false;
  }
  const sev = sevPolicy(def);
  if (sev !== undefined) {
    if (!has("amd-sev")) return false;
    if (sev & SEV_ES_POLICY && !has("amd-sev-es")) return false;
  }
  return true;
}

/** The `<loader>` the chosen firmware makes, its other attributes kept, in libvirt's order. */
function loaderElement(def: DomainDef, attrs: Record<string, string>, path: string): XmlElement {
  const old = def.os.extra.find((e) => e.name === "loader")?.attributes ?? {};
  const { readonly, secure, type, ...rest } = { ...old, ...attrs };
  return element("loader", { readonly, secure, type, ...rest }, [path]);
}

/** The format libvirt refuses for a flash file other than raw. */
function refuseFormat(file: { format: string }, what: string): void {
  if (file.format === "raw") return;
  throw VirError.report("QEMU", "OPERATION_UNSUPPORTED", `unsupported ${what} '${file.format}'`);
}

/** qemuFirmwareEnableFeatures: the chosen firmware into the definition the start runs. */
function enable(def: DomainDef, fw: FirmwareDescriptor, nvramDir: string): void {
  const map = fw.mapping;
  const smm = fw.features.includes("requires-smm");
  // A firmware that needs SMM gets a loader restricted to it.
  const secure: Record<string, string> = smm ? { secure: "yes" } : {};
  if (map.device === "flash") {
    refuseFormat(map.executable, "flash format");
    const attrs = { readonly: "yes", type: "pflash", ...secure };
    setOsChild(def, loaderElement(def, attrs, map.executable.filename));
    if (map.nvramTemplate) {
      refuseFormat(map.nvramTemplate, "nvram template format");
      // The definition's own store, else the default one, made from the template.
      const store = loaderOf(def)?.nvram ? def.os.extra.find((e) => e.name === "nvram") : undefined;
      const template = map.nvramTemplate.filename;
      setOsChild(
        def,
        store
          ? { ...store, attributes: { ...store.attributes, template } }
          : element("nvram", { template }, [defaultNvramPath(nvramDir, def.name)]),
      );
    }
  } else if (map.device === "memory") {
    setOsChild(def, loaderElement(def, { type: "rom", ...secure }, map.filename));
  } else {
    setOsChild(def, element("kernel", {}, [map.filename]));
  }
  if (smm) enableSmm(def);
  def.os.firmware = undefined;
}

/** requires-smm: SMM on unless the definition turned it off. */
function enableSmm(def: DomainDef): void {
  const features = def.sections.find((s) => s.name === "features");
  const state = child(features, "smm")?.attributes.state;
  if (state === "off") {
    throw VirError.report(
      "QEMU",
      "OPERATION_INVALID",
      "domain has SMM turned off but chosen firmware requires it",
    );
  }
  if (state) return;
  const kids = [...(features?.children ?? []), element("smm", { state: "on" })];
  const next = parseFeatures([element("features", {}, kids as XmlElement[])])!;
  if (features) features.children = next.children;
  else def.sections.push(next);
}

/**
 * qemuFirmwareFillDomain at a fresh start.
 *
 * @example
 * ```ts
 * import { fillFirmware } from "./firmware_select.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * await fillFirmware(def, { privileged: false, reset: false, nvramDir: "/n", dirs: [] });
 * // rejects "operation failed: Unable to find any firmware to satisfy 'efi'" for firmware='efi'
 * ```
 */
export async function fillFirmware(def: DomainDef, opts: FirmwareFillOptions): Promise<void> {
  const loader = loaderOf(def);
  const firmware = def.os.firmware;
  if (!firmware) {
    // The old style read-only UEFI without a template: a descriptor may name its template,
    // unless its store is already there (and is not to be reset).
    if (!isReadonlyPflash(loader) || loader.template) return;
    const nvram = loader.nvram;
    if (nvram && !isLocalNvram(nvram)) {
      if (opts.reset) {
        throw VirError.report(
          "QEMU",
          "OPERATION_UNSUPPORTED",
          "resetting of nvram is not supported with network backed nvram",
        );
      }
      return;
    }
    if (nvram?.path && !opts.reset && (await fileExists(nvram.path))) return;
  }
  const found = await readDescriptors(opts.dirs ?? descriptorDirs(opts.privileged));
  const chosen = found.find((fw) => matches(def, loader, fw));
  if (!chosen) {
    if (!firmware) return;
    throw VirError.report(
      "QEMU",
      "OPERATION_FAILED",
      `Unable to find any firmware to satisfy '${firmware}'`,
    );
  }
  enable(def, chosen, opts.nvramDir);
}
