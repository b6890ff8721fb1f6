/**
 * The vocabulary of the contract: how one call is declared (arguments with kinds, result,
 * access, public-API checks), as data. Everything else — the driver types, the gateway's argument
 * and access checks, ACL filtering, OpenAPI, the client's method bodies — is derived from these
 * declarations.
 *
 * @module
 */
import type {
  DomainRef,
  DriverStream,
  InterfaceRef,
  NetworkPortRef,
  NetworkRef,
  NodeDeviceRef,
  NWFilterBindingRef,
  NWFilterRef,
  SecretRef,
  StoragePoolRef,
  StorageVolRef,
  TypedParams,
} from "./types.ts";

/** The wire type of each argument kind. */
export interface KindTypes {
  /** A `virDomainPtr`. */
  dom: DomainRef;
  /** A `virNetworkPtr`. */
  net: NetworkRef;
  /** A `virNetworkPortPtr`. */
  netport: NetworkPortRef;
  /** A `virStoragePoolPtr`. */
  pool: StoragePoolRef;
  /** A `virStorageVolPtr`. */
  vol: StorageVolRef;
  /** A `virNodeDevicePtr`. */
  dev: NodeDeviceRef;
  /** A `virInterfacePtr`. */
  iface: InterfaceRef;
  /** A `virSecretPtr`. */
  secret: SecretRef;
  /** A `virNWFilterPtr`. */
  nwfilter: NWFilterRef;
  /** A `virNWFilterBindingPtr`. */
  nwbinding: NWFilterBindingRef;
  /** XDR `int`: a C `int`. */
  int: number;
  /** XDR `unsigned int`: a C `unsigned int` (flags, counts). */
  uint: number;
  /** XDR `hyper`: a C `long long`, within JSON's exact integers. */
  long: number;
  /** XDR `unsigned hyper`: a C `unsigned long (long)` (KiB, bytes), within exact integers. */
  ulong: number;
  /** A `const char *` that may not be NULL on the wire. */
  str: string;
  /** A `const char *` that may be NULL. */
  "str?": string | null;
  /** A boolean (`int` used as one). */
  bool: boolean;
  /** A UUID string (any case, with or without dashes), canonicalised before the driver. */
  uuid: string;
  /** An array of strings. */
  "str[]": string[];
  /** An array of numbers. */
  "num[]": number[];
  /** A CPU map as booleans. */
  "bool[]": boolean[];
  /** A typed-parameter list, by field name. */
  params: TypedParams;
}

/** An argument kind. */
export type ArgKind = keyof KindTypes;

/** The argument kinds that are wire references to objects. */
export const REF_KINDS = [
  "dom",
  "net",
  "netport",
  "pool",
  "vol",
  "dev",
  "iface",
  "secret",
  "nwfilter",
  "nwbinding",
] as const;

/** An argument kind that is a wire reference to an object (one of {@link REF_KINDS}). */
export type RefKind = (typeof REF_KINDS)[number];

/** One declared argument: libvirt's C parameter name and the kind of value it carries. */
export interface Arg<K extends ArgKind = ArgKind> {
  /** libvirt's parameter name, as its error messages spell it (`nvcpus`, `xmlDesc`). */
  readonly name: string;
  /** What the argument carries on the wire. */
  readonly kind: K;
  /** The most elements (array, typed parameters) libvirt's remote protocol carries. */
  readonly max?: number;
  /** Host files the caller names through this argument (see {@link FileArg}). */
  readonly files?: FileArg;
}

/**
 * How an argument names host files for the caller: `path` (it is one: a save image, a dump's
 * destination, a disk's source), `xml` (a document naming some: a copy's destination, a
 * snapshot's memory file, a pool's target) or `definition` (the object's definition, from the
 * caller's own define, names some: a pool's target directory). The gateway answers a system
 * error about such a file (missing, a directory, unreadable) as the caller's mistake, a 4xx,
 * where other system errors are the host's (`gateway/http_status.ts`).
 */
export type FileArg = "path" | "xml" | "definition";

/** The ACL families of objects. */
export const ACL_FAMILIES = [
  "domain",
  "network",
  "network_port",
  "storage_pool",
  "storage_vol",
  "node_device",
  "interface",
  "secret",
  "nwfilter",
  "nwfilter_binding",
] as const;

