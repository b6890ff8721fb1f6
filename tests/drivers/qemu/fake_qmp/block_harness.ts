/**
 * A running domain on a fake QEMU with {@link FakeBlockDevices}: a virtio disk `vda`, an empty
 * ide cdrom `hdc`, a virtio-scsi controller and a virtio balloon, defined (or transient) and
 * started, with a migration model for save/restore, a dump model for core dumps, and the commands, events and helpers the
 * device and state tests share.
 *
 * @module
 */
import assert from "node:assert/strict";
import { qemuConnectDriver } from "../../../../drivers/qemu/mod.ts";
import { FakeLauncher } from "../../../../drivers/qemu/testing/mod.ts";
import {
  FakeBlockDevices,
  type FakeBlockOptions,
} from "../../../../drivers/qemu/testing/fake_block.ts";
import {
  FakeMigration,
  type FakeMigrationOptions,
} from "../../../../drivers/qemu/testing/fake_migration.ts";
import { FakeDump, type FakeDumpOptions } from "../../../../drivers/qemu/testing/fake_dump.ts";
import type {
  DomainRef,
  DriverConnection,
  DriverEvent,
  PeerOpener,
} from "../../../../util/driver.ts";
import { VirError } from "../../../../util/errors.ts";
import { VIR } from "../../../../util/constants.ts";
import { IMG } from "../images.ts";
import { closeDriver } from "./close_driver.ts";

/** The image of the domain's disk (`vda`). */
export const VDA = `${IMG}/vda.img`;

/** The domain every test starts. */
export const XML =
  `<domain type='qemu'><name>hp</name><uuid>44444444-2222-3333-4444-555555555555</uuid>
<memory unit='MiB'>128</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os>
<devices>
<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${VDA}'/>
<target dev='vda' bus='virtio'/></disk>
<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>
<controller type='scsi' model='virtio-scsi'/>
<memballoon model='virtio'/></devices></domain>`;

/** libvirt's block cache props for cache='none'. */
export const CACHE_NONE = { direct: true, "no-flush": false };

/** What {@link setup} returns. */
export interface Setup {
  conn: DriverConnection;
  dom: DomainRef;
  block: FakeBlockDevices;
  migration: FakeMigration;
  dump: FakeDump;
  launcher: FakeLauncher;
  events: DriverEvent[];
  dir: string;
  close: () => Promise<void>;
}

/** Starts the domain (persistent unless told) on a fresh fake; `close` cleans everything. */
export async function setup(
  options: FakeBlockOptions & {
    migration?: FakeMigrationOptions;
    dump?: FakeDumpOptions;
    xml?: string;
    /** The host's way to open a peer-to-peer migration's destination. */
    openPeer?: PeerOpener;
    /** How long an async job waits for the running one (the driver's default: 30 s). */
    asyncJobWaitMs?: number;
  } = {},
  persistent = true,
): Promise<Setup> {
  const dir = await Deno.makeTempDir({ prefix: "ev-qdev-hp-" });
  const block = new FakeBlockDevices({
    disks: [
      { id: "virtio-disk0", driver: "virtio-blk-pci" },
      { id: "ide0-1-0", driver: "ide-cd" },
    ],
    ...options,
  });
  const migration = new FakeMigration("hp", options.migration);
  const dump = new FakeDump(options.dump);
  const launcher = blockLauncher(block, migration, dump);
  const conn = await qemuConnectDriver.open(new URL("qemu:///session"), {
    stateDir: dir,
    launcher,
    unplugTimeoutMs: 50,
    openPeer: options.openPeer,
    asyncJobWaitMs: options.asyncJobWaitMs,
  }) as DriverConnection;
  const events: DriverEvent[] = [];
  conn.subscribe!((ev) => events.push(ev));
  const dom = persistent
    ? await conn.domainCreateWithFlags!(await conn.domainDefineXMLFlags!(options.xml ?? XML, 0), 0)
    : await conn.domainCreateXML!(options.xml ?? XML, 0);
  dump.bind([...launcher.instances.values()].at(-1)!);
  const fake = [...launcher.instances.values()].at(-1)!;
  fake.commands.length = 0;
  const t: Setup = {
    conn,
    dom,
    block,
    migration,
    dump,
    launcher,
    events,
    dir,
    // The test may have reopened the connection: the one in `t` is closed.
    close: () => closeDriver(t.conn, dir),
  };
  return t;
}

/**
 * The driver restarted on the same state and fakes (the old connection closed, `t.conn` the new
 * one): the events it sends from then on.
 *
 * @example
 * ```ts ignore
 * const events = await restartDriver(t);
 * ```
 */
export async function restartDriver(t: Setup): Promise<DriverEvent[]> {
  await t.conn.connectClose();
  t.conn = await qemuConnectDriver.open(new URL("qemu:///session"), {
    stateDir: t.dir,
    launcher: t.launcher,
  }) as DriverConnection;
  const events: DriverEvent[] = [];
  t.conn.subscribe!((ev) => events.push(ev));
  return events;
}

/**
 * A launcher whose first QEMU has `block` for its block layer, then `dump` and `migration`.
 *
 * @example
 * ```ts ignore
 * const launcher = blockLauncher(new FakeBlockDevices(), new FakeMigration("vm"));
 * ```
 */
export function blockLauncher(
  block: FakeBlockDevices,
  migration: FakeMigration,
  dump?: FakeDump,
): FakeLauncher {
  // The block model knows the first QEMU's command line from its first command on: a start
  // may already work on the disks (a transient disk's overlay).
  let opened = false;
  const launcher: FakeLauncher = new FakeLauncher({
    onCommand: (execute, args, qemu) => {
      if (!opened) {
        opened = true;
        block.bind([...launcher.instances.values()].at(-1)!);
        block.openCommandLine(launcher.launches.at(-1)!);
      }
      // A dump's migration blocker answers `migrate` before the migration model.
      return block.handle(execute, args) ?? dump?.handle(execute, args) ??
        migration.handle(execute, args, qemu);
    },
  });
  return launcher;
}

/** The QMP commands the fake received since the start, without the queries. */
export function qmp(t: Setup): { execute: string; arguments?: Record<string, unknown> }[] {
  const fake = [...t.launcher.instances.values()].at(-1)!;
  return fake.commands.filter((c) => !c.execute.startsWith("query-"));
}

/** The VirError a promise rejects with. */
export async function error(p: Promise<unknown>): Promise<VirError> {
  const e = await p.then(() => undefined, (e) => e);
  assert.ok(e instanceof VirError, `expected a VirError, got ${e}`);
  return e;
}

/** Takes disk-only snapshots `names` of vda, each overlay `DIR/vda.NAME`. */
export async function snapshots(t: Setup, ...names: string[]): Promise<void> {
  for (const name of names) {
    await t.conn.domainSnapshotCreateXML!(
      t.dom,
      `<domainsnapshot><name>${name}</name><disks><disk name='vda'><source file='${t.dir}/vda.${name}'/>` +
        "</disk><disk name='hdc' snapshot='no'/></disks></domainsnapshot>",
      VIR.DOMAIN_SNAPSHOT_CREATE_DISK_ONLY | VIR.DOMAIN_SNAPSHOT_CREATE_NO_METADATA,
    );
  }
}
