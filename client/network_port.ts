import type { NetworkPortRef, TypedParams } from "../util/driver.ts";
import { Handle, type HandleOwner } from "./handle.ts";

/**
 * A network port handle (`virNetworkPortPtr`): the port of a virtual network a guest NIC uses.
 *
 * @example
 * ```ts
 * import { connect } from "../host.ts";
 * const root = await Deno.makeTempDir();
 * const conn = await connect(`qemu:///embed?root=${root}`);
 * const net = await conn.defineNetworkXML("<network><name>n</name></network>");
 * console.log((await net.listAllPorts().catch(() => [])).length); // 0
 * await conn.close();
 * ```
 */
export class NetworkPort extends Handle<NetworkPortRef> {
  /** A handle on `ref`'s port, calling `owner`'s driver. */
  constructor(owner: HandleOwner, ref: NetworkPortRef) {
    super(owner, ref);
  }
  /** The port's UUID. */
  get uuid(): string {
    return this.ref.uuid;
  }
  /** `virNetworkPortGetXMLDesc`. */
  getXMLDesc(flags = 0): Promise<string> {
    return this.call("networkPortGetXMLDesc", flags);
  }
  /** `virNetworkPortGetParameters`. */
  getParameters(flags = 0): Promise<TypedParams> {
    return this.call("networkPortGetParameters", flags);
  }
  /** `virNetworkPortSetParameters`. */
  async setParameters(params: TypedParams, flags = 0): Promise<void> {
    await this.call("networkPortSetParameters", params, flags);
  }
  /** `virNetworkPortDelete`. */
  async delete(flags = 0): Promise<void> {
    await this.call("networkPortDelete", flags);
  }
}