/** The ACL family of an object (one of {@link ACL_FAMILIES}). */
export type AclFamily = (typeof ACL_FAMILIES)[number];

/**
 * What a call returns, and so how the gateway hides from it what a caller may not see: a single
 * object (`ref`, checked), a list of objects or of their names/uuids/ids (`list`, filtered), a
 * count answered from the matching list (`count`), nothing, or plain data.
 */
export interface Result<T = unknown> {
  /** Carries the TypeScript type only; never set. */
  readonly __type?: T;
  /** How the result is shaped. */
  readonly shape: ResultShape;
}

/** The shapes a result takes (see {@link Result}). */
export type ResultShape =
  | { readonly kind: "none" }
  | { readonly kind: "data" }
  | { readonly kind: "ref"; readonly of: RefKind }
  | { readonly kind: "list"; readonly of: ListOf }
  | { readonly kind: "count"; readonly from: string }
  | { readonly kind: "stream"; readonly flow: StreamFlow };

/**
 * Which way a stream call's data goes, from its caller's side: `send` (`virStreamSend`: an
 * upload), `recv` (`virStreamRecv`: a download, a screenshot) or `both` (a console).
 */
export type StreamFlow = (typeof STREAM_FLOWS)[number];

/** The stream flows (see {@link StreamFlow}). */
export const STREAM_FLOWS = ["send", "recv", "both"] as const;

/** What a list result holds, for filtering it by the caller's rights. */
export type ListOf =
  | { readonly refs: RefKind }
  | { readonly names: AclFamily }
  | { readonly uuids: AclFamily }
  | "volNames"
  | "domainIds"
  | "domainStats";

/**
 * One public-API check, in the order libvirt's entry point runs them. Flag names are `VIR`
 * constant names without the `VIR_` prefix; `arg` is the index of the declared argument the
 * check reads.
 */
export type Check =
  | {
    readonly check: "readonly";
    /** Only when this flag is set. */
    readonly ifFlag?: string;
    /** Only when argument `[0]` equals `[1]`. */
    readonly ifArg?: readonly [number, number];
    /** libvirt's "virXxx with secure flag" refusal of XML with passwords. */
    readonly secure?: boolean;
  }
  | {
    readonly check:
      | "nonNull"
      | "isNull"
      | "nonZero"
      | "zero"
      | "nonNegative"
      | "positive"
      | "nonEmpty";
    readonly arg: number;
    /** Check the argument's length (array size, typed-parameter count) rather than its value. */
    readonly length?: string;
  }
  | { readonly check: "requireFlag" | "exclusiveFlags"; readonly flags: readonly [string, string] }
  | {
    readonly check: "custom";
    readonly run: CustomCheck;
    /**
     * A limit of libvirt's remote protocol (`remote_driver.c`), not of the public API: checked
     * only where a call crosses the wire (the gateway), after the public checks.
     */
    readonly wire?: boolean;
  };

/**
 * A check that is not one of libvirt's macros: gets the arguments and the API name and throws
 * libvirt's error (built with {@link CheckErrors}) or returns.
 */
export type CustomCheck = (
  args: readonly unknown[],
  api: string,
  fail: CheckErrors,
) => void;

/** The two ways libvirt's public API reports a bad argument. */
export interface CheckErrors {
  /** `virReportInvalidArg`: the bare message, `VIR_ERR_INVALID_ARG`. */
  invalidArg(message: string): never;
  /**
   * `virReportError(code, …)`: the code's standard prefix before the message; `domain` when it
   * is not the call's own (the remote driver's limits are `VIR_FROM_REMOTE`).
   */
  report(code: string, message: string, domain?: string): never;
}

/**
 * What a caller needs for a call at the gateway: `read` (any authenticated caller), `write` (a
 * full token: libvirt's read-write socket), `secret` (also full only: reads libvirt refuses on
 * its read-only socket, and host-path probing), or an XML read that is `secret` only when the
 * flags argument at `secureFlagsAt` carries libvirt's `…_XML_SECURE` bit.
 */
export type AccessRule = "read" | "write" | "secret" | { readonly secureFlagsAt: number };

/** The error domain of libvirt's public API file a call belongs to (its `VIR_FROM_THIS`). */
export type ApiFamily =
  | "NONE"
  | "DOMAIN"
  | "DOMAIN_SNAPSHOT"
  | "DOMAIN_CHECKPOINT"
  | "NETWORK"
  | "STORAGE"
  | "NODEDEV"
  | "INTERFACE"
  | "SECRET"
  | "NWFILTER";

