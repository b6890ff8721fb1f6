import type { z } from "zod";
import {
  domainFromModel,
  type DomainModel,
  domainToModel,
  formatDomainXML,
  parseDomainXML,
} from "../conf/domain/mod.ts";
import { formatInterfaceXML, type InterfaceDef, parseInterfaceXML } from "../conf/interface/mod.ts";
import { MODEL_SCHEMAS } from "../conf/json_schema.ts";
import { readQemuNamespace } from "../conf/domain/qemu_namespace.ts";
import { formatNetworkXML, type NetworkDef, parseNetworkXML } from "../conf/network/mod.ts";
import {
  formatNodeDeviceXML,
  type NodeDeviceDef,
  parseNodeDeviceXML,
} from "../conf/node_device/mod.ts";
import { formatSecretXML, parseSecretXML, type SecretDef } from "../conf/secret/mod.ts";
import {
  formatStoragePoolXML,
  parseStoragePoolXML,
  type StoragePoolDef,
} from "../conf/storage_pool/mod.ts";
import {
  formatStorageVolXML,
  parseStorageVolXML,
  type StorageVolDef,
} from "../conf/storage_vol/mod.ts";
import { VIR } from "../util/constants.ts";
import { VirError } from "../util/errors.ts";

/** The document kinds the REST resources exchange, as `conf/json_schema.ts` names them. */
export type DocumentKind =
  | "domain"
  | "network"
  | "pool"
  | "volume"
  | "interface"
  | "secret"
  | "device";

/** Turns a driver's XML document into its JSON model and back. */
export interface ModelCodec {
  /** The driver's XML, parsed by conf into the model. */
  toModel(xml: string): unknown;
  /** A JSON body, validated against the model's zod schema, formatted as XML for the driver. */
  toXml(body: unknown): string;
}

/**
 * Parse and format per kind. A definition is formatted inactive (a live id or state means
 * nothing to define) and, for domains, secure: the client sent its passwords to have them kept.
 * A volume's XML depends on its pool's type, so its codec needs the pool's definition.
 *
 * `strict` checks the XML of a kind whose model keeps element trees that libvirt's parser
 * reduces (a domain's devices, `<os>` extras, …): an element or attribute there that libvirt
 * does not know would be dropped, where the model refuses every unknown field, so it is refused
 * as the same document defined with VALIDATE is (`Extra element devices in interleave`).
 */
const CODECS: {
  [K in DocumentKind]: {
    parse(xml: string, pool: StoragePoolDef): unknown;
    format(def: z.output<(typeof MODEL_SCHEMAS)[K]>, pool: StoragePoolDef): string;
    strict?(xml: string): void;
  };
} = {
  domain: {
    // The QEMU namespace read whatever the driver: each driver's own parser keeps or drops it.
    parse: (xml) =>
      domainToModel(parseDomainXML(xml, 0, false, false, { namespace: readQemuNamespace })),
    format: (model: DomainModel) =>
      formatDomainXML(domainFromModel(model), VIR.DOMAIN_XML_INACTIVE | VIR.DOMAIN_XML_SECURE),
    strict: (xml) => parseDomainXML(xml, VIR.DOMAIN_DEFINE_VALIDATE),
  },
  network: {
    parse: (xml) => parseNetworkXML(xml),
    format: (def: NetworkDef) => formatNetworkXML(def, VIR.NETWORK_XML_INACTIVE),
  },
  pool: { parse: (xml) => parseStoragePoolXML(xml), format: (def) => formatStoragePoolXML(def) },
  volume: {
    parse: (xml, pool) => parseStorageVolXML(pool, xml),
    format: (def: StorageVolDef, pool) => formatStorageVolXML(pool, def),
  },
  interface: {
    parse: (xml) => parseInterfaceXML(xml),
    format: (def: InterfaceDef) => formatInterfaceXML(def),
  },
  secret: { parse: (xml) => parseSecretXML(xml), format: (def: SecretDef) => formatSecretXML(def) },
  device: {
    parse: (xml) => parseNodeDeviceXML(xml),
    format: (def: NodeDeviceDef) => formatNodeDeviceXML(def),
  },
};

const at = (path: readonly PropertyKey[]) => path.length ? path.join(".") : "(root)";

/**
 * One problem per unknown field, at the field's own path (zod reports them by object), so
 * that a caller sees every field the model refuses rather than drops.
 */
function describeIssue(issue: z.core.$ZodIssue): string[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => `${at([...issue.path, key])}: unknown field`);
  }
  // A bad key of a record (an XML tree's attribute name) says why, not just that it is bad.
  if (issue.code === "invalid_key") {
    return issue.issues.map((i) => `${at(issue.path)}: ${i.message}`);
  }
  return [`${at(issue.path)}: ${issue.message}`];
}

/**
 * The codec of one document kind; a volume's takes its pool's definition.
 *
 * @example
 * ```ts
 * import { modelCodec } from "./models.ts";
 * const net = modelCodec("network").toModel("<network><name>n</name></network>");
 * modelCodec("network").toXml(net).startsWith("<network"); // true
 * ```
 */
export function modelCodec(kind: DocumentKind, pool?: StoragePoolDef): ModelCodec {
  const codec = CODECS[kind] as {
    parse(xml: string, pool?: StoragePoolDef): unknown;
    format(def: unknown, pool?: StoragePoolDef): string;
    strict?(xml: string): void;
  };
  return {
    toModel: (xml) => codec.parse(xml, pool),
    toXml(body) {
      const checked = MODEL_SCHEMAS[kind].safeParse(body);
      if (!checked.success) {
        // Every problem at once, each at its path, so that one round trip fixes the body.
        const problems = checked.error.issues.flatMap(describeIssue);
        throw VirError.report(
          "RPC",
          "INVALID_ARG",
          `the body is not a valid ${kind} model: ${problems.join("; ")}`,
        );
      }
      const xml = codec.format(checked.data, pool);
      codec.strict?.(xml);
      return xml;
    },
  };
}
