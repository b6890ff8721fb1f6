// Storage migration with real QEMU 7.2 (TCG, no guest) between two QEMU drivers of this process
// on separate state roots: a qcow2 disk whose image holds known data is copied through the
// destination's NBD server (libvirt 9.0's qemuMigrationSrcNBDStorageCopy and
// qemuMigrationDstStartNBDServer), into an image the destination makes in its storage pool
// (qemuMigrationDstPrecreateStorage); with NON_SHARED_INC only the top image of a chain whose
// base both hosts see. The destination's image reads as the source's, the source ends shut
// off (migrated), the copy job's events are libvirt's, and the QMP both QEMUs receive for the
// storage is what libvirt 9.0 sent them for the same migration (recorded by
// tests/tools/record_qemu_storage_migration.sh with QEMU's own trace of its requests, taken
// here the same way). An abort while the disk copies forces the mirror off and leaves the source
// running. Without QEMU this test is ignored on a developer machine but FAILS in CI.
import assert from "node:assert/strict";
import { Connection } from "../../../client/connection.ts";
import { storageDriver } from "../../../drivers/storage/driver.ts";
import { secondaryOpener } from "../../../util/contract/compose.ts";
import { VIR } from "../../../util/constants.ts";
import type { DriverConnection, DriverEvent } from "../../../util/driver.ts";
import type { VirError } from "../../../util/errors.ts";
import { waitFor } from "../../wait.ts";
import { type RealDriver, realQemuTest, withRealDriver } from "./real_qemu.ts";
import { TracingLauncher } from "./tracing_launcher.ts";
import recorded from "../../fixtures/qemu_migration/storage_qmp.json" with { type: "json" };

const E = VIR;
// Each migrating test file listens on its own loopback address: files that run in parallel
// would otherwise pick the same free port of libvirt's range at the same moment.
const HOST = "127.0.0.5";

/** Runs a QEMU tool; its output, or the test fails with its error. */
async function tool(cmd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `${cmd} ${args.join(" ")}: ${text}`);
  return text;
}

/** Checks with qemu-io that `image` reads as `patterns` ([byte, offset, length]). */
async function reads(image: string, patterns: [number, string, string][]): Promise<void> {
  const commands = patterns.flatMap(([p, at, len]) => ["-c", `read -P ${p} ${at} ${len}`]);
  const out = await tool("qemu-io", "-r", ...commands, image);
  assert.ok(!out.includes("Pattern verification failed"), `${image}: ${out}`);
  assert.equal(out.match(/^read \d+\/\d+ bytes/gm)?.length, patterns.length, out);
}

/** The domain's XML, its vda on `disk`. */
function domainXML(disk: string): string {
  return `<domain type='qemu'><name>stor</name><uuid>5a7e0000-0000-4000-8000-00000000c0de</uuid>
<memory unit='MiB'>32</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${disk}'/>
<target dev='vda' bus='virtio'/></disk><memballoon model='none'/></devices></domain>`;
}

/** The lifecycle and BLOCK_JOB_2 events `conn` delivers from now on, as the recording has them. */
function watch(conn: DriverConnection): unknown[][] {
  const seen: unknown[][] = [];
  conn.subscribe!((ev: DriverEvent) => {
    if (ev.eventId === E.DOMAIN_EVENT_ID_LIFECYCLE) {
      seen.push(["lifecycle", ev.data.event, ev.data.detail]);
    } else if (ev.eventId === E.DOMAIN_EVENT_ID_BLOCK_JOB_2) {
      seen.push(["block-job-2", ev.data.disk, ev.data.type, ev.data.status]);
    }
  });
  return seen;
}

type Host = RealDriver & { client: Connection; launcher: TracingLauncher };

/** The commands of a storage migration, each side's, in the order QEMU got them. */
const STORAGE = new Set([
  "nbd-server-start",
  "block-export-add",
  "migrate-incoming",
  "nbd-server-stop",
  "blockdev-add",
  "blockdev-mirror",
  "block-job-cancel",
  "job-dismiss",
  "blockdev-del",
  "migrate-continue",
]);

