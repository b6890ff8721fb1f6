import type { DriverConnection, DriverMethod } from "../util/driver.ts";
import { childText, parse } from "../util/xml/mod.ts";
import type { AclFamily, AclSubject } from "./acl.ts";
import { type ArgKind, METHOD_ARGS } from "./method_table.ts";

const KIND_FAMILY: Partial<Record<ArgKind, AclFamily>> = {
  dom: "domain",
  net: "network",
  pool: "storage_pool",
  vol: "storage_vol",
  dev: "node_device",
  iface: "interface",
  secret: "secret",
};

/** Calls that bring a new object into being from an XML first argument. */
const XML_CREATORS: Partial<Record<DriverMethod, AclFamily>> = {
  domainCreateXML: "domain",
  domainDefineXMLFlags: "domain",
  networkCreateXML: "network",
  networkDefineXMLFlags: "network",
  storagePoolCreateXML: "storage_pool",
  storagePoolDefineXML: "storage_pool",
  nodeDeviceCreateXML: "node_device",
  nodeDeviceDefineXML: "node_device",
  interfaceDefineXML: "interface",
  secretDefineXML: "secret",
};

const PREFIX_FAMILY: [string, AclFamily][] = [
  ["domain", "domain"],
  ["network", "network"],
  ["storagePool", "storage_pool"],
  ["storageVol", "storage_vol"],
  ["nodeDevice", "node_device"],
  ["interface", "interface"],
  ["secret", "secret"],
];

/** The ACL subject of a ref as the driver contract spells it. */
export function refSubject(family: AclFamily, ref: unknown): AclSubject {
  const r = ref as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  if (family === "storage_vol") return { family, name: `${str(r.pool)}/${str(r.name)}` };
  if (family === "secret") return { family, name: str(r.usageID), uuid: str(r.uuid) };
  return { family, name: str(r.name), uuid: str(r.uuid) };
}

/**
 * The object a call acts on before it runs: its first ref argument, or for a define/create the
 * name and UUID inside the XML. Undefined for calls about the host or a whole list.
 */
export function callSubject(
  method: DriverMethod,
  args: readonly unknown[],
): AclSubject | undefined {
  const kinds = METHOD_ARGS[method];
  const family = KIND_FAMILY[kinds[0]];
  if (family) return refSubject(family, args[0]);
  const xmlFamily = XML_CREATORS[method];
  if (xmlFamily) return xmlSubject(xmlFamily, args[0] as string);
  return undefined;
}

function xmlSubject(family: AclFamily, xml: string): AclSubject {
  try {
    const root = parse(xml);
    return { family, name: childText(root, "name")?.trim(), uuid: childText(root, "uuid")?.trim() };
  } catch {
    // Unparsable XML names nothing; the driver will report the XML error if the call is allowed.
    return { family };
  }
}

/**
 * The family of the object a lookup or create returns (`domainLookupByName` → domain), for
 * checking what the caller is about to be handed.
 */
export function resultFamily(method: DriverMethod): AclFamily | undefined {
  if (!/LookupBy|Lookup|Create|Define|Rename/.test(method)) return undefined;
  return PREFIX_FAMILY.find(([p]) => method.startsWith(p))?.[1];
}

type Allow = (s: AclSubject) => boolean;
type Filter = (
  result: unknown,
  args: readonly unknown[],
  allow: Allow,
  driver: DriverConnection,
) => Promise<unknown>;

const refs = (family: AclFamily): Filter => (result, _args, allow) =>
  Promise.resolve((result as unknown[]).filter((r) => allow(refSubject(family, r))));
const names = (family: AclFamily): Filter => (result, _args, allow) =>
  Promise.resolve((result as string[]).filter((name) => allow({ family, name })));

/** How each list call hides what the caller may not see. */
const LIST_FILTERS: Partial<Record<DriverMethod, Filter>> = {
  connectListAllDomains: refs("domain"),
  connectListAllNetworks: refs("network"),
  connectListAllStoragePools: refs("storage_pool"),
  storagePoolListAllVolumes: refs("storage_vol"),
  connectListAllNodeDevices: refs("node_device"),
  connectListAllInterfaces: refs("interface"),
  connectListAllSecrets: refs("secret"),
  connectListDefinedDomains: names("domain"),
  connectListNetworks: names("network"),
  connectListDefinedNetworks: names("network"),
  connectListStoragePools: names("storage_pool"),
  connectListDefinedStoragePools: names("storage_pool"),
  nodeListDevices: names("node_device"),
  connectListInterfaces: names("interface"),
  connectListDefinedInterfaces: names("interface"),
  connectListSecrets: (result, _args, allow) =>
    Promise.resolve((result as string[]).filter((uuid) => allow({ family: "secret", uuid }))),
  storagePoolListVolumes: (result, args, allow) => {
    const pool = (args[0] as { name: string }).name;
    return Promise.resolve(
      (result as string[]).filter((v) => allow({ family: "storage_vol", name: `${pool}/${v}` })),
    );
  },
  connectGetAllDomainStats: (result, _args, allow) =>
    Promise.resolve(
      (result as { dom: unknown }[]).filter((rec) => allow(refSubject("domain", rec.dom))),
    ),
  connectListDomains: async (result, _args, allow, driver) => {
    const visible: number[] = [];
    for (const id of result as number[]) {
      const ref = await driver.domainLookupByID?.(id).catch(() => undefined);
      if (ref && allow(refSubject("domain", ref))) visible.push(id);
    }
    return visible;
  },
};

/** Counts answered from the matching list, so that they agree with what the caller sees. */
export const COUNT_FROM_LIST: Partial<Record<DriverMethod, DriverMethod>> = {
  connectNumOfDomains: "connectListDomains",
  connectNumOfDefinedDomains: "connectListDefinedDomains",
  connectNumOfNetworks: "connectListNetworks",
  connectNumOfDefinedNetworks: "connectListDefinedNetworks",
  connectNumOfStoragePools: "connectListStoragePools",
  connectNumOfDefinedStoragePools: "connectListDefinedStoragePools",
  storagePoolNumOfVolumes: "storagePoolListVolumes",
  nodeNumOfDevices: "nodeListDevices",
  connectNumOfInterfaces: "connectListInterfaces",
  connectNumOfDefinedInterfaces: "connectListDefinedInterfaces",
  connectNumOfSecrets: "connectListSecrets",
};

/** Drops from a list result whatever `allow` rejects; other results pass unchanged. */
export function filterResult(
  method: DriverMethod,
  result: unknown,
  args: readonly unknown[],
  allow: Allow,
  driver: DriverConnection,
): Promise<unknown> {
  const f = LIST_FILTERS[method];
  return f && Array.isArray(result) ? f(result, args, allow, driver) : Promise.resolve(result);
}
