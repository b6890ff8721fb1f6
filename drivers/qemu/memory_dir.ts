/**
 * A running domain's folders for file-backed guest memory: the one under the memory backing
 * directory (libvirt's `qemuGetMemoryBackingDomainPath`: `<memory_backing_dir>/<shortname>`),
 * where QEMU makes a file per memory backend, and one on each hugetlbfs mount
 * (`qemuGetDomainHugepagePath`: `<mount>/libvirt/qemu/<shortname>`), where QEMU makes its
 * huge page files. Made before QEMU starts where the domain needs them
 * (`qemuProcessBuildDestroyMemoryPaths`), removed with everything in them when QEMU has gone.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { domainShortName } from "../../conf/domain/short_name.ts";
import { section } from "../../conf/domain/tune_xml.ts";
import { VirError } from "../../util/errors.ts";
import type { HugetlbfsMount } from "../../util/hugetlbfs.ts";
import { SYSTEM_PAGE_KIB } from "../../util/host_info.ts";
import { strerror } from "../../util/strerror.ts";
import { child, children } from "../../util/xml/mod.ts";

/** A domain's folder on one hugetlbfs mount, with the mount's page size. */
export interface HugepageFolder {
  /** Page size, KiB. */
  sizeKiB: number;
  /** The mount's pages are the kernel's default huge page size. */
  deflt: boolean;
  path: string;
}

/** The memory folders of one run of a domain. */
export interface MemoryDirs {
  /** Under the memory backing directory. */
  dir: string;
  /** One per hugetlbfs mount the driver found. */
  hugepages: HugepageFolder[];
}

/**
 * The memory folders of domain `name` run as `id`.
 *
 * @example
 * ```ts
 * import { memoryDirs } from "./memory_dir.ts";
 * memoryDirs("/var/lib/edgevirt/qemu/ram", [], 3, "web").dir; // "/var/lib/edgevirt/qemu/ram/3-web"
 * ```
 */
export function memoryDirs(
  memoryBackingDir: string,
  mounts: readonly HugetlbfsMount[],
  id: number,
  name: string,
): MemoryDirs {
  const short = domainShortName(id, name);
  return {
    dir: `${memoryBackingDir}/${short}`,
    hugepages: mounts.map((m) => ({
      sizeKiB: m.sizeKiB,
      deflt: m.deflt,
      path: `${m.dir}/libvirt/qemu/${short}`,
    })),
  };
}

/**
 * `qemuProcessNeedMemoryBackingPath`: a file memory source, or a memory access mode for the
 * whole guest or one of its NUMA cells.
 */
function needsMemoryDir(def: DomainDef): boolean {
  const backing = section(def, "memoryBacking");
  if (child(backing, "source")?.attributes.type === "file") return true;
  if (child(backing, "access")?.attributes.mode) return true;
  const cells = children(def.cpu?.extra.find((e) => e.name === "numa"), "cell");
  return cells.some((c) => c.attributes.memAccess);
}

/**
 * `qemuProcessNeedHugepagesPath`: a file memory source, or (unless memfd, which needs no
 * mount) a huge page other than the system's (`<hugepages/>` alone: the default huge page).
 */
function needsHugepageDirs(def: DomainDef): boolean {
  const backing = section(def, "memoryBacking");
  const source = child(backing, "source")?.attributes.type;
  if (source === "file") return true;
  if (source === "memfd") return false;
  const hugepages = child(backing, "hugepages");
  const pages = children(hugepages, "page");
  return (!!hugepages && !pages.length) ||
    pages.some((p) => Number(p.attributes.size) !== SYSTEM_PAGE_KIB);
}

/** `g_mkdir_with_parents` of `path`, its failure libvirt's system error `wording PATH: …`. */
async function makeDir(path: string, mode: number, wording: string): Promise<void> {
  try {
    await Deno.mkdir(path, { recursive: true, mode });
  } catch (e) {
    throw VirError.bare("QEMU", "SYSTEM_ERROR", `${wording} ${path}: ${strerror(e)}`);
  }
}

/**
 * Makes the memory folders `def` needs, private to the driver's user as libvirt's 0700; each
 * hugetlbfs mount's `libvirt/qemu` first, open to all (`qemuHugepageMakeBasedir`), and, for
 * the privileged driver, the mount's root searchable by QEMU's group and others.
 *
 * @example
 * ```ts
 * import { memoryDirs, prepareMemoryDirs } from "./memory_dir.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * await prepareMemoryDirs(def, memoryDirs("/var/lib/edgevirt/qemu/ram", [], 3, def.name), false);
 * ```
 */
export async function prepareMemoryDirs(
  def: DomainDef,
  dirs: MemoryDirs,
  privileged: boolean,
): Promise<void> {
  if (needsHugepageDirs(def)) {
    for (const { path } of dirs.hugepages) {
      const base = path.slice(0, path.lastIndexOf("/"));
      await makeDir(base, 0o777, "unable to create hugepage path");
      if (privileged) {
        const mount = base.slice(0, -"/libvirt/qemu".length);
        const mode = (await Deno.stat(mount)).mode! & 0o7777;
        if ((mode & 0o011) !== 0o011) await Deno.chmod(mount, mode | 0o011);
      }
      await makeDir(path, 0o700, "Unable to create");
    }
  }
  if (needsMemoryDir(def)) await makeDir(dirs.dir, 0o700, "Unable to create");
}

/**
 * Removes a stopped domain's memory folders, whether or not it had them (libvirt's
 * `qemuProcessStop` removes them unconditionally).
 *
 * @example
 * ```ts
 * import { memoryDirs, removeMemoryDirs } from "./memory_dir.ts";
 * await removeMemoryDirs(memoryDirs("/var/lib/edgevirt/qemu/ram", [], 3, "web"));
 * ```
 */
export async function removeMemoryDirs(dirs: MemoryDirs): Promise<void> {
  for (const path of [...dirs.hugepages.map((h) => h.path), dirs.dir]) {
    await Deno.remove(path, { recursive: true }).catch(() => {});
  }
}
