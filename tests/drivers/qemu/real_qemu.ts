/**
 * What the tests against a real QEMU share: the emulator they need, and the rule that without it
 * a test is ignored on a developer machine but FAILS in CI (CI set), so a missing emulator never
 * passes silently.
 *
 * @module
 */
import assert from "node:assert/strict";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { type QemuProcess, SystemLauncher } from "../../../drivers/qemu/process/launcher.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import type { SecondaryOpener } from "../../../util/contract/compose.ts";

/** The emulator the real-QEMU tests run. */
export const EMULATOR = "/usr/bin/qemu-system-x86_64";

/** Whether {@link EMULATOR} is installed. */
export const haveQemu: boolean = (() => {
  try {
    return Deno.statSync(EMULATOR).isFile;
  } catch {
    return false;
  }
})();

/** The longest a real-QEMU test may run: a hang fails the test instead of stalling the run. */
const REAL_TEST_LIMIT_MS = 240_000;

/**
 * Registers a test that needs {@link EMULATOR}: ignored without it unless CI is set, where it
 * fails instead; one still running after {@link REAL_TEST_LIMIT_MS} fails.
 *
 * @example
 * ```ts ignore
 * realQemuTest({ name: "real QEMU: starts", fn: async () => {} });
 * ```
 */
export function realQemuTest(
  def: {
    name: string;
    fn: () => Promise<void>;
    sanitizeResources?: boolean;
    sanitizeOps?: boolean;
  },
): void {
  Deno.test({
    ...def,
    ignore: !haveQemu && !Deno.env.get("CI"),
    fn: async () => {
      assert.ok(haveQemu, `${EMULATOR} is required in CI`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const limit = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`still running after ${REAL_TEST_LIMIT_MS / 1000} s`)),
          REAL_TEST_LIMIT_MS,
        );
      });
      try {
        await Promise.race([def.fn(), limit]);
      } finally {
        clearTimeout(timer);
      }
    },
  });
}

/**
 * The system launcher, keeping each QEMU it starts or finds again so the test can ask its
 * monitor what it runs.
 */
export class KeepingLauncher extends SystemLauncher {
  readonly procs: QemuProcess[] = [];
  override async launch(...args: Parameters<SystemLauncher["launch"]>) {
    const proc = await super.launch(...args);
    this.procs.push(proc);
    return proc;
  }
  override async attach(pid: number, monitorPath: string) {
    const proc = await super.attach(pid, monitorPath);
    if (proc) this.procs.push(proc);
    return proc;
  }
}

/** What {@link withRealDriver} hands its body. */
export interface RealDriver {
  dir: string;
  launcher: KeepingLauncher;
  conn: DriverConnection;
}

/**
 * Runs `fn` with a `qemu:///session` connection on a fresh state directory (with the host
 * drivers `options.secondaries` opens for it beside it, and `options.launcher`'s QEMUs);
 * afterwards every QEMU it started is killed and the directory removed, whatever happened.
 *
 * @example
 * ```ts ignore
 * await withRealDriver("ev-x-", async ({ conn }) => {});
 * ```
 */
export async function withRealDriver(
  prefix: string,
  fn: (driver: RealDriver) => Promise<void>,
  options: {
    secondaries?: (dir: string) => SecondaryOpener;
    launcher?: (dir: string) => KeepingLauncher;
    /** How long an async job waits for the running one (the driver's default: 30 s). */
    asyncJobWaitMs?: number;
  } = {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  const launcher = options.launcher?.(dir) ?? new KeepingLauncher();
  const conn = await qemuConnectDriver.open(new URL("qemu:///session"), {
    stateDir: dir,
    launcher,
    secondaries: options.secondaries?.(dir),
    asyncJobWaitMs: options.asyncJobWaitMs,
  }) as DriverConnection;
  try {
    await fn({ dir, launcher, conn });
  } finally {
    for (const p of launcher.procs) if (p.alive()) p.kill("SIGKILL");
    await conn.connectClose();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/**
 * A new 4 MiB qcow2 image `vda.qcow2` in `dir`, and the XML of a 32 MiB domain `name` whose
 * virtio disk it is.
 *
 * @example
 * ```ts ignore
 * const { disk, xml } = await qcow2Domain(dir, "vm");
 * ```
 */
export async function qcow2Domain(
  dir: string,
  name: string,
): Promise<{ disk: string; xml: string }> {
  const disk = `${dir}/vda.qcow2`;
  const made = await new Deno.Command("qemu-img", {
    args: ["create", "-q", "-f", "qcow2", disk, "4M"],
  }).output();
  assert.ok(made.success, new TextDecoder().decode(made.stderr));
  const xml = `<domain type='qemu'><name>${name}</name><memory unit='MiB'>32</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${disk}'/>
<target dev='vda' bus='virtio'/></disk><memballoon model='none'/></devices></domain>`;
  return { disk, xml };
}
