/**
 * Huge pages of a guest's memory as libvirt 9.0 picks them (`qemuValidateDomainDefMemory`,
 * `qemuBuildMemoryGetPagesize`, `qemuGetDomainHupageMemPath`): the page of a backend is the
 * `<page>` whose node set holds its guest cell, else the one without a node set; `<hugepages/>`
 * alone, or a page without a size, means the default huge page (the default mount's); a page of
 * the system's size is no huge page at all. Its file goes into the domain's folder on the
 * hugetlbfs mount of that page size.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { parseBitmap } from "../../../conf/domain/bitmap.ts";
import { section } from "../../../conf/domain/tune_xml.ts";
import { VirError } from "../../../util/errors.ts";
import { SYSTEM_PAGE_KIB } from "../../../util/host_info.ts";
import { child, children } from "../../../util/xml/mod.ts";
import type { HugepageFolder } from "../memory_dir.ts";
import { unsupported } from "./unsupported.ts";

/** A guest's huge pages, and the domain's folders on the hugetlbfs mounts. */
export interface Hugepages {
  /** Each `<page>`: its size in KiB (0: the default), its guest cells. */
  pages: { sizeKiB: number; nodes?: number[] }[];
  folders: readonly HugepageFolder[];
}

/**
 * The huge pages `def` asks for, none without `<hugepages>`; refused as libvirt's
 * `qemuValidateDomainDefMemory` refuses them with on-demand allocation or anonymous memory.
 *
 * @example
 * ```ts
 * import { hugepagesOf } from "./hugepages.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * hugepagesOf(def, []); // undefined without <hugepages>
 * ```
 */
export function hugepagesOf(
  def: DomainDef,
  folders: readonly HugepageFolder[],
): Hugepages | undefined {
  const backing = section(def, "memoryBacking");
  const el = child(backing, "hugepages");
  if (!el) return undefined;
  if (child(backing, "allocation")?.attributes.mode === "ondemand") {
    throw unsupported("hugepages are not allowed with memory allocation ondemand");
  }
  if (child(backing, "source")?.attributes.type === "anonymous") {
    throw unsupported("hugepages are not allowed with anonymous memory source");
  }
  const pages = children(el, "page").map((p) => ({
    sizeKiB: Number(p.attributes.size ?? 0),
    nodes: p.attributes.nodeset === undefined ? undefined : parseBitmap(p.attributes.nodeset),
  }));
  return { pages: pages.length ? pages : [{ sizeKiB: 0 }], folders };
}

/** libvirt's error where no hugetlbfs mount is known. */
const notMounted = () =>
  VirError.report(
    "QEMU",
    "INTERNAL_ERROR",
    "hugetlbfs filesystem is not mounted or disabled by administrator config",
  );

/**
 * The huge page size (KiB) of the backend of guest cell `cell` (none: the default RAM),
 * undefined where its pages are the system's.
 *
 * @example
 * ```ts
 * import { hugepageSize } from "./hugepages.ts";
 * hugepageSize({ pages: [{ sizeKiB: 2048 }], folders: [] }); // 2048
 * ```
 */
export function hugepageSize(h: Hugepages, cell?: number): number | undefined {
  const own = cell === undefined ? undefined : h.pages.find((p) => p.nodes?.includes(cell));
  const page = own ?? h.pages.find((p) => !p.nodes);
  if (!page || page.sizeKiB === SYSTEM_PAGE_KIB) return undefined;
  if (page.sizeKiB) return page.sizeKiB;
  // qemuBuildMemoryGetDefaultPagesize: the default mount's pages, else the first mount's.
  const mount = h.folders.find((f) => f.deflt) ?? h.folders[0];
  if (!mount) throw notMounted();
  return mount.sizeKiB;
}

/**
 * The domain's folder on the hugetlbfs mount of `sizeKiB` pages (QEMU makes its file there).
 *
 * @example
 * ```ts
 * import { hugepagePath } from "./hugepages.ts";
 * hugepagePath({ pages: [], folders: [{ sizeKiB: 2048, deflt: true, path: "/hp/libvirt/qemu/1-vm" }] }, 2048);
 * // "/hp/libvirt/qemu/1-vm"
 * ```
 */
export function hugepagePath(h: Hugepages, sizeKiB: number): string {
  if (!h.folders.length) throw notMounted();
  const folder = h.folders.find((f) => f.sizeKiB === sizeKiB);
  if (!folder) {
    throw VirError.report(
      "QEMU",
      "INTERNAL_ERROR",
      `Unable to find any usable hugetlbfs mount for ${sizeKiB} KiB`,
    );
  }
  return folder.path;
}
