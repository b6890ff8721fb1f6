/**
 * Audio backends and sound cards on the command line, as libvirt 9.0 writes them for QEMU 7.2
 * (`qemuBuildAudioCommandLineArg`, `qemuBuildSoundDevCmd`, `qemuBuildSoundCodecCmd`): each
 * `<audio>` is an `-audiodev` in JSON, and the sound cards and VNC name the backend they use
 * (`audiodev=audioN`), so QEMU never falls back to a host audio system of its own choosing.
 *
 * @module
 */
import { definedProps, switchBool } from "../json_props.ts";
import type { DomainDef } from "../../../conf/domain/def.ts";
import { child, children, type XmlElement } from "../../../util/xml/mod.ts";
import { VirError } from "../../../util/errors.ts";
import { optValue } from "./escape.ts";
import { unsupported, unsupportedDevice } from "./unsupported.ts";

/** QEMU's names of the backends whose libvirt name differs (qemuAudioDriverTypeToString). */
const QEMU_DRIVERS: Record<string, string> = { pulseaudio: "pa", file: "wav" };

type Props = Record<string, unknown>;

/** A number attribute (libvirt's `p:`: written only when set and non-zero). */
const positive = (v: string | undefined) => v === undefined || !Number(v) ? undefined : Number(v);

/** The set properties, or none when nothing is set (libvirt's `A:` leaves an empty one out). */
function defined(props: Props): Props | undefined {
  const out = definedProps(props);
  return Object.keys(out).length ? out : undefined;
}

/** One direction's properties (qemuBuildAudioCommonProps then the backend's own). */
function direction(type: string, el: XmlElement | undefined): Props | undefined {
  if (!el) return undefined;
  const a = el.attributes;
  const fixed = a.fixedSettings === "yes";
  const settings = fixed ? child(el, "settings")?.attributes ?? {} : {};
  const common = {
    "mixing-engine": switchBool(a.mixingEngine),
    "fixed-settings": switchBool(a.fixedSettings),
    voices: positive(a.voices),
    "buffer-length": positive(a.bufferLength),
    frequency: positive(settings.frequency),
    channels: positive(settings.channels),
    format: settings.format,
  };
  const backend: Record<string, Props> = {
    alsa: { dev: a.dev },
    coreaudio: { "buffer-count": positive(a.bufferCount) },
    sdl: { "buffer-count": positive(a.bufferCount) },
    jack: {
      "server-name": a.serverName,
      "client-name": a.clientName,
      "connect-ports": a.connectPorts,
      "exact-name": switchBool(a.exactName),
    },
    oss: { dev: a.dev, "buffer-count": positive(a.bufferCount), "try-poll": switchBool(a.tryPoll) },
    pulseaudio: { name: a.name, "stream-name": a.streamName, latency: positive(a.latency) },
  };
  return defined({ ...common, ...backend[type] });
}

/**
 * The `-audiodev` of one (parsed) `<audio>` element. An SDL backend's driver is an environment
 * variable of QEMU's in libvirt, which this command line cannot carry: it is refused.
 *
 * @example
 * ```ts
 * import { audiodevArgs } from "./audio_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * audiodevArgs(parse("<audio id='1' type='none'/>"));
 * // ["-audiodev", '{"id":"audio1","driver":"none"}']
 * ```
 */
export function audiodevArgs(audio: XmlElement): string[] {
  const a = audio.attributes;
  const type = a.type;
  if (type === "sdl" && a.driver) {
    throw unsupported("an SDL audio driver is not supported with this QEMU");
  }
  const props = defined({
    id: `audio${Number(a.id)}`,
    driver: QEMU_DRIVERS[type] ?? type,
    "timer-period": positive(a.timerPeriod),
    ...(type === "oss" && {
      "try-mmap": switchBool(a.tryMMap),
      exclusive: switchBool(a.exclusive),
      "dsp-policy": a.dspPolicy === undefined ? undefined : Number(a.dspPolicy),
    }),
    ...(type === "pulseaudio" && { server: a.serverName }),
    ...(type === "file" && { path: a.path }),
    in: direction(type, child(audio, "input")),
    out: direction(type, child(audio, "output")),
  });
  return ["-audiodev", JSON.stringify(props)];
}

/**
 * `audioN` for a device's `<audio id>` reference, or the first backend when it has none
 * (virDomainDefFindAudioByID with id 0); libvirt's internal error when there is no such backend.
 *
 * @example
 * ```ts
 * import { audioIdOf } from "./audio_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * import { parseDomainXML } from "../../../conf/domain/mod.ts";
 * const def = parseDomainXML(
 *   "<domain type='qemu'><name>a</name><memory>8192</memory><os><type>hvm</type></os>" +
 *     "<devices><audio id='1' type='none'/></devices></domain>",
 * );
 * audioIdOf(def, parse("<sound model='ich9'/>")); // "audio1"
 * ```
 */
