/**
 * Video cards as libvirt 9.0 starts them (`qemuDeviceVideoGetModel`, `qemuBuildDeviceVideoCmd`):
 * the primary card as its VGA-compatible device, a secondary one as its plain device (QXL and
 * virtio only), with the sizes of its `<model>`: QXL's RAM, VRAM, 64-bit VRAM and VGA memory,
 * the outputs of QXL and virtio cards, a VGA or VMware card's VGA memory, a bochs card's memory,
 * a `<resolution>`, and a virtio card's virtio options. A vhost-user GPU is refused.
 *
 * @module
 */
import { child, type XmlElement } from "../../../util/xml/mod.ts";
import { VirError } from "../../../util/errors.ts";
import { optValue } from "./escape.ts";
import { unsupportedDevice } from "./unsupported.ts";
import { virtioOptions } from "./virtio_options.ts";

/** The device of each model as the primary card, and as a secondary one where there is one. */
const VIDEO_DEVICES: Record<string, [primary: string, secondary?: string]> = {
  cirrus: ["cirrus-vga"],
  vga: ["VGA"],
  virtio: ["virtio-vga", "virtio-gpu-pci"],
  bochs: ["bochs-display"],
  qxl: ["qxl-vga", "qxl"],
  vmvga: ["vmware-svga"],
};

/**
 * The `-device` of one `<video>` (none for model `none`) whose PCI placement is `at`.
 *
 * @example
 * ```ts
 * import { videoArgs } from "./video_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * videoArgs(
 *   parse("<video><model type='vga' vram='16384' heads='1' primary='yes'/><alias name='video0'/></video>"),
 *   ",bus=pci.0,addr=0x2",
 * ); // ["-device", "VGA,id=video0,vgamem_mb=16,bus=pci.0,addr=0x2"]
 * ```
 */
export function videoArgs(video: XmlElement, at: string): string[] {
  const model = child(video, "model")?.attributes ?? {};
  const type = model.type ?? "";
  if (type === "none") return [];
  const primary = model.primary === "yes";
  const devices = VIDEO_DEVICES[type];
  const driver = devices?.[primary ? 0 : 1];
  if (devices && !driver) {
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      `video type ${type} is only valid as primary video device`,
    );
  }
  const alias = child(video, "alias")?.attributes.name;
  // A vhost-user GPU runs in a vhost-user-gpu process edgevirt does not start.
  if (child(video, "driver")?.attributes.name === "vhostuser") {
    throw unsupportedDevice(video, primary ? "vhost-user-vga" : "vhost-user-gpu-pci");
  }
  if (!driver || !alias || !at) throw unsupportedDevice(video, driver);
  const kib = (v: string | undefined) => Number(v ?? 0);
  const props: [string, number][] = [];
  if (type === "qxl" || type === "virtio") props.push(["max_outputs", kib(model.heads)]);
  if (type === "qxl") {
    props.push(
      ["ram_size", kib(model.ram) * 1024],
      ["vram_size", kib(model.vram) * 1024],
      ["vram64_size_mb", Math.floor(kib(model.vram64) / 1024)],
      ["vgamem_mb", Math.floor(kib(model.vgamem) / 1024)],
    );
  } else if (type === "vga" || type === "vmvga") {
    props.push(["vgamem_mb", Math.floor(kib(model.vram) / 1024)]);
  } else if (type === "bochs") {
    props.push(["vgamem", kib(model.vram) * 1024]);
  }
  const res = child(child(video, "model"), "resolution")?.attributes;
  if (res) props.push(["xres", kib(res.x)], ["yres", kib(res.y)]);
  // libvirt's `p:` sizes are left out when zero; the 64-bit VRAM and VGA memory of QXL (`u:`)
  // are always there.
  const always = new Set(["vram64_size_mb", "vgamem_mb"].filter(() => type === "qxl"));
  const opts = props.filter(([k, v]) => v > 0 || always.has(k)).map(([k, v]) => `,${k}=${v}`);
  const virtio = type === "virtio" ? virtioOptions(child(video, "driver")) : "";
  return ["-device", `${driver},id=${optValue(alias)}${opts.join("")}${virtio}${at}`];
}
