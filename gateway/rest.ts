import type { DriverMethod } from "../util/driver.ts";
import type { DocumentKind } from "./models.ts";

/** How one REST action maps onto a driver call, given the object's ref and the query. */
export type ActionCall = (ref: unknown, q: URLSearchParams) => [DriverMethod, unknown[]];

/** A REST collection (`/domains`, `/networks`, …) over the driver's RPC methods. */
export interface Resource {
  /** Path segment under `/v1/{driver}/{path}/`. */
  segment: string;
  /** Object kind for documentation. */
  title: string;
  list: DriverMethod;
  /** Looks an object up by the path's `{name}` (a UUID for secrets). */
  lookup: DriverMethod;
  xml: DriverMethod;
  /** The kind of that XML document, for its JSON model. */
  model: DocumentKind;
  info?: DriverMethod;
  /** Whether an object runs, for objects without an info call that says so (lists show it). */
  active?: DriverMethod;
  /** `POST` of an XML document: define (persistent) … */
  define: DriverMethod;
  /** … or, with `?transient=1`, create and start. */
  create?: DriverMethod;
  undefine: ActionCall;
  actions: Record<string, ActionCall>;
  /** Actions that may take long (answered with an operation, see `operation_routes.ts`). */
  long?: readonly string[];
  /** Cancels a long action's work (libvirt's job abort), by action. */
  abort?: Record<string, ActionCall>;
  /** A long action's progress (libvirt's job info). */
  progress?: ActionCall;
}

/** The `flags` query parameter (a number; 0 when absent). */
export function flagsOf(q: URLSearchParams): number {
  const f = Number(q.get("flags") ?? 0);
  return Number.isInteger(f) ? f : NaN;
}

const withFlags = (m: DriverMethod): ActionCall => (ref, q) => [m, [ref, flagsOf(q)]];
const plain = (m: DriverMethod): ActionCall => (ref) => [m, [ref]];

/** A snapshot's XML: libvirt names it (the creation time) when `name` is absent. */
function snapshotXml(name: string | null): string {
  if (name === null) return "<domainsnapshot/>";
  const text = name.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return `<domainsnapshot><name>${text}</name></domainsnapshot>`;
}

/** Every REST collection the gateway serves. Volumes nest under pools (see {@link VOLUMES}). */
export const RESOURCES: Resource[] = [
  {
    segment: "domains",
    title: "domain",
    list: "connectListAllDomains",
    lookup: "domainLookupByName",
    xml: "domainGetXMLDesc",
    model: "domain",
    info: "domainGetInfo",
    define: "domainDefineXMLFlags",
    create: "domainCreateXML",
    undefine: withFlags("domainUndefineFlags"),
    actions: {
      start: withFlags("domainCreateWithFlags"),
      shutdown: withFlags("domainShutdownFlags"),
      destroy: withFlags("domainDestroyFlags"),
      reboot: withFlags("domainReboot"),
      reset: withFlags("domainReset"),
      suspend: plain("domainSuspend"),
      resume: plain("domainResume"),
      vcpus: (ref, q) => ["domainSetVcpusFlags", [ref, Number(q.get("count")), flagsOf(q)]],
      memory: (ref, q) => ["domainSetMemoryFlags", [ref, Number(q.get("kib")), flagsOf(q)]],
      save: (ref, q) => ["domainSaveFlags", [ref, q.get("to"), null, flagsOf(q)]],
      managedsave: withFlags("domainManagedSave"),
      snapshot: (
        ref,
        q,
      ) => ["domainSnapshotCreateXML", [ref, snapshotXml(q.get("name")), flagsOf(q)]],
    },
    long: ["start", "save", "managedsave", "snapshot"],
    abort: { save: plain("domainAbortJob"), managedsave: plain("domainAbortJob") },
    progress: plain("domainGetJobInfo"),
  },
  {
    segment: "networks",
    title: "network",
    list: "connectListAllNetworks",
    lookup: "networkLookupByName",
    xml: "networkGetXMLDesc",
    model: "network",
    active: "networkIsActive",
    define: "networkDefineXMLFlags",
    create: "networkCreateXML",
    undefine: plain("networkUndefine"),
    actions: { start: plain("networkCreate"), destroy: plain("networkDestroy") },
  },
  {
    segment: "pools",
    title: "storage pool",
    list: "connectListAllStoragePools",
    lookup: "storagePoolLookupByName",
    xml: "storagePoolGetXMLDesc",
    model: "pool",
    info: "storagePoolGetInfo",
    define: "storagePoolDefineXML",
    create: "storagePoolCreateXML",
    undefine: plain("storagePoolUndefine"),
    actions: {
      start: withFlags("storagePoolCreate"),
      destroy: plain("storagePoolDestroy"),
      build: withFlags("storagePoolBuild"),
      refresh: withFlags("storagePoolRefresh"),
    },
  },
  {
    segment: "interfaces",
    title: "host interface",
    list: "connectListAllInterfaces",
    lookup: "interfaceLookupByName",
    xml: "interfaceGetXMLDesc",
    model: "interface",
    active: "interfaceIsActive",
    define: "interfaceDefineXML",
    undefine: plain("interfaceUndefine"),
    actions: { start: withFlags("interfaceCreate"), destroy: withFlags("interfaceDestroy") },
  },
  {
    segment: "nodedevices",
    title: "node device",
    list: "connectListAllNodeDevices",
    lookup: "nodeDeviceLookupByName",
    xml: "nodeDeviceGetXMLDesc",
    model: "device",
    active: "nodeDeviceIsActive",
    define: "nodeDeviceDefineXML",
    create: "nodeDeviceCreateXML",
    undefine: withFlags("nodeDeviceUndefine"),
    actions: { start: withFlags("nodeDeviceCreate"), destroy: plain("nodeDeviceDestroy") },
  },
  {
    segment: "secrets",
    title: "secret",
    list: "connectListAllSecrets",
    lookup: "secretLookupByUUID",
    xml: "secretGetXMLDesc",
    model: "secret",
    define: "secretDefineXML",
    undefine: plain("secretUndefine"),
    actions: {},
  },
];

/** Volumes of a pool: `/pools/{pool}/volumes[/{name}]`. */
export const VOLUMES = {
  model: "volume",
  list: "storagePoolListAllVolumes",
  lookup: "storageVolLookupByName",
  xml: "storageVolGetXMLDesc",
  info: "storageVolGetInfo",
  create: "storageVolCreateXML",
  delete: "storageVolDelete",
} as const satisfies { model: DocumentKind } & Record<string, DriverMethod | DocumentKind>;
