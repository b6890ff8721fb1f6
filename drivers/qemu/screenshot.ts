/**
 * `virDomainScreenshot` for QEMU (libvirt's `qemuDomainScreenshot`): QMP `screendump` of the
 * chosen screen into a private file, PNG as QEMU 7.2 offers it, given back as a stream of the
 * image and its MIME type. Screens are counted over the video devices' heads.
 *
 * @module
 */
import type { DriverStream } from "../../util/driver.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { child } from "../../util/xml/mod.ts";
import { checkActive } from "../../conf/objects/domain_obj.ts";
import type { QemuDomainObj } from "./domain_private.ts";

/**
 * Takes the screenshot; the image is read before the file goes, as libvirt streams its file.
 *
 * @example
 * ```ts ignore
 * const { readable, mime } = await screenshot(obj, runDir, 0, 0); // mime: "image/png"
 * ```
 */
export async function screenshot(
  obj: QemuDomainObj,
  runDir: string,
  screen: number,
  flags: number,
): Promise<DriverStream> {
  checkFlags(flags, 0, "qemuDomainScreenshot", "QEMU");
  checkActive(obj);
  const videos = obj.def.devices.other.filter((d) => d.name === "video");
  if (!videos.length) {
    throw VirError.report("QEMU", "OPERATION_INVALID", "no screens to take screenshot from");
  }
  const args: Record<string, unknown> = { format: "png" };
  if (screen) {
    let left = screen;
    const video = videos.find((v) => {
      const heads = Number(child(v, "model")?.attributes.heads ?? 1);
      if (left < heads) return true;
      left -= heads;
      return false;
    });
    if (!video) throw VirError.report("QEMU", "OPERATION_INVALID", "no such screen ID");
    args.device = child(video, "alias")?.attributes.name;
    args.head = left;
  }
  const file = await Deno.makeTempFile({ dir: runDir, prefix: "qemu.screendump." });
  try {
    await obj.proc!.monitor.run("screendump", { filename: file, ...args });
    const image = await Deno.readFile(file);
    return { readable: new Blob([image]).stream(), mime: "image/png" };
  } finally {
    await Deno.remove(file).catch(() => {});
  }
}
