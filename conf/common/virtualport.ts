import { z } from "zod";
import { VirError } from "../../util/errors.ts";
import { child, element, type XmlElement } from "../../util/xml/mod.ts";
import { parseUInt } from "./values.ts";
import { parseUUID } from "./uuid.ts";

const VPORT_TYPES = ["802.1Qbg", "802.1Qbh", "openvswitch", "midonet"] as const;

/** `<virtualport>`: a virtual port profile (virNetDevVPortProfile). */
export const VirtualPortSchema = z.strictObject({
  type: z.enum(VPORT_TYPES).optional(),
  managerId: z.number().int().optional(),
  typeId: z.number().int().optional(),
  typeIdVersion: z.number().int().optional(),
  instanceId: z.string().optional(),
  profileId: z.string().optional(),
  interfaceId: z.string().optional(),
});
/** A virtual port profile. */
export type VirtualPort = z.infer<typeof VirtualPortSchema>;

/**
 * Which parameters each port type may carry (virNetDevVPortProfileCheckNoExtras, which leaves
 * midonet unchecked).
 */
const ALLOWED: Record<string, (keyof VirtualPort)[]> = {
  "802.1Qbg": ["managerId", "typeId", "typeIdVersion", "instanceId"],
  "802.1Qbh": ["profileId"],
  openvswitch: ["profileId", "interfaceId"],
};
const ATTR_NAMES: Record<string, string> = {
  managerId: "managerid",
  typeId: "typeid",
  typeIdVersion: "typeidversion",
  instanceId: "instanceid",
  profileId: "profileid",
  interfaceId: "interfaceid",
};

/** The flags of virNetDevVPortProfileParse beyond VIR_VPORT_XML_REQUIRE_TYPE. */
export interface VirtualPortFlags {
  /** VIR_VPORT_XML_GENERATE_MISSING_DEFAULTS: random instance and interface ids where due. */
  generateMissing?: boolean;
  /** VIR_VPORT_XML_REQUIRE_ALL_ATTRIBUTES: the type's parameters are all given. */
  requireAll?: boolean;
}

/**
 * The parameters each port type needs, in the order virNetDevVPortProfileCheckComplete asks
 * for them (profileid is optional for openvswitch).
 */
const REQUIRED: Record<string, (keyof VirtualPort)[]> = {
  "802.1Qbg": ["managerId", "typeId", "typeIdVersion", "instanceId"],
  "802.1Qbh": ["profileId"],
  openvswitch: ["interfaceId"],
  midonet: ["interfaceId"],
};

/** The port types virNetDevVPortProfileFormat writes each parameter for (and an untyped port). */
const WRITTEN: Record<keyof Omit<VirtualPort, "type">, string[]> = {
  managerId: ["802.1Qbg"],
  typeId: ["802.1Qbg"],
  typeIdVersion: ["802.1Qbg"],
  instanceId: ["802.1Qbg"],
  interfaceId: ["midonet", "openvswitch"],
  profileId: ["openvswitch", "802.1Qbh"],
};

/**
 * libvirt's virNetDevVPortProfileParse. `requireType` is VIR_VPORT_XML_REQUIRE_TYPE, `flags`
 * the others (a domain interface's, by its type).
 *
 * @example
 * ```ts
 * import { parseVirtualPort } from "./virtualport.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseVirtualPort(parse("<virtualport type='openvswitch'/>"), true).type;
 * // "openvswitch"
 * ```
 */