/**
 * The storage commands of `requests` with the run's ports and address as the recording masks
 * them. libvirt's default bandwidth is its largest (`speed` 2^63 - 2^20 bytes/s, which a JSON
 * number of JavaScript cannot carry exactly); edgevirt leaves QEMU's default, also unlimited.
 */
function storageSteps(requests: Record<string, unknown>[], host: string): unknown[] {
  const text = JSON.stringify(requests.filter((r) => STORAGE.has(String(r.execute))))
    .replaceAll(host, "127.0.0.1")
    .replace(/\b49[12]\d\d\b/g, "PORT")
    .replace(/"port":PORT/g, '"port":"PORT"');
  return JSON.parse(text).map((r: { execute: string; arguments?: { speed?: number } }) => {
    if (r.execute === "blockdev-mirror" && r.arguments?.speed === 9223372036853727232) {
      delete r.arguments.speed;
    }
    return r;
  });
}

/** What libvirt sent in the recorded case `name`, side by side with what edgevirt sent. */
async function compareWithLibvirt(a: Host, b: Host, name: string): Promise<void> {
  const rec = recorded.cases.find((c) => c.case === name)!;
  // Here 2 nodes, the mirror, its cancel and dismissal, 2 removals, the continue; there the
  // server, the export, migrate-incoming, the stop.
  const [source, destination] = [
    storageSteps(rec.source, "127.0.0.1"),
    storageSteps(rec.destination, "127.0.0.1"),
  ];
  assert.deepEqual([source.length, destination.length], [8, 4]);
  assert.deepEqual(storageSteps(await a.launcher.requests(0), HOST), source, "the source's QMP");
  assert.deepEqual(
    storageSteps(await b.launcher.requests(0), HOST),
    destination,
    "the destination's QMP",
  );
}

/**
 * Runs `fn` with a source A and a destination B whose storage driver has the `dir` pool
 * `images` at `B/images`.
 */
async function withTwoHosts(fn: (a: Host, b: Host) => Promise<void>): Promise<void> {
  const launcher = (dir: string) => new TracingLauncher(dir);
  await withRealDriver("ev-stmig-a-", async (a) => {
    await withRealDriver(
      "ev-stmig-b-",
      async (b) => {
        const storage = await storageDriver.open(
          new URL(`qemu:///embed?root=${b.dir}/storage`),
          {},
        );
        try {
          await Deno.mkdir(`${b.dir}/images`);
          const pool = await storage.storagePoolDefineXML!(
            `<pool type='dir'><name>images</name><target><path>${b.dir}/images</path></target></pool>`,
            0,
          );
          await storage.storagePoolCreate!(pool, 0);
        } finally {
          await storage.connectClose();
        }
        await fn(
          {
            ...a,
            client: new Connection(a.conn, "qemu:///embed?root=A"),
            launcher: a.launcher as TracingLauncher,
          },
          {
            ...b,
            client: new Connection(b.conn, "qemu:///embed?root=B"),
            launcher: b.launcher as TracingLauncher,
          },
        );
      },
      {
        launcher,
        secondaries: (dir) =>
          secondaryOpener([storageDriver], new URL(`qemu:///embed?root=${dir}/storage`), {}),
      },
    );
  }, { launcher });
}

/**
 * The migration (recorded case `name`), and its end as libvirt's: the source shut off
 * (migrated), each side's events those libvirt delivered, in their order.
 */
