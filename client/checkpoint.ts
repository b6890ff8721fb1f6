import type { DomainRef } from "../util/driver.ts";
import { DomainChildHandle } from "./domain_child.ts";
import type { HandleOwner } from "./handle.ts";

/**
 * A checkpoint handle (libvirt's `virDomainCheckpointPtr`): a name within a domain; every call
 * goes to the connection's driver with the domain's reference.
 *
 * @example
 * ```ts
 * import { connect } from "../host.ts";
 * const conn = await connect("test:///default");
 * const dom = await conn.lookupDomainByName("test");
 * const chk = await dom.checkpointCreateXML("<domaincheckpoint><name>c1</name></domaincheckpoint>");
 * console.log(chk.name); // c1
 * await conn.close();
 * ```
 */
export class DomainCheckpoint extends DomainChildHandle {
  /** A handle on checkpoint `name` of `dom`'s domain, calling `owner`'s driver. */
  constructor(owner: HandleOwner, dom: DomainRef, name: string) {
    super(owner, dom, name);
  }

  #chk(name: string): DomainCheckpoint {
    return new DomainCheckpoint(this.owner, this.ref, name);
  }

  /** `virDomainCheckpointGetXMLDesc`; SECURE is refused on a read-only connection. */
  getXMLDesc(flags = 0): Promise<string> {
    return this.call("domainCheckpointGetXMLDesc", this.name, flags);
  }
  /** `virDomainCheckpointGetParent`. */
  async getParent(flags = 0): Promise<DomainCheckpoint> {
    return this.#chk(await this.call("domainCheckpointGetParent", this.name, flags));
  }
  /** `virDomainCheckpointListAllChildren`. */
  async listAllChildren(flags = 0): Promise<DomainCheckpoint[]> {
    const names = await this.call("domainCheckpointListAllChildren", this.name, flags);
    return names.map((n) => this.#chk(n));
  }
  /** `virDomainCheckpointDelete`: CHILDREN and CHILDREN_ONLY exclude each other. */
  delete(flags = 0): Promise<void> {
    return this.call("domainCheckpointDelete", this.name, flags);
  }
}
