/**
 * A cgroup v1 tree in a temporary directory, with the files the kernel would show in each
 * group (a fake group directory is made by the test, since a plain mkdir makes no files).
 *
 * @module
 */
import type { CgroupController, CgroupMounts } from "../../util/cgroup/mod.ts";

/** The files of a fresh v1 group, by controller, with the kernel's default values. */
const V1_FILES: Partial<Record<CgroupController, Record<string, string>>> = {
  cpu: { "cpu.shares": "1024", "cpu.cfs_period_us": "100000", "cpu.cfs_quota_us": "-1" },
  cpuacct: {
    "cpuacct.usage": "0",
    "cpuacct.stat": "user 0\nsystem 0",
    "cpuacct.usage_percpu": "0 0 ",
  },
  cpuset: { "cpuset.cpus": "", "cpuset.mems": "", "cpuset.memory_migrate": "0" },
  memory: { "memory.limit_in_bytes": "9223372036854771712", "memory.use_hierarchy": "0" },
};

/** The controllers of {@link fakeV1Mounts}. */
export const FAKE_V1 = Object.keys(V1_FILES) as CgroupController[];

/**
 * Mounts with one hierarchy per controller under `base`.
 *
 * @example
 * ```ts ignore
 * const mounts = fakeV1Mounts("/tmp/cg");
 * ```
 */
export function fakeV1Mounts(base: string): CgroupMounts {
  return { v1: Object.fromEntries(FAKE_V1.map((c) => [c, `${base}/${c}`])) };
}

/**
 * Makes group `path` in every hierarchy with its files, `values` overriding defaults by file
 * name.
 *
 * @example
 * ```ts ignore
 * await fakeV1Group("/tmp/cg", "/machine", { "cpuset.cpus": "0-1" });
 * ```
 */
export async function fakeV1Group(
  base: string,
  path: string,
  values: Record<string, string> = {},
): Promise<void> {
  for (const c of FAKE_V1) {
    const dir = `${base}/${c}${path}`;
    await Deno.mkdir(dir, { recursive: true });
    const files = { ...V1_FILES[c], tasks: "", "cgroup.procs": "" };
    for (const [name, value] of Object.entries(files)) {
      await Deno.writeTextFile(`${dir}/${name}`, values[name] ?? value);
    }
  }
}
