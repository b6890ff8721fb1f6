/**
 * The host side of a start's disks, as libvirt 9.0's `qemuProcessPrepareHostStorage`: last disk
 * first, every disk with a medium has its chain checked and read (`qemuDomainDetermineDiskChain`,
 * {@link probeDiskChain}); a disk whose image is missing or broken fails the start with that
 * error, unless its source's `startupPolicy` lets the start go on without it
 * (`qemuDomainCheckDiskStartupPolicy`): a cdrom or floppy then starts empty, another disk is
 * left out of the running domain (`qemuDomainCheckRemoveOptionalDisk`), and each drop is told
 * by a disk-change event. The definition keeps the source and its policy.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import type { StartupPolicy } from "../../conf/domain/startup_policy.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { child, type XmlElement } from "../../util/xml/mod.ts";
import { probeDiskChain } from "./disk_chains.ts";
import type { QemuSecondaries } from "./secondaries.ts";
import { resolveVolumeDisk } from "./volume_disk.ts";

/** What libvirt's `VIR_DOMAIN_EVENT_ID_DISK_CHANGE` carries for a source dropped at start. */
export interface DroppedSource {
  oldSrcPath: string | null;
  newSrcPath: null;
  devAlias: string;
  reason: number;
}

const disksOf = (def: DomainDef) => def.devices.other.filter((d) => d.name === "disk");

const policyOf = (disk: XmlElement) =>
  child(disk, "source")?.attributes.startupPolicy as StartupPolicy | undefined;

/** The disk types whose source is a local path (`virStorageSourceIsLocalStorage`). */
const LOCAL_TYPES = ["file", "block", "dir"];

/** A disk's local path (a volume's once translated), or undefined for a network or no medium. */
function localPath(disk: XmlElement, volume: string | undefined): string | undefined {
  const type = disk.attributes.type ?? "file";
  if (type === "volume") return volume;
  if (!LOCAL_TYPES.includes(type)) return undefined;
  const source = child(disk, "source")?.attributes;
  return source?.file ?? source?.dev ?? source?.dir;
}

/**
 * Translates every volume disk to its volume's path (`qemuProcessPrepareDomainStorage`), last
 * disk first; a volume that cannot be found fails the start unless its disk's policy lets the
 * start go on without it. Returns the paths by disk, the drops, and the cdroms and floppies
 * emptied (libvirt gives their empty sources no index).
 *
 * @example
 * ```ts
 * import { prepareDomainStorage } from "./disk_startup.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * declare const secondaries: import("./secondaries.ts").QemuSecondaries;
 * const { volumes, dropped, emptied } = await prepareDomainStorage(def, secondaries, true);
 * ```
 */
export async function prepareDomainStorage(
  def: DomainDef,
  secondaries: QemuSecondaries,
  coldBoot: boolean,
): Promise<
  { volumes: Map<XmlElement, string>; dropped: DroppedSource[]; emptied: Set<XmlElement> }
> {
  const volumes = new Map<XmlElement, string>();
  const dropped: DroppedSource[] = [];
  const emptied = new Set<XmlElement>();
  for (const disk of disksOf(def).toReversed()) {
    try {
      const path = await resolveVolumeDisk(disk, secondaries);
      if (path !== undefined) volumes.set(disk, path);
    } catch (err) {
      if (
        !(err instanceof VirError) || !mayDrop(policyOf(disk), disk.attributes.device, coldBoot)
      ) {
        throw err;
      }
      // An untranslated volume has no path for the event to name.
      dropped.push(dropSource(def, disk, null));
      emptied.add(disk);
    }
  }
  return { volumes, dropped, emptied };
}

/**
 * Checks and reads every disk's chain from index `last + 1` on, dropping what the policies let
 * go; returns the last index used and the drops, in libvirt's order (last disk first), for the
 * start to announce. `coldBoot` is false for a start from saved state or a migration.
 *
 * @example
 * ```ts
 * import { prepareHostStorage } from "./disk_startup.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * const { last, dropped } = await prepareHostStorage(def, new Map(), 2, true);
 * ```
 */
export async function prepareHostStorage(
  def: DomainDef,
  volumes: ReadonlyMap<XmlElement, string>,
  last: number,
  coldBoot: boolean,
): Promise<{ last: number; dropped: DroppedSource[] }> {
  let n = last;
  const dropped: DroppedSource[] = [];
  for (const disk of disksOf(def).toReversed()) {
    const volume = volumes.get(disk);
    const path = localPath(disk, volume);
    const policy = policyOf(disk);
    // An optional image already known missing is not read (qemuDomainDiskIsMissingLocalOptional).
    const skip = coldBoot && policy === "optional" && path !== undefined && !(await exists(path));
    if (!skip) {
      const before = n;
      try {
        await probeDiskChain(disk, volume, () => ++n);
        continue;
      } catch (err) {
        if (!(err instanceof VirError) || !mayDrop(policy, disk.attributes.device, coldBoot)) {
          throw err;
        }
        // libvirt numbers a chain's images only once it is read whole.
        n = before;
      }
    }
    dropped.push(dropSource(def, disk, path ?? null));
  }
  return { last: n, dropped };
}

/** `qemuDomainCheckDiskStartupPolicy`: whether a start may go on without the disk's source. */
function mayDrop(policy: StartupPolicy | undefined, device = "disk", coldBoot: boolean): boolean {
  const removable = device === "cdrom" || device === "floppy";
  // QEMU's saved state of a disk that is no cdrom or floppy needs the disk back.
  if (policy === "optional") return coldBoot || removable;
  return policy === "requisite" && !coldBoot;
}

/**
 * `qemuDomainCheckRemoveOptionalDisk`: a cdrom or floppy loses its medium (its format and
 * policy with it: `virDomainDiskEmptySource`), another disk leaves the running domain.
 */
function dropSource(def: DomainDef, disk: XmlElement, path: string | null): DroppedSource {
  const devAlias = child(disk, "alias")?.attributes.name ?? "";
  const device = disk.attributes.device;
  if (device === "cdrom" || device === "floppy") {
    disk.children = disk.children.filter((c) =>
      !(c.type === "element" && (c.name === "source" || c.name === "backingStore"))
    );
    const driver = child(disk, "driver");
    if (driver) delete driver.attributes.type;
    if (disk.attributes.type === "volume") disk.attributes.type = "file";
    return {
      oldSrcPath: path,
      newSrcPath: null,
      devAlias,
      reason: VIR.DOMAIN_EVENT_DISK_CHANGE_MISSING_ON_START,
    };
  }
  def.devices.other = def.devices.other.filter((d) => d !== disk);
  return {
    oldSrcPath: path,
    newSrcPath: null,
    devAlias,
    reason: VIR.DOMAIN_EVENT_DISK_DROP_MISSING_ON_START,
  };
}

/** `virFileExists`. */
async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}