/** One call of the contract. */
export interface CallDecl {
  /** The arguments, in wire order. */
  readonly args: readonly Arg[];
  /** What it returns. */
  readonly result: Result;
  /** What a gateway caller needs. */
  readonly access: AccessRule;
  /** libvirt's public-API checks, in libvirt's order. */
  readonly checks?: readonly Check[];
  /**
   * libvirt's public API name when it is not `vir` + the method name (`nwfilterLookupByName`
   * is `virNWFilterLookupByName`).
   */
  readonly api?: string;
  /** The error domain when it is not the family's (snapshot and checkpoint calls, host calls). */
  readonly family?: ApiFamily;
  /** Brings a new object of this family into being from the XML in its first argument. */
  readonly creates?: AclFamily;
}

/** A family's declarations by driver method name. */
export type CallTable = { readonly [method: string]: CallDecl };

const byKey = <K extends string, V>(keys: readonly K[], make: (key: K) => V): Record<K, V> =>
  Object.fromEntries(keys.map((k) => [k, make(k)])) as Record<K, V>;

/** The results a declaration picks from (see {@link r}). */
export interface Results {
  /** Nothing (`void`). */
  readonly none: Result<void>;
  /** Plain data; a declaration names its type: `r.data as Result<NodeInfo>`. */
  readonly data: Result<unknown>;
  /** One object, checked against the caller's rights at the gateway. */
  readonly ref: { readonly [K in RefKind]: Result<KindTypes[K]> };
  /** A list of objects, filtered by the caller's rights at the gateway. */
  readonly refs: { readonly [K in RefKind]: Result<KindTypes[K][]> };
  /** A list of names, filtered by the caller's rights. */
  readonly names: { readonly [F in AclFamily]: Result<string[]> };
  /** A list of UUIDs, filtered by the caller's rights. */
  readonly uuids: { readonly [F in AclFamily]: Result<string[]> };
  /** A pool's volume names, filtered by the caller's rights. */
  readonly volNames: Result<string[]>;
  /** The running domains' ids, filtered by the caller's rights. */
  readonly domainIds: Result<number[]>;
  /** Statistics records, filtered by the caller's rights; typed as `data` is. */
  readonly domainStats: Result<unknown>;
  /** The call binds a stream (`virStorageVolUpload`, `virDomainOpenConsole`): its data side. */
  readonly stream: { readonly [F in StreamFlow]: Result<DriverStream> };
}

/**
 * The results of declarations, by shape. Declarations are plain data (so that their types are
 * explicit to JSR's type checker); a count is spelt
 * `{ shape: { kind: "count", from: "connectListDomains" } } as Result<number>`.
 *
 * @example
 * ```ts
 * import { r } from "./declare.ts";
 * r.refs.dom; // a list of domains, filtered by the caller's rights at the gateway
 * ```
 */
export const r: Results = {
  none: { shape: { kind: "none" } },
  data: { shape: { kind: "data" } },
  ref: byKey(REF_KINDS, (of) => ({ shape: { kind: "ref", of } })),
  refs: byKey(REF_KINDS, (refs) => ({ shape: { kind: "list", of: { refs } } })),
  names: byKey(ACL_FAMILIES, (names) => ({ shape: { kind: "list", of: { names } } })),
  uuids: byKey(ACL_FAMILIES, (uuids) => ({ shape: { kind: "list", of: { uuids } } })),
  volNames: { shape: { kind: "list", of: "volNames" } },
  domainIds: { shape: { kind: "list", of: "domainIds" } },
  domainStats: { shape: { kind: "list", of: "domainStats" } },
  stream: byKey(STREAM_FLOWS, (flow) => ({ shape: { kind: "stream", flow } })),
};

/** The TypeScript argument tuple of a declaration's `args`. */
export type ArgTypes<A extends readonly Arg[]> = {
  -readonly [I in keyof A]: A[I] extends Arg<infer K> ? KindTypes[K] : never;
};

/** The driver function type a declaration stands for. */
export type Impl<D extends CallDecl> = D["result"] extends Result<infer T>
  ? (...args: ArgTypes<D["args"]>) => Promise<T>
  : never;
