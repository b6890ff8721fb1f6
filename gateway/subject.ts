import type { DriverConnection } from "../util/driver.ts";
import {
  type ArgKind,
  type CallInfo,
  type DriverMethod,
  type ListOf,
  REF_SHAPES,
} from "../util/contract/mod.ts";
import { childText, parse } from "../util/xml/mod.ts";
import type { AclFamily, AclSubject } from "./acl.ts";

const KIND_FAMILY = (kind: ArgKind): AclFamily | undefined =>
  (REF_SHAPES as Partial<Record<ArgKind, { acl: AclFamily }>>)[kind]?.acl;

/** The ACL subject of a ref as the driver contract spells it. */
export function refSubject(family: AclFamily, ref: unknown): AclSubject {
  const r = ref as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  if (family === "storage_vol") return { family, name: `${str(r.pool)}/${str(r.name)}` };
  if (family === "secret") return { family, name: str(r.usageID), uuid: str(r.uuid) };
  if (family === "nwfilter_binding") return { family, name: str(r.portdev) };
  // As libvirt's network_port ACL attributes: the network's name, the port's own UUID.
  if (family === "network_port") return { family, name: str(r.network), uuid: str(r.uuid) };
  return { family, name: str(r.name), uuid: str(r.uuid) };
}

/**
 * How to find the object a wire reference designates, by the key the drivers act on (the UUID
 * where there is one), so that ACLs judge the object itself rather than the name a caller wrote
 * beside its UUID.
 */
const RESOLVE: Partial<
  Record<ArgKind, (driver: DriverConnection, ref: Record<string, string>) => Promise<unknown>>
> = {
  dom: (d, r) => d.domainLookupByUUID?.(r.uuid) ?? Promise.reject(),
  net: (d, r) => d.networkLookupByUUID?.(r.uuid) ?? Promise.reject(),
  pool: (d, r) => d.storagePoolLookupByUUID?.(r.uuid) ?? Promise.reject(),
  vol: (d, r) => d.storageVolLookupByKey?.(r.key) ?? Promise.reject(),
  secret: (d, r) => d.secretLookupByUUID?.(r.uuid) ?? Promise.reject(),
  nwfilter: (d, r) => d.nwfilterLookupByUUID?.(r.uuid) ?? Promise.reject(),
};

/**
 * The object a call's first reference designates, as the driver knows it: the ACL subject of
 * the object the driver will act on. Undefined when the call has no reference, or the driver
 * cannot find the object (then the call itself fails without touching anything).
 */
export async function actedOnSubject(
  driver: DriverConnection,
  info: CallInfo,
  args: readonly unknown[],
): Promise<AclSubject | undefined> {
  const first = info.decl.args[0];
  const family = first && KIND_FAMILY(first.kind);
  const resolve = first && RESOLVE[first.kind];
  if (!family || !resolve) return undefined;
  const found = await resolve(driver, args[0] as Record<string, string>).catch(() => undefined);
  return found && typeof found === "object" ? refSubject(family, found) : undefined;
}

/**
 * The object a call acts on before it runs: its first ref argument, or for a define/create the
 * name and UUID inside the XML. Undefined for calls about the host or a whole list.
 */
export function callSubject(info: CallInfo, args: readonly unknown[]): AclSubject | undefined {
  const first = info.decl.args[0];
  const family = first && KIND_FAMILY(first.kind);
  if (family) return refSubject(family, args[0]);
  if (info.decl.creates) return xmlSubject(info.decl.creates, args[0] as string);
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
 * The family of the object a call returns (`domainLookupByName` → domain), for checking what
 * the caller is about to be handed.
 */
export function resultFamily(info: CallInfo): AclFamily | undefined {
  const shape = info.decl.result.shape;
  return shape.kind === "ref" ? KIND_FAMILY(shape.of) : undefined;
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

/** How a list result hides what the caller may not see, from what the list holds. */
function listFilter(of: ListOf): Filter {
  if (of === "volNames") {
    return (result, args, allow) => {
      const pool = (args[0] as { name: string }).name;
      return Promise.resolve(
        (result as string[]).filter((v) => allow({ family: "storage_vol", name: `${pool}/${v}` })),
      );
    };
  }
  if (of === "domainStats") {
    return (result, _args, allow) =>
      Promise.resolve(
        (result as { dom: unknown }[]).filter((rec) => allow(refSubject("domain", rec.dom))),
      );
  }
  if (of === "domainIds") {
    return async (result, _args, allow, driver) => {
      const visible: number[] = [];
      for (const id of result as number[]) {
        const ref = await driver.domainLookupByID?.(id).catch(() => undefined);
        if (ref && allow(refSubject("domain", ref))) visible.push(id);
      }
      return visible;
    };
  }
  if ("refs" in of) return refs(REF_SHAPES[of.refs].acl);
  if ("uuids" in of) {
    const family = of.uuids;
    return (result, _args, allow) =>
      Promise.resolve((result as string[]).filter((uuid) => allow({ family, uuid })));
  }
  const family = of.names;
  return (result, _args, allow) =>
    Promise.resolve((result as string[]).filter((name) => allow({ family, name })));
}

/** The list call a count is answered from, so that they agree with what the caller sees. */
export function countFrom(info: CallInfo): DriverMethod | undefined {
  const shape = info.decl.result.shape;
  return shape.kind === "count" ? shape.from as DriverMethod : undefined;
}

/** Drops from a list result whatever `allow` rejects; other results pass unchanged. */
export function filterResult(
  info: CallInfo,
  result: unknown,
  args: readonly unknown[],
  allow: Allow,
  driver: DriverConnection,
): Promise<unknown> {
  const shape = info.decl.result.shape;
  if (shape.kind !== "list" || !Array.isArray(result)) return Promise.resolve(result);
  return listFilter(shape.of)(result, args, allow, driver);
}