async function migrateAndCheck(
  a: Host,
  b: Host,
  destImage: string,
  name: string,
  diskBytes: number,
) {
  const rec = recorded.cases.find((c) => c.case === name)!;
  const flags = rec.flags;
  const [eventsA, eventsB] = [watch(a.conn), watch(b.conn)];
  const dom = await a.client.lookupDomainByName("stor");
  const params = {
    migrate_uri: `tcp:${HOST}`,
    listen_address: HOST,
    destination_xml: domainXML(destImage),
  };
  const moved = await dom.migrate3(b.client, params, E.MIGRATE_LIVE | flags);
  assert.deepEqual(await moved.getState(), [E.DOMAIN_RUNNING, E.DOMAIN_RUNNING_MIGRATED]);
  assert.deepEqual(await dom.getState(), [E.DOMAIN_SHUTOFF, E.DOMAIN_SHUTOFF_MIGRATED]);
  assert.equal(a.launcher.procs[0].alive(), false, "the source QEMU ended");
  // libvirt's: the copy job READY, the source's pause, the job COMPLETED, its stop.
  assert.deepEqual(rec.events.source.map((e) => e[0]), [
    "block-job-2",
    "lifecycle",
    "block-job-2",
    "lifecycle",
  ]);
  await waitFor(
    () =>
      eventsA.length >= rec.events.source.length &&
      eventsB.length >= rec.events.destination.length,
    30_000,
    20,
    "the migration's events",
  );
  assert.deepEqual(eventsA, rec.events.source, "the source's events");
  assert.deepEqual(eventsB, rec.events.destination, "the destination's events");
  // The completed job counts the disks' copy: the mirrors' length, all of it sent.
  const done = await a.conn.domainGetJobStats!(dom.ref, E.DOMAIN_JOB_STATS_COMPLETED);
  assert.equal(done.operation, E.DOMAIN_JOB_OPERATION_MIGRATION_OUT);
  assert.deepEqual([done.disk_processed, done.disk_remaining], [diskBytes, 0]);
  assert.equal(done.disk_total, diskBytes);
  // The destination's QEMU has its image open: it ends before the image is read.
  await b.conn.domainDestroyFlags!(moved.ref, 0);
}

realQemuTest({
  name:
    "real QEMU: --copy-storage-all copies a qcow2 disk into an image made in the destination's pool",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withTwoHosts(async (a, b) => {
      const disk = `${a.dir}/vda.qcow2`;
      await tool("qemu-img", "create", "-q", "-f", "qcow2", disk, "4M");
      await tool("qemu-io", "-c", "write -P 0x5a 0 1M", "-c", "write -P 0xc3 3M 512k", disk);
      await a.conn.domainCreateWithFlags!(
        await a.conn.domainDefineXMLFlags!(domainXML(disk), 0),
        0,
      );
      const destImage = `${b.dir}/images/vda.qcow2`;
      await migrateAndCheck(a, b, destImage, "all", 4 << 20);
      // Made by the storage driver (qcow2, the source's size), filled by the mirror.
      const info = JSON.parse(await tool("qemu-img", "info", "--output=json", destImage));
      assert.deepEqual([info.format, info["virtual-size"]], ["qcow2", 4 << 20]);
      await reads(destImage, [[0x5a, "0", "1M"], [0, "1M", "2M"], [0xc3, "3M", "512k"]]);
      await tool("qemu-img", "compare", "-q", disk, destImage);
      await compareWithLibvirt(a, b, "all");
    });
  },
});

realQemuTest({
  name: "real QEMU: --copy-storage-inc copies only the top image onto the destination's overlay",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withTwoHosts(async (a, b) => {
      // The base both hosts see; the top image only the source has.
      const base = `${a.dir}/base.qcow2`;
      await tool("qemu-img", "create", "-q", "-f", "qcow2", base, "4M");
      await tool("qemu-io", "-c", "write -P 0x11 0 2M", base);
      const top = `${a.dir}/top.qcow2`;
      await tool("qemu-img", "create", "-q", "-f", "qcow2", "-b", base, "-F", "qcow2", top);
      await tool("qemu-io", "-c", "write -P 0x22 1M 1M", top);
      const destTop = `${b.dir}/images/top.qcow2`;
      await tool("qemu-img", "create", "-q", "-f", "qcow2", "-b", base, "-F", "qcow2", destTop);
      await a.conn.domainCreateWithFlags!(
        await a.conn.domainDefineXMLFlags!(domainXML(top), 0),
        0,
      );
      await migrateAndCheck(a, b, destTop, "inc", 1 << 20);
      await tool("qemu-img", "compare", "-q", top, destTop);
      // The destination's top image alone holds what the source's top held, nothing of the base.
      const alone = `json:{"driver":"qcow2","backing":null,` +
        `"file":{"driver":"file","filename":"${destTop}"}}`;
      await reads(alone, [[0, "0", "1M"], [0x22, "1M", "1M"], [0, "2M", "2M"]]);
      await compareWithLibvirt(a, b, "inc");
    });
  },
});

