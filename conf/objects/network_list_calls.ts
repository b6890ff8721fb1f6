/**
 * The network listing calls every network driver answers the same way from its
 * `virNetworkObjList` (libvirt's `networkConnectNumOf*`/`…List*`/`…ListAllNetworks`, and the
 * test driver's twins): counts and names of active or defined networks, and the filtered list.
 *
 * @module
 */
import type { NetworkRef } from "../../util/driver.ts";
import { checkFlags, type ErrorDomainName } from "../../util/errors.ts";
import { NETWORK_LIST_FILTERS_ALL, type NetworkObj, type NetworkObjList } from "./network_obj.ts";

/**
 * The five listing calls over `nets`; `fn` names the driver function in libvirt's
 * unsupported-flags message, `domain` its error domain.
 *
 * @example
 * ```ts
 * import { networkListCalls } from "./network_list_calls.ts";
 * import { NetworkObjList } from "./network_obj.ts";
 * const calls = networkListCalls(new NetworkObjList(), "networkConnectListAllNetworks", "NETWORK");
 * calls.connectNumOfNetworks(); // 0
 * ```
 */
export function networkListCalls(
  nets: NetworkObjList,
  fn: string,
  domain: ErrorDomainName,
) {
  const names = (active: boolean) => nets.names(active);
  const ref = (n: NetworkObj): NetworkRef => ({ name: n.def.name, uuid: n.def.uuid });
  return {
    connectNumOfNetworks: () => names(true).length,
    connectListNetworks: () => names(true),
    connectNumOfDefinedNetworks: () => names(false).length,
    connectListDefinedNetworks: () => names(false),
    connectListAllNetworks: (flags: number) => {
      checkFlags(flags, NETWORK_LIST_FILTERS_ALL, fn, domain);
      return nets.export(flags).map(ref);
    },
  };
}
