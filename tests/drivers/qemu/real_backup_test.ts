// Push backups on a real QEMU (TCG) of a qcow2 disk holding known data: one held back by the
// test (QEMU's own block-job-set-speed, so that it is surely running) is read while it runs
// (its XML, its statistics) and aborted; a second one runs to completion and its image is
// compared with the disk by `qemu-img compare`; an incremental one from a checkpoint holds
// just the guest's write since; a pull backup serves the disk over NBD (read by qemu-img) until
// aborted. libvirt 9.0's answers for the same steps are in
// fixtures/backup_push_qmp.json (tests/tools/record_qemu_backup.sh).
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import type { DriverEvent } from "../../../util/driver.ts";
import { type RealDriver, realQemuTest, withRealDriver } from "./real_qemu.ts";
import { waitFor } from "../../wait.ts";

const E = VIR;
const SIZE = 256 * 1024 * 1024;

/** Runs `cmd`, failing the test with its error output. */
async function run(cmd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder();
  assert.ok(out.success, `${cmd} ${args.join(" ")}: ${text.decode(out.stderr)}`);
  return text.decode(out.stdout);
}

/** A running domain whose qcow2 disk holds two patterns, with its events. */
async function domainWithData({ dir, conn }: RealDriver) {
  const disk = `${dir}/vda.qcow2`;
  await run("qemu-img", "create", "-q", "-f", "qcow2", disk, String(SIZE));
  await run(
    "qemu-io",
    "-f",
    "qcow2",
    "-c",
    "write -P 0x5a 0 96M",
    "-c",
    "write -P 0xa5 128M 64M",
    disk,
  );
  const xml = `<domain type='qemu'><name>rbk</name><memory unit='MiB'>32</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${disk}'/>
<target dev='vda' bus='virtio'/></disk><memballoon model='none'/></devices></domain>`;
  const events: DriverEvent[] = [];
  conn.subscribe!((ev) => events.push(ev));
  const dom = await conn.domainCreateXML!(xml, 0);
  const completed = async () => {
    await waitFor(
      () => events.some((e) => e.eventId === E.DOMAIN_EVENT_ID_JOB_COMPLETED),
      30_000,
      20,
      "JOB_COMPLETED",
    );
    const ev = events.find((e) => e.eventId === E.DOMAIN_EVENT_ID_JOB_COMPLETED)!;
    events.length = 0;
    return ev.data.params as Record<string, number | boolean | string>;
  };
  return { disk, dom, events, completed };
}

const backupXML = (target: string) =>
  `<domainbackup><disks><disk name='vda' type='file'><target file='${target}'/></disk></disks></domainbackup>`;

realQemuTest({
  name: "real QEMU: a push backup read while it runs and aborted, then one completed and compared",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-bk-", async (driver) => {
      const { dir, launcher, conn } = driver;
      const { disk, dom, completed } = await domainWithData(driver);
      const target = `${dir}/backup.qcow2`;

      await conn.domainBackupBegin!(dom, backupXML(target), null, 0);
      // Held back by the test, not the driver: a full copy of this disk takes milliseconds.
      await launcher.procs.at(-1)!.monitor.run("block-job-set-speed", {
        device: "backup-vda-libvirt-1-format",
        speed: 1,
      });
      assert.equal(
        await conn.domainBackupGetXMLDesc!(dom, 0),
        `<domainbackup mode='push'>
  <disks>
    <disk name='vda' backup='yes' type='file' backupmode='full' index='2'>
      <driver type='qcow2'/>
      <target file='${target}'/>
    </disk>
  </disks>
</domainbackup>
`,
      );
      const running = await conn.domainGetJobStats!(dom, 0);
      assert.equal(running.type, E.DOMAIN_JOB_UNBOUNDED);
      assert.equal(running.operation, E.DOMAIN_JOB_OPERATION_BACKUP);
      assert.equal(running.disk_total, SIZE);
      assert.equal(
        (running.disk_processed as number) + (running.disk_remaining as number),
        SIZE,
      );
      const info = await conn.domainGetJobInfo!(dom);
      assert.equal(info.type, E.DOMAIN_JOB_UNBOUNDED);
      assert.equal(info.fileTotal, SIZE);
      assert.equal(info.dataTotal, SIZE);
      // libvirt's second backup waits for the first's async job, then gives up (its
      // "another backup job is already running" comes after that wait, never before it).
      const again = await conn.domainBackupBegin!(dom, backupXML(`${dir}/b2.qcow2`), null, 0)
        .catch((e) => e);
      assert.equal(
        again.message,
        "Timed out during operation: cannot acquire state change lock (held by monitor=remoteDispatchDomainBackupBegin)",
      );

      await conn.domainAbortJob!(dom);
      const aborted = await completed();
      assert.equal(aborted.operation, E.DOMAIN_JOB_OPERATION_BACKUP);
      assert.equal(aborted.success, false);
      assert.equal(aborted.errmsg, "Operation canceled");
      assert.equal(aborted.disk_total, SIZE);
      assert.equal(aborted.type, undefined, "the event has no job type");
      const stats = await conn.domainGetJobStats!(dom, E.DOMAIN_JOB_STATS_COMPLETED);
      assert.deepEqual(stats, { ...aborted, type: E.DOMAIN_JOB_CANCELLED });
      // libvirt deletes the image of a push backup that did not complete.
      assert.equal(await Deno.lstat(target).then(() => true, () => false), false);
      const none = await conn.domainBackupGetXMLDesc!(dom, 0).catch((e) => e);
      assert.deepEqual([none.code, none.message], [
        E.ERR_NO_DOMAIN_BACKUP,
        "Domain backup job id not found: no domain backup job present",
      ]);

      await conn.domainBackupBegin!(dom, backupXML(target), null, 0);
      const done = await completed();
      assert.equal(done.success, true);
      assert.deepEqual([done.disk_total, done.disk_processed, done.disk_remaining], [
        SIZE,
        SIZE,
        0,
      ]);
      assert.equal(
        (await conn.domainGetJobStats!(dom, E.DOMAIN_JOB_STATS_COMPLETED)).type,
        E.DOMAIN_JOB_COMPLETED,
      );
      // The backup's nodes are gone from QEMU; the disk's are there.
      const nodes = await launcher.procs.at(-1)!.monitor.run<{ "node-name": string }[]>(
        "query-named-block-nodes",
        { flat: true },
      );
      assert.deepEqual(nodes.map((n) => n["node-name"]).sort(), [
        "libvirt-1-format",
        "libvirt-1-storage",
      ]);
      await run("qemu-img", "compare", "-U", disk, target);
      const refused = await conn.domainBackupBegin!(dom, backupXML(target), null, 0).catch((e) =>
        e
      );
      assert.equal(
        refused.message,
        `invalid argument: store '${target}' for backup of 'vda' exists`,
      );
    }, { asyncJobWaitMs: 500 });
  },
});