export function parseVirtualPort(
  el: XmlElement,
  requireType: boolean,
  flags: VirtualPortFlags = {},
): VirtualPort {
  // netdev_vport_profile_conf.c reports from VIR_FROM_NONE whoever parses the port.
  const fail = (code: string, msg: string) => VirError.report("NONE", code, msg);
  const vp: VirtualPort = {};
  const type = el.attributes.type;
  if (type !== undefined) {
    if (!(VPORT_TYPES as readonly string[]).includes(type)) {
      throw fail("CONFIG_UNSUPPORTED", `unknown virtualport type ${type}`);
    }
    vp.type = type as VirtualPort["type"];
  } else if (requireType) {
    throw fail("XML_ERROR", "missing required virtualport type");
  }
  const params = child(el, "parameters")?.attributes ?? {};
  const int = (name: string, max: number, of = "of"): number | undefined => {
    const raw = params[name];
    if (raw === undefined) return undefined;
    // virStrToLong_ui with base 0: C's 0x (hex) and 0 (octal) prefixes count.
    const base = /^\s*[+-]?0[xX]/.test(raw) ? 16 : /^\s*[+-]?0[0-9]/.test(raw) ? 8 : 10;
    const v = parseUInt(raw, base);
    if (v === undefined) throw fail("XML_ERROR", `cannot parse value of ${name} parameter`);
    if (v > max) throw fail("XML_ERROR", `value ${of} ${name} out of range`);
    return v;
  };
  const uuid = (name: string): string | undefined => {
    const raw = params[name];
    if (raw === undefined) return undefined;
    const v = parseUUID(raw);
    if (v === undefined) throw fail("XML_ERROR", `cannot parse ${name} parameter as a uuid`);
    return v;
  };
  vp.managerId = int("managerid", 0xff);
  vp.typeId = int("typeid", 0xffffff, "for");
  vp.typeIdVersion = int("typeidversion", 0xff);
  vp.instanceId = uuid("instanceid");
  if (params.profileid !== undefined) {
    if (params.profileid.length >= 40) throw fail("XML_ERROR", "profileid parameter too long");
    // An empty profile id is none (libvirt tests its first character).
    if (params.profileid) vp.profileId = params.profileid;
  }
  vp.interfaceId = uuid("interfaceid");
  if (flags.generateMissing) {
    if (vp.instanceId === undefined && (vp.type === undefined || vp.type === "802.1Qbg")) {
      vp.instanceId = crypto.randomUUID();
    }
    if (vp.interfaceId === undefined && (vp.type === undefined || vp.type === "openvswitch")) {
      vp.interfaceId = crypto.randomUUID();
    }
  }
  for (const k of Object.keys(vp) as (keyof VirtualPort)[]) {
    if (vp[k] === undefined) delete vp[k];
  }
  // virNetDevVPortProfileCheckComplete (util/virnetdevvportprofile.c: VIR_FROM_NET).
  const missing = flags.requireAll && vp.type && REQUIRED[vp.type].find((k) => vp[k] === undefined);
  if (missing) {
    throw VirError.report(
      "NET",
      "XML_ERROR",
      `missing ${ATTR_NAMES[missing]} in <virtualport type='${vp.type}'>`,
    );
  }
  const allowed = vp.type && ALLOWED[vp.type];
  if (allowed) {
    for (const key of Object.keys(ATTR_NAMES) as (keyof VirtualPort)[]) {
      if (vp[key] !== undefined && !allowed.includes(key)) {
        // The check lives in util/virnetdevvportprofile.c (VIR_FROM_NET).
        throw VirError.report(
          "NET",
          "XML_ERROR",
          `extra ${ATTR_NAMES[key]} unsupported in <virtualport type='${vp.type}'>`,
        );
      }
    }
  }
  return vp;
}

/**
 * libvirt's virNetDevVPortProfileFormat: without parameters it is `<virtualport type='…'/>`, and
 * nothing at all when it has no type either; a typed port writes only its type's parameters.
 *
 * @example
 * ```ts
 * import { formatVirtualPort } from "./virtualport.ts";
 * formatVirtualPort({ type: "802.1Qbh", profileId: "p" }).children.length; // 1
 * ```
 */
export function formatVirtualPort(vp: VirtualPort): XmlElement | undefined {
  const hasParams = Object.keys(WRITTEN).some((k) => vp[k as keyof VirtualPort] !== undefined);
  const written = (k: keyof typeof WRITTEN) =>
    vp.type === undefined || WRITTEN[k].includes(vp.type) ? vp[k] : undefined;
  const params = element("parameters", {
    managerid: written("managerId"),
    typeid: written("typeId"),
    typeidversion: written("typeIdVersion"),
    instanceid: written("instanceId"),
    interfaceid: written("interfaceId"),
    profileid: written("profileId"),
  });
  if (vp.type === undefined && !hasParams) return undefined;
  return element("virtualport", { type: vp.type }, [hasParams && params]);
}