realQemuTest({
  name: "real QEMU: an abort while the disk copies forces the mirror off; the source runs on",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withTwoHosts(async (a, b) => {
      // 16 MiB at 1 MiB/s (libvirt's bandwidth unit, the mirror's speed too): seconds of copy.
      const disk = `${a.dir}/vda.qcow2`;
      await tool("qemu-img", "create", "-q", "-f", "qcow2", disk, "16M");
      await tool("qemu-io", "-c", "write -P 0x5a 0 16M", disk);
      const ref = await a.conn.domainCreateWithFlags!(
        await a.conn.domainDefineXMLFlags!(domainXML(disk), 0),
        0,
      );
      const destImage = `${b.dir}/images/vda.qcow2`;
      await tool("qemu-img", "create", "-q", "-f", "qcow2", destImage, "16M");
      const dom = await a.client.lookupDomainByName("stor");
      const outcome = dom.migrate3(b.client, {
        migrate_uri: `tcp:${HOST}`,
        listen_address: HOST,
        destination_xml: domainXML(destImage),
        bandwidth: 1,
      }, E.MIGRATE_LIVE | E.MIGRATE_NON_SHARED_DISK).then(() => undefined, (e: VirError) => e);
      await waitFor(
        async () => Number((await a.conn.domainGetJobStats!(ref, 0)).disk_processed) > 0,
        30_000,
        20,
        "the disk's copy under way",
      );
      await a.conn.domainAbortJob!(ref);
      const err = await outcome;
      assert.ok(err, "the migration failed");
      assert.deepEqual([err.code, err.domain, err.message], [
        E.ERR_OPERATION_ABORTED,
        E.FROM_QEMU,
        "operation aborted: migration out job: canceled by client",
      ]);
      assert.deepEqual(await dom.getState(), [E.DOMAIN_RUNNING, E.DOMAIN_RUNNING_BOOTED]);
      // QEMU has neither the mirror nor its target nodes any more.
      const mon = a.launcher.procs[0].monitor;
      await waitFor(
        async () => (await mon.run<unknown[]>("query-block-jobs")).length === 0,
        30_000,
        20,
        "the mirror to end",
      );
      const nodes = await mon.run<{ "node-name": string }[]>("query-named-block-nodes", {
        flat: true,
      });
      assert.deepEqual(nodes.filter((n) => n["node-name"].startsWith("migration-")), []);
      await waitFor(
        async () => (await b.conn.connectListAllDomains!(0)).length === 0,
        30_000,
        20,
        "the destination to drop its domain",
      );
      await waitFor(() => b.launcher.procs.every((p) => !p.alive()), 30_000, 20, "its QEMU");
      await a.conn.domainDestroyFlags!(ref, 0);
      // QEMU's trace is whole once it has ended: the memory was never sent, the mirror forced.
      await waitFor(() => !a.launcher.procs[0].alive(), 30_000, 20, "the source QEMU to end");
      const sent = (await a.launcher.requests(0)).map((r) => r.execute);
      assert.ok(sent.includes("blockdev-mirror") && !sent.includes("migrate"), String(sent));
      assert.deepEqual(
        (await a.launcher.requests(0)).filter((r) => r.execute === "block-job-cancel"),
        [{ execute: "block-job-cancel", arguments: { device: "drive-virtio-disk0", force: true } }],
      );
    });
  },
});
