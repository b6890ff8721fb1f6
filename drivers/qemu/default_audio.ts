/**
 * The audio backend a QEMU guest without one gets (qemuDomainDefSuggestDefaultAudioBackend with
 * qemu.conf's defaults: `vnc_allow_host_audio` and `nographics_allow_host_audio` off). VNC
 * and no graphics mean no audio, SPICE its own; SDL passes the host's audio through, which
 * only the `QEMU_AUDIO_DRV` of the driver's environment names (none: no backend at all).
 *
 * @example
 * ```ts
 * import { defaultAudio } from "./default_audio.ts";
 * import { element } from "../../util/xml/mod.ts";
 * defaultAudio([element("graphics", { type: "spice" })], () => undefined);
 * // <audio id='1' type='spice'/>
 * ```
 * @module
 */
import { element, type XmlElement } from "../../util/xml/mod.ts";
import { unsupported } from "./command/unsupported.ts";

/** virDomainAudioType names, with QEMU's own for two of them (qemuAudioDriverTypeFromString). */
const AUDIO_TYPES = ["none", "alsa", "coreaudio", "jack", "oss", "pulseaudio", "sdl", "spice"]
  .concat(["file", "dbus"]);
const QEMU_NAMES: Record<string, string> = { pa: "pulseaudio", wav: "file" };

/** virDomainAudioSDLDriver names but its unset `default`. */
const SDL_DRIVERS = ["esd", "alsa", "arts", "pulseaudio"];

/**
 * The default `<audio>` for a guest whose graphics are `graphics`, undefined for none; `env`
 * reads the driver's environment. Throws libvirt's error for an audio driver it does not know.
 */
export function defaultAudio(
  graphics: XmlElement[],
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): XmlElement | undefined {
  let add = !graphics.length;
  let passthrough = false;
  let type = "none";
  for (const g of graphics) {
    if (g.attributes.type === "vnc") [add, passthrough, type] = [true, false, "none"];
    else if (g.attributes.type === "spice") [add, passthrough, type] = [true, false, "spice"];
    else if (g.attributes.type === "sdl") [add, passthrough] = [true, true];
  }
  if (!add) return undefined;
  if (passthrough) {
    const drv = env("QEMU_AUDIO_DRV");
    if (drv === undefined) return undefined;
    type = QEMU_NAMES[drv] ?? drv;
    if (!AUDIO_TYPES.includes(type)) throw unsupported(`unknown QEMU_AUDIO_DRV setting ${drv}`);
  }
  const sdl = type === "sdl" ? env("SDL_AUDIODRIVER") : undefined;
  if (sdl !== undefined && !SDL_DRIVERS.includes(sdl)) {
    throw unsupported(`unknown SDL_AUDIODRIVER setting ${sdl}`);
  }
  return element("audio", { id: "1", type, driver: sdl });
}
