/**
 * `virNetworkUpdate` of the `<dns>` records (virNetworkDefUpdateDNSHost, virNetworkDefUpdateDNSTxt
 * and virNetworkDefUpdateDNSSrv, src/conf/network_conf.c): records are added or deleted, never
 * modified. A host is a duplicate by address (several addresses may share a name), a TXT record
 * by name, an SRV record when every field given matches; a DELETE needs exactly one match.
 *
 * @example
 * ```ts
 * import { updateDnsTxt } from "./update_dns.ts";
 * import { parseNetworkXML } from "./parse.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * import { VIR } from "../../util/constants.ts";
 * const def = parseNetworkXML("<network><name>n</name></network>");
 * updateDnsTxt(def, VIR.NETWORK_UPDATE_COMMAND_ADD_LAST, -1, parse("<txt name='t' value='v'/>"));
 * def.dns.txts.length; // 1
 * ```
 * @module
 */
import { VIR } from "../../util/constants.ts";
import { parseIpAddress } from "../common/mod.ts";
import { parseDnsHost, parseDnsSrv, parseDnsTxt } from "./entries.ts";
import type { NetworkDns } from "./model.ts";
import {
  addEntry,
  checkElementName,
  invalid,
  isAdd,
  type SectionUpdater,
  unknownCommand,
  unsupported,
} from "./update_common.ts";

const DELETE = VIR.NETWORK_UPDATE_COMMAND_DELETE;

const sameIp = (a?: string, b?: string) =>
  a !== undefined && b !== undefined && parseIpAddress(a)?.text === parseIpAddress(b)?.text;

/** Refuses MODIFY, as every DNS updater does before it looks at the element. */
function noModify(command: number, kind: string): void {
  if (command === VIR.NETWORK_UPDATE_COMMAND_MODIFY) {
    throw unsupported(`DNS ${kind} records cannot be modified, only added or deleted`);
  }
}

/** The one record a DELETE removes: none or several found is an error. */
function deleteOne<T>(list: T[], found: number[], none: string, many: string): void {
  if (!found.length) throw invalid(none);
  if (found.length > 1) throw invalid(many);
  list.splice(found[0], 1);
}

/** virNetworkDefUpdateDNSHost. */
export const updateDnsHost: SectionUpdater = (def, command, _parentIndex, el) => {
  noModify(command, "HOST");
  checkElementName(def, el, "host");
  const add = isAdd(command);
  const host = parseDnsHost(el, def.name, !add);
  const hosts = def.dns.hosts;
  // Adding checks only the address: several addresses may carry the same name.
  const found = hosts.flatMap((h, i) =>
    sameIp(host.ip, h.ip) || (!add && host.hostnames.some((n) => h.hostnames.includes(n)))
      ? [i]
      : []
  );
  if (add) {
    if (found.length) {
      throw invalid(
        `there is already at least one DNS HOST record with a matching field in network ${def.name}`,
      );
    }
    addEntry(hosts, { ip: host.ip!, hostnames: host.hostnames }, command);
  } else if (command === DELETE) {
    deleteOne(
      hosts,
      found,
      `couldn't locate a matching DNS HOST record in network ${def.name}`,
      `multiple matching DNS HOST records were found in network ${def.name}`,
    );
  } else {
    throw unknownCommand(command);
  }
};

/** virNetworkDefUpdateDNSTxt. */
export const updateDnsTxt: SectionUpdater = (def, command, _parentIndex, el) => {
  noModify(command, "TXT");
  checkElementName(def, el, "txt");
  const txt = parseDnsTxt(el, def.name, !isAdd(command));
  const txts = def.dns.txts;
  const i = txts.findIndex((t) => t.name === txt.name);
  if (isAdd(command)) {
    if (i >= 0) {
      throw invalid(
        `there is already a DNS TXT record with name '${txt.name}' in network ${def.name}`,
      );
    }
    addEntry(txts, { name: txt.name, value: txt.value! }, command);
  } else if (command === DELETE) {
    if (i < 0) throw invalid(`couldn't locate a matching DNS TXT record in network ${def.name}`);
    txts.splice(i, 1);
  } else {
    throw unknownCommand(command);
  }
};

type Srv = NetworkDns["srvs"][number];
const SRV_KEYS = ["domain", "service", "protocol", "target"] as const;

/** virNetworkDefUpdateDNSSrv. */
export const updateDnsSrv: SectionUpdater = (def, command, _parentIndex, el) => {
  noModify(command, "SRV");
  checkElementName(def, el, "srv");
  const srv = parseDnsSrv(el, def.name, !isAdd(command));
  const srvs = def.dns.srvs;
  const found = srvs.flatMap((s, i) =>
    SRV_KEYS.every((k) => srv[k] === undefined || srv[k] === s[k]) ? [i] : []
  );
  if (isAdd(command)) {
    if (found.length) {
      throw invalid(
        "there is already at least one DNS SRV record matching all specified fields in " +
          `network ${def.name}`,
      );
    }
    addEntry(srvs, srv as Srv, command);
  } else if (command === DELETE) {
    deleteOne(
      srvs,
      found,
      `couldn't locate a matching DNS SRV record in network ${def.name}`,
      `multiple DNS SRV records matching all specified fields were found in network ${def.name}`,
    );
  } else {
    throw unknownCommand(command);
  }
};