export function audioIdOf(def: DomainDef, dev: XmlElement): string {
  const wanted = Number(child(dev, "audio")?.attributes.id ?? 0);
  const audio = def.devices.other.find((d) =>
    d.name === "audio" && (!wanted || Number(d.attributes.id) === wanted)
  );
  if (!audio) {
    throw VirError.report(
      "QEMU",
      "INTERNAL_ERROR",
      "unable to find audio backend for sound device",
    );
  }
  return `audio${Number(audio.attributes.id)}`;
}

/** QEMU's device of each sound model (qemuBuildSoundDevCmd); pcspk is a machine option. */
const SOUND_DEVICES: Record<string, string> = {
  es1370: "ES1370",
  ac97: "AC97",
  ich6: "intel-hda",
  ich9: "ich9-intel-hda",
  usb: "usb-audio",
  sb16: "sb16",
};

/** The HDA models, whose codecs are devices of their own on the card's bus. */
const HDA_MODELS = new Set(["ich6", "ich9"]);

/**
 * The sound model checks of qemuValidateDomainDeviceDefSound that QEMU 7.2 leaves: ICH7 is a
 * model QEMU has no device for. Without an address libvirt fails before that, while placing it:
 * no PCI bus takes a device of ICH7's (empty) connection flags.
 *
 * @example
 * ```ts
 * import { validateSound } from "./audio_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * validateSound(parse("<sound model='ich9'/>")); // no error
 * ```
 */
export function validateSound(dev: XmlElement): void {
  const model = dev.attributes.model;
  if (model === "ich7" && !child(dev, "address")) {
    throw VirError.report(
      "DOMAIN",
      "INTERNAL_ERROR",
      "Cannot automatically add a new PCI bus for a device with connect flags 00",
    );
  }
  if (model === "ich7") {
    throw VirError.report(
      "QEMU",
      "INTERNAL_ERROR",
      `sound card model '${model}' is not supported by qemu`,
    );
  }
}

/**
 * A sound card's arguments: its `-device` where `placement` puts it (the PCI or USB address
 * already made into `,bus=…`), then for an HDA card one codec device per `<codec>` (a duplex
 * codec when it has none), each on the card's bus at its position; the card or its codecs name
 * the audio backend. The PC speaker is `-soundhw pcspk`, as libvirt 9.0 writes it.
 *
 * @example
 * ```ts
 * import { soundArgs } from "./audio_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * import { parseDomainXML } from "../../../conf/domain/mod.ts";
 * const def = parseDomainXML(
 *   "<domain type='qemu'><name>a</name><memory>8192</memory><os><type>hvm</type></os>" +
 *     "<devices><audio id='1' type='none'/></devices></domain>",
 * );
 * const card = parse("<sound model='ich6'><alias name='sound0'/></sound>");
 * soundArgs(def, card, ",bus=pci.0,addr=0x4");
 * // ["-device", "intel-hda,id=sound0,bus=pci.0,addr=0x4",
 * //  "-device", "hda-duplex,id=sound0-codec0,bus=sound0.0,cad=0,audiodev=audio1"]
 * ```
 */
export function soundArgs(def: DomainDef, dev: XmlElement, placement: string): string[] {
  const model = dev.attributes.model;
  if (model === "pcspk") return ["-soundhw", "pcspk"];
  validateSound(dev);
  const alias = child(dev, "alias")?.attributes.name;
  const driver = SOUND_DEVICES[model];
  if (!alias || !driver || (model !== "sb16" && !placement)) throw unsupportedDevice(dev, driver);
  const audiodev = `audiodev=${optValue(audioIdOf(def, dev))}`;
  const hda = HDA_MODELS.has(model);
  const argv = [
    "-device",
    `${driver},id=${optValue(alias)}${hda ? "" : `,${audiodev}`}${placement}`,
  ];
  if (!hda) return argv;
  const codecs = children(dev, "codec").map((c) => c.attributes.type);
  (codecs.length ? codecs : ["duplex"]).forEach((type, cad) =>
    argv.push(
      "-device",
      `hda-${type},id=${optValue(`${alias}-codec${cad}`)},bus=${
        optValue(`${alias}.0`)
      },cad=${cad},${audiodev}`,
    )
  );
  return argv;
}
