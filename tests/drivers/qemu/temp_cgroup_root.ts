/**
 * A temporary root below the host's cgroup hierarchies, for real-QEMU tests on qemu:///system
 * whose machine groups must not land in the host's own `/machine`.
 *
 * @module
 */
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { removeTree } from "../../../util/cgroup/backend.ts";
import type { CgroupMounts } from "../../../util/cgroup/mod.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import { KeepingLauncher } from "./real_qemu.ts";

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

/** What {@link withSystemDriverInTempRoot} hands its body. */
export interface TempRootWorld {
  /** The QEMU driver on qemu:///system, its cgroups below `root`. */
  conn: DriverConnection;
  /** The QEMUs it started. */
  launcher: KeepingLauncher;
  /** The host's hierarchies with `root` as the driver's root. */
  mounts: CgroupMounts;
  root: string;
  /** Closes the connection and opens a new driver on the same state (a restarted daemon). */
  reopen(): Promise<DriverConnection>;
}

/**
 * Runs `body` with the QEMU driver on qemu:///system whose machine groups go below a fresh
 * root in every hierarchy of `host`; afterwards its QEMUs are killed and the root removed
 * whatever happened, and a root left behind fails the test (after the body's own failure).
 *
 * @example
 * ```ts ignore
 * await withSystemDriverInTempRoot(hostCgroupMounts()!, "ev-qemu-cg-", async ({ conn }) => {});
 * ```
 */
export async function withSystemDriverInTempRoot(
  host: CgroupMounts,
  prefix: string,
  body: (world: TempRootWorld) => Promise<void>,
): Promise<void> {
  const root = `/edgevirt-test-${crypto.randomUUID().slice(0, 8)}`;
  const mounts: CgroupMounts = { ...host, root };
  const dir = await Deno.makeTempDir({ prefix });
  const launcher = new KeepingLauncher();
  await makeRoot(mounts, root);
  let conn: DriverConnection | undefined;
  let removals: PromiseSettledResult<void>[] = [];
  const open = async () =>
    conn = await qemuConnectDriver.open(new URL("qemu:///system"), {
      stateDir: dir,
      launcher,
      cgroups: mounts,
    }) as DriverConnection;
  const reopen = async () => {
    await conn?.connectClose();
    conn = undefined;
    return await open();
  };
  try {
    await body({ conn: await open(), launcher, mounts, root, reopen });
  } finally {
    for (const p of launcher.procs) if (p.alive()) p.kill("SIGKILL");
    await conn?.connectClose();
    // Every hierarchy's root goes, even when one of them fails.
    removals = await Promise.allSettled(
      hierarchies(mounts).map((h) => removeTree(`${h}${root}`)),
    );
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  for (const r of removals) if (r.status === "rejected") throw r.reason;
}
