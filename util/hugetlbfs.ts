/**
 * The host's hugetlbfs mounts, as libvirt's privileged QEMU driver finds them at start-up
 * (`virFileFindHugeTLBFS`): every `hugetlbfs` of `/proc/mounts` with its page size, the one
 * whose pages are the kernel's default size (`Hugepagesize` of `/proc/meminfo`) marked as
 * the default.
 *
 * @module
 */

/** One hugetlbfs mount. */
export interface HugetlbfsMount {
  /** Where it is mounted. */
  dir: string;
  /** Its page size, KiB. */
  sizeKiB: number;
  /** Its pages are the kernel's default huge page size. */
  deflt: boolean;
}

const UNIT_KIB: Record<string, number> = { K: 1, M: 1024, G: 1024 * 1024 };

/** A field of `/proc/mounts`, its octal escapes (`\040` for a space) decoded. */
const unescape = (field: string) =>
  field.replace(/\\([0-7]{3})/g, (_, oct) => String.fromCharCode(parseInt(oct, 8)));

/**
 * The hugetlbfs mounts of a `/proc/mounts` text; the kernel names each one's page size in its
 * options (`pagesize=2M`), a mount without one has the default size.
 *
 * @example
 * ```ts
 * import { parseHugetlbfsMounts } from "./hugetlbfs.ts";
 * parseHugetlbfsMounts("none /dev/hugepages hugetlbfs rw,pagesize=2M 0 0\n", "Hugepagesize: 2048 kB\n");
 * // [{ dir: "/dev/hugepages", sizeKiB: 2048, deflt: true }]
 * ```
 */
export function parseHugetlbfsMounts(mounts: string, meminfo: string): HugetlbfsMount[] {
  const defaultKiB = Number(/^Hugepagesize:\s*(\d+) kB$/m.exec(meminfo)?.[1] ?? 0);
  return mounts.split("\n").flatMap((line) => {
    const [, dir, type, options] = line.split(" ");
    if (type !== "hugetlbfs") return [];
    const size = /(?:^|,)pagesize=(\d+)([KMG])(?:,|$)/.exec(options ?? "");
    const sizeKiB = size ? Number(size[1]) * UNIT_KIB[size[2]] : defaultKiB;
    return [{ dir: unescape(dir), sizeKiB, deflt: sizeKiB === defaultKiB }];
  });
}

/**
 * The host's hugetlbfs mounts; none where `/proc` cannot be read (libvirt then only warns).
 *
 * @example
 * ```ts
 * import { hostHugetlbfsMounts } from "./hugetlbfs.ts";
 * hostHugetlbfsMounts(); // [] where none is mounted
 * ```
 */
export function hostHugetlbfsMounts(): HugetlbfsMount[] {
  try {
    return parseHugetlbfsMounts(
      Deno.readTextFileSync("/proc/mounts"),
      Deno.readTextFileSync("/proc/meminfo"),
    );
  } catch {
    return [];
  }
}
