/**
 * Where the host's cgroup controllers live (libvirt's `virCgroupDetectMounts` and the v1/v2
 * backends' `available`/`detectControllers`): a v1 hierarchy per controller, and the v2
 * unified hierarchy for the controllers no v1 hierarchy holds.
 *
 * @module
 */

/** libvirt's `virCgroupController`s that this layer drives, by their v1 names. */
export const CGROUP_CONTROLLERS = [
  "cpu",
  "cpuacct",
  "cpuset",
  "memory",
  "devices",
  "freezer",
  "blkio",
] as const;

/** One of {@link CGROUP_CONTROLLERS}. */
export type CgroupController = (typeof CGROUP_CONTROLLERS)[number];

/**
 * The controllers' hierarchies and the root under which every group is made. Tests point the
 * mounts at temporary trees, or keep the host's and put `root` in a temporary group.
 */
export interface CgroupMounts {
  /** Mount point of each v1 controller (co-mounted controllers share one). */
  v1: Partial<Record<CgroupController, string>>;
  /** Mount point of the v2 unified hierarchy, when there is one. */
  v2?: string;
  /** Placement of the top of the tree inside every hierarchy ("/" by default). */
  root?: string;
}

/**
 * The v2 name of a controller (libvirt's `virCgroupV2Controller`: `blkio` is `io`).
 *
 * @example
 * ```ts
 * import { v2ControllerName } from "./mounts.ts";
 * v2ControllerName("blkio"); // "io"
 * ```
 */
export function v2ControllerName(c: CgroupController): string {
  return c === "blkio" ? "io" : c;
}

/**
 * The cgroup mounts of `/proc/self/mounts` text: `cgroup` entries name their v1 controllers in
 * their options, a `cgroup2` entry is the unified hierarchy.
 *
 * @example
 * ```ts
 * import { parseCgroupMounts } from "./mounts.ts";
 * parseCgroupMounts("cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,cpu,cpuacct 0 0\n").v1.cpuacct;
 * // "/sys/fs/cgroup/cpu,cpuacct"
 * ```
 */
export function parseCgroupMounts(text: string): CgroupMounts {
  const mounts: CgroupMounts = { v1: {} };
  for (const line of text.split("\n")) {
    const [, dir, type, options] = line.split(" ");
    // The kernel escapes blanks in mount points as octal.
    const path = dir?.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));
    if (type === "cgroup2") mounts.v2 ??= path;
    if (type !== "cgroup") continue;
    for (const opt of options.split(",")) {
      const c = CGROUP_CONTROLLERS.find((n) => n === opt);
      if (c) mounts.v1[c] ??= path;
    }
  }
  return mounts;
}

/**
 * The host's cgroup mounts, or undefined when no hierarchy is mounted.
 *
 * @example
 * ```ts
 * import { hostCgroupMounts } from "./mounts.ts";
 * hostCgroupMounts()?.v1.cpu; // "/sys/fs/cgroup/cpu" on a v1 host
 * ```
 */
export function hostCgroupMounts(): CgroupMounts | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync("/proc/self/mounts");
  } catch {
    return undefined;
  }
  const mounts = parseCgroupMounts(text);
  return Object.keys(mounts.v1).length || mounts.v2 ? mounts : undefined;
}