realQemuTest({
  name: "real QEMU: an incremental backup from a checkpoint holds only what was written since",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-bki-", async (driver) => {
      const { dir, launcher, conn } = driver;
      const { disk, dom, completed } = await domainWithData(driver);
      const target = `${dir}/inc.qcow2`;
      await conn.domainCheckpointCreateXML!(
        dom,
        "<domaincheckpoint><name>c1</name></domaincheckpoint>",
        0,
      );
      // A guest-like write of 64 KiB at 200M (the disk's frontend, as the guest writes).
      assert.equal(
        await launcher.procs.at(-1)!.monitor.run("human-monitor-command", {
          "command-line":
            `qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend "write -P 0x33 200M 64k"`,
        }),
        "",
      );
      await conn.domainBackupBegin!(
        dom,
        `<domainbackup><incremental>c1</incremental><disks><disk name='vda' type='file'>` +
          `<target file='${target}'/></disk></disks></domainbackup>`,
        null,
        0,
      );
      const done = await completed();
      assert.equal(done.success, true);
      assert.deepEqual([done.disk_total, done.disk_processed], [65536, 65536]);
      // The image holds the written cluster only, over the disk's image.
      const info = JSON.parse(await run("qemu-img", "info", "-U", "--output=json", target));
      assert.equal(info["backing-filename"], disk);
      const map: { start: number; length: number; depth: number; data: boolean }[] = JSON.parse(
        await run("qemu-img", "map", "-U", "--output=json", target),
      );
      assert.deepEqual(
        map.filter((m) => m.depth === 0 && m.data).map((m) => [m.start, m.length]),
        [[200 * 1024 * 1024, 65536]],
      );
      // What the guest wrote, read from the backup's own layer (the disk's image on disk may
      // lack QEMU's unflushed metadata, so the two are not compared here).
      const read = await run(
        "qemu-io",
        "-U",
        "-r",
        "-f",
        "qcow2",
        "-c",
        "read -P 0x33 200M 64k",
        target,
      );
      assert.match(read, /read 65536\/65536 bytes/);
      assert.doesNotMatch(read, /verification failed/);
      // The backup's bitmap is gone; the checkpoint's stays.
      const nodes = await launcher.procs.at(-1)!.monitor.run<
        { "node-name": string; "dirty-bitmaps"?: { name: string }[] }[]
      >("query-named-block-nodes", { flat: true });
      const vda = nodes.find((n) => n["node-name"] === "libvirt-1-format")!;
      assert.deepEqual(vda["dirty-bitmaps"]?.map((b) => b.name), ["c1"]);
    });
  },
});

realQemuTest({
  name: "real QEMU: a pull backup serves the disk over NBD until aborted, then is gone",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-bkp-", async (driver) => {
      const { dir, conn } = driver;
      const { disk, dom, completed } = await domainWithData(driver);
      const scratch = `${dir}/scratch.qcow2`;
      const socket = `${dir}/nbd.sock`;
      await conn.domainBackupBegin!(
        dom,
        `<domainbackup mode='pull'><server transport='unix' socket='${socket}'/><disks>` +
          `<disk name='vda' type='file'><scratch file='${scratch}'/></disk></disks></domainbackup>`,
        null,
        0,
      );
      // What a backup client reads: the disk as it was when the backup began.
      await run(
        "qemu-img",
        "compare",
        "-U",
        "-f",
        "qcow2",
        "-F",
        "raw",
        disk,
        `nbd+unix:///vda?socket=${socket}`,
      );
      await conn.domainAbortJob!(dom);
      const done = await completed();
      assert.equal(done.success, true, "a pull backup ends when its client is done");
      assert.equal(await Deno.lstat(scratch).then(() => true, () => false), false);
      assert.equal(await Deno.lstat(socket).then(() => true, () => false), false);
    });
  },
});
