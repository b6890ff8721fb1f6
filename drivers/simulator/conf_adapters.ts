/**
 * The test driver's single doorway to the `conf/` parsers and formatters, with the test
 * driver's post-parse steps (libvirt runs them inside its parse calls through the driver's
 * `virDomainXMLOption` callbacks).
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { formatDomainXML, parseDomainXML } from "../../conf/domain/mod.ts";
import { formatNetworkXML, parseNetworkXML, updateNetworkSection } from "../../conf/network/mod.ts";
import {
  formatStoragePoolXML,
  parsePoolSource,
  parseStoragePoolXML,
  POOL_TYPES,
} from "../../conf/storage_pool/mod.ts";
import type { PoolType, StoragePoolDef, StoragePoolSource } from "../../conf/storage_pool/mod.ts";
import { formatStorageVolXML, parseStorageVolXML } from "../../conf/storage_vol/mod.ts";
import type { StorageVolDef } from "../../conf/storage_vol/mod.ts";
import { formatInterfaceXML, parseInterfaceXML } from "../../conf/interface/mod.ts";
import type { InterfaceDef } from "../../conf/interface/mod.ts";
import { formatNodeDeviceXML, parseNodeDeviceXML } from "../../conf/node_device/mod.ts";
import { parseTestNamespace } from "./test_namespace.ts";
import type { NodeDeviceDef } from "../../conf/node_device/mod.ts";
import { testDomainGenerateIfnames, testDomainPostParse } from "./domain_postparse.ts";
import { VIR } from "../../util/constants.ts";

export {
  formatDomainXML,
  formatInterfaceXML,
  formatNetworkXML,
  formatNodeDeviceXML,
  formatStoragePoolXML,
  formatStorageVolXML,
  parseInterfaceXML,
  parseNetworkXML,
  parseNodeDeviceXML,
  parsePoolSource,
  parseStoragePoolXML,
  parseStorageVolXML,
  updateNetworkSection,
};
export { POOL_TYPES };
export type {
  InterfaceDef,
  NodeDeviceDef,
  PoolType,
  StoragePoolDef,
  StoragePoolSource,
  StorageVolDef,
};

/** A parsed network definition. */
export type NetworkDef = ReturnType<typeof parseNetworkXML>;

/**
 * Parses a domain document as the test driver's `virDomainDefParseString` does: schema
 * validation on request, its `test:` namespace checked (its run state is a node file's only),
 * then the test driver's post-parse defaults and interface names.
 *
 * @example
 * ```ts
 * import { parseTestDomain } from "./conf_adapters.ts";
 * const def = parseTestDomain(
 *   "<domain type='test'><name>a</name><memory>1024</memory><os><type>hvm</type></os></domain>",
 *   false,
 * );
 * ```
 */
export function parseTestDomain(xml: string, validate: boolean): DomainDef {
  const def = parseDomainXML(
    xml,
    validate ? VIR.DOMAIN_DEFINE_VALIDATE : 0,
    false,
    false,
    { namespace: (root) => parseTestNamespace(root) },
  );
  testDomainPostParse(def);
  testDomainGenerateIfnames(def);
  return def;
}
