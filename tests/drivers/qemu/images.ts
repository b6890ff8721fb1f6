/**
 * The images the fake-QEMU tests' domains name, made for real in one folder per test process
 * (removed when it ends): the driver checks that a disk's image is there before QEMU runs, as
 * libvirt's `qemuProcessPrepareHostStorage` does, even where the QEMU is a fake that never
 * opens it. Empty files: a header too short for any format reads as raw, which has no chain.
 *
 * @example
 * ```ts ignore
 * import { IMG } from "./images.ts";
 * const xml = `<disk type='file'><source file='${IMG}/vda.img'/><target dev='vda'/></disk>`;
 * ```
 * @module
 */

/** The images the tests name, by file name. */
const NAMES = ["vda.img", "vdb.img", "ga.img", "d.img", "ro.img"];

/** The folder of the images. */
export const IMG: string = Deno.makeTempDirSync({ prefix: "ev-img-" });
for (const name of NAMES) Deno.writeFileSync(`${IMG}/${name}`, new Uint8Array());
globalThis.addEventListener("unload", () => Deno.removeSync(IMG, { recursive: true }));
