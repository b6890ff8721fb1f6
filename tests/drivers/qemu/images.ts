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
const NAMES = ["vda.img", "ga.img", "d.img", "ro.img", "f.img", "a.iso", "b.qcow2"];

/** The folder of the images. */
export const IMG: string = Deno.makeTempDirSync({ prefix: "ev-img-" });
for (const name of NAMES) Deno.writeFileSync(`${IMG}/${name}`, new Uint8Array());
globalThis.addEventListener("unload", () => Deno.removeSync(IMG, { recursive: true }));

/**
 * A new folder (the caller removes it) holding empty images `names`: for a test whose driver
 * writes next to the image (a transient disk's overlay).
 *
 * @example
 * ```ts ignore
 * const dir = await imageDir("ev-transient-img-"); // holds vda.img
 * ```
 */
export async function imageDir(prefix: string, names = ["vda.img"]): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix });
  for (const name of names) await Deno.writeFile(`${dir}/${name}`, new Uint8Array());
  return dir;
}
