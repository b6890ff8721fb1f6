/**
 * `<audio>` backends (virDomainAudioDefParseXML / virDomainAudioDefFormat): the attributes each
 * backend type reads, with libvirt's checks, written back in its order; what a backend does not
 * read is not kept.
 *
 * @example
 * ```ts
 * import { parseAudio } from "./audio.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseAudio(parse("<audio id='1' type='file' path='/tmp/a.wav'/>")).attributes.path; // "/tmp/a.wav"
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { child, element, type XmlElement } from "../../util/xml/mod.ts";
import { xmlPropEnum, xmlPropInt, xmlPropUInt } from "../common/mod.ts";

const TYPES = [
  "none",
  "alsa",
  "coreaudio",
  "jack",
  "oss",
  "pulseaudio",
  "sdl",
  "spice",
  "file",
  "dbus",
] as const;
type AudioType = typeof TYPES[number];

const YES_NO = ["yes", "no"] as const;
const FORMATS = ["u8", "s8", "u16", "s16", "u32", "s32", "f32"];
const SDL_DRIVERS = ["esd", "alsa", "arts", "pulseaudio"];

const nonZero = (el: XmlElement, attr: string) =>
  xmlPropUInt(el, attr, undefined, { nonZero: true });

/** A number attribute written only when set (libvirt keeps 0 as "unset"). */
const num = (v: number | undefined) => v ? String(v) : undefined;

/** The attributes one direction's backend reads, in the order libvirt writes them. */
function backendAttrs(type: AudioType, el: XmlElement): Record<string, string | undefined> {
  const a = el.attributes;
  switch (type) {
    case "alsa":
      return { dev: a.dev };
    case "coreaudio":
    case "sdl":
      return { bufferCount: num(xmlPropUInt(el, "bufferCount")) };
    case "jack": {
      const exactName = xmlPropEnum(el, "exactName", YES_NO);
      return {
        serverName: a.serverName,
        clientName: a.clientName,
        connectPorts: a.connectPorts,
        exactName,
      };
    }
    case "oss": {
      const tryPoll = xmlPropEnum(el, "tryPoll", YES_NO);
      return { dev: a.dev, bufferCount: num(xmlPropUInt(el, "bufferCount")), tryPoll };
    }
    case "pulseaudio":
      return {
        name: a.name,
        streamName: a.streamName,
        latency: num(xmlPropUInt(el, "latency")),
      };
    default:
      return {};
  }
}

/** virDomainAudioCommonParse: what every backend reads of `<input>` / `<output>`. */
function parseCommon(el: XmlElement) {
  const mixingEngine = xmlPropEnum(el, "mixingEngine", YES_NO);
  const fixedSettings = xmlPropEnum(el, "fixedSettings", YES_NO);
  if (fixedSettings === "yes" && mixingEngine !== "yes") {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "fixed audio settings requires mixing engine",
    );
  }
  const voices = nonZero(el, "voices");
  const bufferLength = nonZero(el, "bufferLength");
  const settings = child(el, "settings");
  let settingsAttrs: Record<string, string | undefined> | undefined;
  if (settings) {
    if (fixedSettings !== "yes") {
      throw VirError.report(
        "DOMAIN",
        "CONFIG_UNSUPPORTED",
        "audio settings specified without fixed settings flag",
      );
    }
    settingsAttrs = {
      frequency: num(nonZero(settings, "frequency")),
      channels: num(nonZero(settings, "channels")),
      format: xmlPropEnum(settings, "format", FORMATS),
    };
  }
  return {
    attrs: { mixingEngine, fixedSettings, voices: num(voices), bufferLength: num(bufferLength) },
    settings: fixedSettings === "yes" ? settingsAttrs ?? {} : undefined,
  };
}

/** virDomainAudioCommonFormat: the direction's element, or nothing when nothing is set. */
function formatDirection(
  name: string,
  common: ReturnType<typeof parseCommon> | undefined,
  backend: Record<string, string | undefined>,
): XmlElement | undefined {
  const attrs = { ...common?.attrs, ...backend };
  if (!Object.values(attrs).some((v) => v !== undefined)) return undefined;
  const settings = common?.settings;
  return element(name, attrs, settings ? [element("settings", settings)] : []);
}

/**
 * Parses and canonicalises one `<audio>` element as libvirt 9.0 does.
 */
export function parseAudio(dev: XmlElement): XmlElement {
  const type = xmlPropEnum(dev, "type", TYPES, true)!;
  const id = xmlPropUInt(dev, "id", undefined, { required: true, nonZero: true })!;
  const timerPeriod = nonZero(dev, "timerPeriod");
  const input = child(dev, "input");
  const output = child(dev, "output");
  const inCommon = input && parseCommon(input);
  const outCommon = output && parseCommon(output);
  const attrs: Record<string, string | undefined> = {
    id: String(id),
    type,
    timerPeriod: num(timerPeriod),
  };
  if (type === "oss") {
    attrs.tryMMap = xmlPropEnum(dev, "tryMMap", YES_NO);
    attrs.exclusive = xmlPropEnum(dev, "exclusive", YES_NO);
    const policy = xmlPropInt(dev, "dspPolicy");
    if (policy !== undefined && policy < 0) {
      throw VirError.report("DOMAIN", "XML_ERROR", `cannot parse 'dspPolicy' value '${policy}'`);
    }
    attrs.dspPolicy = policy === undefined ? undefined : String(policy);
  } else if (type === "pulseaudio") {
    attrs.serverName = dev.attributes.serverName;
  } else if (type === "sdl") {
    attrs.driver = xmlPropEnum(dev, "driver", SDL_DRIVERS);
  } else if (type === "file") {
    attrs.path = dev.attributes.path;
  }
  const inBackend = input ? backendAttrs(type, input) : {};
  const outBackend = output ? backendAttrs(type, output) : {};
  const kids = [
    formatDirection("input", inCommon, inBackend),
    formatDirection("output", outCommon, outBackend),
  ];
  return element("audio", attrs, kids.filter((k): k is XmlElement => k !== undefined));
}

/**
 * The `<audio id>` reference of a `<sound>` or a VNC / D-Bus `<graphics>`: a required, non-zero
 * id (virXMLPropUInt), checked where libvirt reads it.
 *
 * @example
 * ```ts
 * import { checkAudioRef } from "./audio.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * checkAudioRef(parse("<sound model='ich6'><audio id='1'/></sound>")); // no error
 * ```
 */
export function checkAudioRef(dev: XmlElement): void {
  const ref = child(dev, "audio");
  if (ref) xmlPropUInt(ref, "id", undefined, { required: true, nonZero: true });
}
