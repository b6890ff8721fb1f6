/**
 * A temporary root below the host's cgroup hierarchies, for real-QEMU tests on qemu:///system
 * whose machine groups must not land in the host's own `/machine`.
 *
 * @module
 */
import type { CgroupMounts } from "../../../util/cgroup/mod.ts";

/**
 * The hierarchies (mount directories) of `m` and the unified one.
 *
 * @example
 * ```ts ignore
 * hierarchies({ v1: { cpu: "/sys/fs/cgroup/cpu" } }); // ["/sys/fs/cgroup/cpu"]
 * ```
 */
export const hierarchies = (m: CgroupMounts): string[] => [
  ...new Set([...Object.values(m.v1), m.v2 ?? []].flat()),
];

/**
 * Makes `root` in every hierarchy, its cpuset taking the host's CPUs and nodes.
 *
 * @example
 * ```ts ignore
 * await makeRoot(hostCgroupMounts()!, "/edgevirt-test-1");
 * ```
 */
export async function makeRoot(m: CgroupMounts, root: string): Promise<void> {
  for (const dir of hierarchies(m)) await Deno.mkdir(`${dir}${root}`);
  const cpuset = m.v1.cpuset;
  if (!cpuset) return;
  for (const f of ["cpuset.cpus", "cpuset.mems"]) {
    await Deno.writeTextFile(`${cpuset}${root}/${f}`, await Deno.readTextFile(`${cpuset}/${f}`));
  }
}
