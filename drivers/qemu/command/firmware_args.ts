/**
 * The firmware's part of QEMU's command line as libvirt 9.0 builds it for QEMU 7.2: a ROM
 * loader is `-bios` (qemuBuildDomainLoaderCommandLine); a pflash loader and its NVRAM are raw
 * `-blockdev` pairs named `libvirt-pflash0-*` / `libvirt-pflash1-*`
 * (qemuDomainInitializePflashStorageSource, qemuBuildPflashBlockdevCommandLine) that the machine
 * takes as `pflash0` / `pflash1`, with secure pflash as a `-global`.
 *
 * @example
 * ```ts
 * import { loaderArgs } from "./firmware_args.ts";
 * loaderArgs({ type: "rom", path: "/usr/share/seabios/bios.bin" });
 * // ["-bios", "/usr/share/seabios/bios.bin"]
 * ```
 * @module
 */
import { isPflash, type LoaderDef, type NvramDef } from "../loader.ts";
import { unsupported } from "./unsupported.ts";

/** QEMU's block driver for a local NVRAM or loader by storage type. */
const STORAGE_DRIVER: Record<string, string> = { file: "file", block: "host_device" };

/** A raw image's storage and format `-blockdev` pair, as libvirt writes them. */
function rawBlockdevs(prefix: string, nvram: NvramDef, readOnly: boolean): string[] {
  const driver = STORAGE_DRIVER[nvram.storage];
  // A network NVRAM needs its protocol's node (and secrets): not built here.
  if (!driver || !nvram.path) {
    throw unsupported(`nvram disk type '${nvram.storage}' is not supported by edgevirt`);
  }
  const storage = `${prefix}-storage`;
  return [
    "-blockdev",
    JSON.stringify({
      driver,
      filename: nvram.path,
      "node-name": storage,
      "auto-read-only": true,
      discard: "unmap",
    }),
    "-blockdev",
    JSON.stringify({
      "node-name": `${prefix}-format`,
      "read-only": readOnly,
      driver: "raw",
      file: storage,
    }),
  ];
}

/**
 * The pflash `-blockdev`s (before `-machine`, as libvirt places them) and the `-machine`
 * options that map them; nothing for a domain without a pflash loader.
 *
 * @example
 * ```ts
 * import { pflashArgs } from "./firmware_args.ts";
 * const { blockdevs, machine } = pflashArgs({ type: "pflash", path: "/c.fd", readonly: "yes" });
 * machine; // ",pflash0=libvirt-pflash0-format"
 * ```
 */
export function pflashArgs(
  loader: LoaderDef | undefined,
): { blockdevs: string[]; machine: string } {
  if (!isPflash(loader)) return { blockdevs: [], machine: "" };
  const code = { storage: "file", path: loader.path };
  const blockdevs = rawBlockdevs("libvirt-pflash0", code, loader.readonly === "yes");
  let machine = ",pflash0=libvirt-pflash0-format";
  if (loader.nvram) {
    blockdevs.push(...rawBlockdevs("libvirt-pflash1", loader.nvram, false));
    machine += ",pflash1=libvirt-pflash1-format";
  }
  return { blockdevs, machine };
}

/**
 * `-bios` for a ROM loader, secure pflash's `-global` (after `-cpu`, as libvirt places them).
 *
 * @example
 * ```ts
 * import { loaderArgs } from "./firmware_args.ts";
 * loaderArgs({ type: "pflash", path: "/c.fd", secure: "yes" });
 * // ["-global", "driver=cfi.pflash01,property=secure,value=on"]
 * ```
 */
export function loaderArgs(loader: LoaderDef | undefined): string[] {
  if (loader?.type === "rom" && loader.path) return ["-bios", loader.path];
  if (isPflash(loader) && loader.secure === "yes") {
    return ["-global", "driver=cfi.pflash01,property=secure,value=on"];
  }
  return [];
}
