import type { DomainRef } from "../util/driver.ts";
import { DomainChildHandle } from "./domain_child.ts";
import type { HandleOwner } from "./handle.ts";

/**
 * A snapshot handle (libvirt's `virDomainSnapshotPtr`): a name within a domain; every call goes
 * to the connection's driver with the domain's reference.
 *
 * @example
 * ```ts
 * import { connect } from "../host.ts";
 * const conn = await connect("test:///default");
 * const dom = await conn.lookupDomainByName("test");
 * const snap = await dom.snapshotCreateXML("<domainsnapshot><name>s1</name></domainsnapshot>");
 * console.log(snap.name, await snap.isCurrent()); // s1 true
 * await conn.close();
 * ```
 */
export class DomainSnapshot extends DomainChildHandle {
  /** A handle on snapshot `name` of `dom`'s domain, calling `owner`'s driver. */
  constructor(owner: HandleOwner, dom: DomainRef, name: string) {
    super(owner, dom, name);
  }

  #snap(name: string): DomainSnapshot {
    return new DomainSnapshot(this.owner, this.ref, name);
  }

  /** `virDomainSnapshotGetXMLDesc`; SECURE is refused on a read-only connection. */
  getXMLDesc(flags = 0): Promise<string> {
    return this.call("domainSnapshotGetXMLDesc", this.name, flags);
  }
  /** `virDomainSnapshotGetParent`. */
  async getParent(flags = 0): Promise<DomainSnapshot> {
    return this.#snap(await this.call("domainSnapshotGetParent", this.name, flags));
  }
  /** `virDomainSnapshotNumChildren`. */
  numChildren(flags = 0): Promise<number> {
    return this.call("domainSnapshotNumChildren", this.name, flags);
  }
  /** `virDomainSnapshotListChildrenNames`. */
  listChildrenNames(flags = 0): Promise<string[]> {
    return this.call("domainSnapshotListChildrenNames", this.name, flags);
  }
  /** `virDomainSnapshotListAllChildren`. */
  async listAllChildren(flags = 0): Promise<DomainSnapshot[]> {
    const names = await this.call("domainSnapshotListAllChildren", this.name, flags);
    return names.map((n) => this.#snap(n));
  }
  /** `virDomainSnapshotIsCurrent`. */
  isCurrent(flags = 0): Promise<boolean> {
    return this.call("domainSnapshotIsCurrent", this.name, flags);
  }
  /** `virDomainSnapshotHasMetadata`. */
  hasMetadata(flags = 0): Promise<boolean> {
    return this.call("domainSnapshotHasMetadata", this.name, flags);
  }
  /** `virDomainRevertToSnapshot`: RUNNING and PAUSED exclude each other. */
  revert(flags = 0): Promise<void> {
    return this.call("domainRevertToSnapshot", this.name, flags);
  }
  /** `virDomainSnapshotDelete`: CHILDREN and CHILDREN_ONLY exclude each other. */
  delete(flags = 0): Promise<void> {
    return this.call("domainSnapshotDelete", this.name, flags);
  }
}
