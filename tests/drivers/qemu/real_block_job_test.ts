// Real QEMU 7.2 (TCG): an external disk-only snapshot of a running domain's qcow2 disk puts a
// new overlay on top (blockdev-create, blockdev-snapshot), the guest's writes land in it, and
// an active block commit with a pivot merges them back into the original image, which QEMU
// then runs on alone: checked in the live and persistent XML, in the events and with
// qemu-img / qemu-io on the files. Without QEMU this test is ignored on a developer machine
// but FAILS in CI.
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import type { DriverEvent } from "../../../util/driver.ts";
import { realQemuTest, withRealDriver } from "./real_qemu.ts";

const E = VIR;
const recorded = JSON.parse(
  await Deno.readTextFile(new URL("../../fixtures/oracle/block_jobs.json", import.meta.url)),
);

/** The `<disk>` element of a domain XML, its image directory written @DIR@. */
const diskOf = (xml: string, dir: string) =>
  xml.match(/<disk .*?<\/disk>/s)![0].replaceAll(dir, "@DIR@");

async function run(cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `${cmd} ${args.join(" ")}: ${text}`);
  return text;
}

/** Checks with qemu-io that `file` holds the guest's 64 KiB of 0xab at offset 0. */
const holdsWrite = (file: string) =>
  run("qemu-io", ["-r", "-U", "-f", "qcow2", "-c", "read -P 0xab 0 64k", file]);

realQemuTest({
  name: "real QEMU: disk-only snapshot, a write, active block commit with pivot",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-blk-", async ({ dir, launcher, conn }) => {
      await run("qemu-img", ["create", "-q", "-f", "qcow2", `${dir}/vda.qcow2`, "16M"]);
      const events: DriverEvent[] = [];
      conn.subscribe!((ev) => events.push(ev));
      const dom = await conn.domainDefineXMLFlags!(
        `<domain type='qemu'><name>bj</name><memory unit='MiB'>32</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${dir}/vda.qcow2'/>
<target dev='vda' bus='virtio'/></disk><memballoon model='none'/></devices></domain>`,
        0,
      );
      await conn.domainCreateWithFlags!(dom, 0);
      const snap = "<domainsnapshot><name>s1</name></domainsnapshot>";
      assert.equal(
        await conn.domainSnapshotCreateXML!(dom, snap, E.DOMAIN_SNAPSHOT_CREATE_DISK_ONLY),
        "s1",
      );
      const info = JSON.parse(
        await run("qemu-img", ["info", "-U", "--output=json", `${dir}/vda.s1`]),
      );
      assert.equal(info.format, "qcow2");
      assert.equal(info["backing-filename"], `${dir}/vda.qcow2`);
      assert.equal(info["virtual-size"], 16 << 20);
      const live = await conn.domainGetXMLDesc!(dom, 0);
      assert.match(live, new RegExp(`<source file='${dir}/vda.s1' index='2'/>`));
      assert.match(
        live,
        new RegExp(
          `<backingStore type='file' index='1'>\\s*<format type='qcow2'/>\\s*<source file='${dir}/vda.qcow2'/>\\s*<backingStore/>`,
        ),
      );
      // The disk as libvirt 9.0 shows it after the same snapshot (block_jobs.json).
      assert.equal(diskOf(live, dir), diskOf(recorded.live_after_s1.ok, "@DIR@"));
      const config = await conn.domainGetXMLDesc!(dom, E.DOMAIN_XML_INACTIVE);
      assert.equal(diskOf(config, dir), diskOf(recorded.inactive_after_s1.ok, "@DIR@"));
      assert.match(
        config,
        new RegExp(`<source file='${dir}/vda.s1'/>\\s*<backingStore type='file'>`),
      );
      const snapXml = await conn.domainSnapshotGetXMLDesc!(dom, "s1", 0);
      assert.match(snapXml, /<state>disk-snapshot<\/state>/);
      assert.match(
        snapXml,
        new RegExp(
          `<disk name='vda' snapshot='external' type='file'>\\s*<driver type='qcow2'/>\\s*<source file='${dir}/vda.s1'/>`,
        ),
      );

      // The guest's write, through QEMU's own block layer (the disk's virtio backend by QOM path: a
      // -blockdev disk has no drive name), lands in the overlay.
      const monitor = launcher.procs[0].monitor;
      for (const command of ["write -P 0xab 0 64k", "flush"]) {
        const out = await monitor.run("human-monitor-command", {
          "command-line": `qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend "${command}"`,
        });
        assert.doesNotMatch(String(out), /error|not found/i);
      }
      await holdsWrite(`${dir}/vda.s1`);

      await conn.domainBlockCommit!(dom, "vda", null, null, 0, E.DOMAIN_BLOCK_COMMIT_ACTIVE);
      for (let i = 0; i < 500; i++) {
        if (events.some((e) => e.eventId === E.DOMAIN_EVENT_ID_BLOCK_JOB_2)) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.deepEqual(await conn.domainGetBlockJobInfo!(dom, "vda", 0), {
        type: E.DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT,
        bandwidth: 0,
        cur: (await conn.domainGetBlockJobInfo!(dom, "vda", 0)).end,
        end: (await conn.domainGetBlockJobInfo!(dom, "vda", 0)).end,
      });
      assert.match(
        await conn.domainGetXMLDesc!(dom, 0),
        new RegExp(
          `<mirror type='file' job='active-commit' ready='yes'>\\s*<format type='qcow2'/>\\s*<source file='${dir}/vda.qcow2'`,
        ),
      );
      await conn.domainBlockJobAbort!(dom, "vda", E.DOMAIN_BLOCK_JOB_ABORT_PIVOT);
      const jobEvents = events.filter((e) =>
        e.eventId === E.DOMAIN_EVENT_ID_BLOCK_JOB || e.eventId === E.DOMAIN_EVENT_ID_BLOCK_JOB_2
      ).map((e) => e.data);
      // libvirt 9.0's order (tests/fixtures/oracle/block_jobs.json, commit_pivot_events).
      assert.deepEqual(jobEvents, [
        { disk: `${dir}/vda.s1`, type: 4, status: E.DOMAIN_BLOCK_JOB_READY },
        { disk: "vda", type: 4, status: E.DOMAIN_BLOCK_JOB_READY },
        { disk: `${dir}/vda.qcow2`, type: 4, status: E.DOMAIN_BLOCK_JOB_COMPLETED },
        { disk: "vda", type: 4, status: E.DOMAIN_BLOCK_JOB_COMPLETED },
      ]);
      const after = await conn.domainGetXMLDesc!(dom, 0);
      assert.equal(diskOf(after, dir), diskOf(recorded.live_after_pivot.ok, "@DIR@"));
      assert.match(
        after,
        new RegExp(
          `<source file='${dir}/vda.qcow2' index='1'/>\\s*<backingStore/>\\s*<target`,
        ),
      );
      assert.doesNotMatch(after, /<mirror/);
      assert.match(
        await conn.domainGetXMLDesc!(dom, E.DOMAIN_XML_INACTIVE),
        new RegExp(`<source file='${dir}/vda.qcow2'/>\\s*<target`),
      );
      assert.deepEqual(await conn.domainGetBlockJobInfo!(dom, "vda", 0), {});
      // The chain as QEMU and qemu-img see it: the original image alone, holding the write.
      const blocks = await monitor.run<
        { inserted?: { file: string; image: Record<string, unknown> } }[]
      >("query-block");
      assert.equal(blocks[0].inserted?.file, `${dir}/vda.qcow2`);
      assert.equal(blocks[0].inserted?.image["backing-image"], undefined);
      const base = JSON.parse(
        await run("qemu-img", [
          "info",
          "-U",
          "--output=json",
          "--backing-chain",
          `${dir}/vda.qcow2`,
        ]),
      );
      assert.equal(base.length, 1);
      assert.equal(base[0]["backing-filename"], undefined);
      await holdsWrite(`${dir}/vda.qcow2`);
      await conn.domainDestroyFlags!(dom, 0);
    });
  },
});

realQemuTest({
  name:
    "real QEMU: libvirt 9.0's recorded chain of snapshots, commits, pull, cancel and copy, disk XML for disk XML",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-blk2-", async ({ dir, conn }) => {
      for (const f of ["vda", "t"]) {
        await run("qemu-img", ["create", "-q", "-f", "qcow2", `${dir}/${f}.qcow2`, "16M"]);
      }
      const events: DriverEvent[] = [];
      conn.subscribe!((ev) => events.push(ev));
      const xml = (name: string, file: string, uuid: string) =>
        `<domain type='qemu'><name>${name}</name><uuid>${uuid}</uuid><memory unit='MiB'>32</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${dir}/${file}'/>
<target dev='vda' bus='virtio'/></disk><memballoon model='none'/></devices></domain>`;
      const dom = await conn.domainDefineXMLFlags!(
        xml("qb", "vda.qcow2", "33333333-2222-3333-4444-777777777777"),
        0,
      );
      await conn.domainCreateWithFlags!(dom, 0);
      const disk = async (flags = 0) => diskOf(await conn.domainGetXMLDesc!(dom, flags), dir);
      const expect = (key: string) => diskOf(recorded[key].ok, "@DIR@");
      const snap = (name: string, flags = 0) =>
        conn.domainSnapshotCreateXML!(
          dom,
          `<domainsnapshot><name>${name}</name></domainsnapshot>`,
          E.DOMAIN_SNAPSHOT_CREATE_DISK_ONLY | flags,
        );
      const waitEvents = async (n: number) => {
        for (let i = 0; i < 500 && jobEvents().length < n; i++) {
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      const jobEvents = () =>
        events.filter((e) => e.eventId === E.DOMAIN_EVENT_ID_BLOCK_JOB).map((e) => ({
          disk: String(e.data.disk).replaceAll(dir, "@DIR@"),
          eventId: e.eventId,
          status: e.data.status,
          type: e.data.type,
        }));
      const recordedJobEvents = (key: string) =>
        recorded[key].ok.filter((e: { eventId: number }) => e.eventId === 8);

      await snap("s1");
      await snap("s2", E.DOMAIN_SNAPSHOT_CREATE_NO_METADATA);
      assert.equal(await disk(), expect("live_after_s2"));
      await conn.domainBlockCommit!(dom, "vda", null, null, 0, E.DOMAIN_BLOCK_COMMIT_ACTIVE);
      await waitEvents(1);
      assert.equal(await disk(), expect("commit_active_live"));
      await conn.domainBlockJobAbort!(dom, "vda", E.DOMAIN_BLOCK_JOB_ABORT_PIVOT);
      assert.equal(await disk(), expect("live_after_pivot"));

      await snap("s3");
      await snap("s4");
      assert.equal(await disk(), expect("live_s4"));
      events.length = 0;
      await conn.domainBlockCommit!(dom, "vda", null, `${dir}/vda.s3`, 0, 0);
      await waitEvents(1);
      assert.deepEqual(jobEvents(), recordedJobEvents("commit_middle_events"));
      assert.equal(await disk(), expect("live_after_commit_middle"));
      assert.equal(await disk(E.DOMAIN_XML_INACTIVE), expect("inactive_after_commit_middle"));
      events.length = 0;
      await conn.domainBlockPull!(dom, "vda", 0, 0);
      await waitEvents(1);
      assert.deepEqual(jobEvents(), recordedJobEvents("pull_events"));
      assert.equal(await disk(), expect("live_after_pull"));
      assert.equal(await disk(E.DOMAIN_XML_INACTIVE), expect("inactive_after_pull"));

      await snap("s5");
      events.length = 0;
      await conn.domainBlockCommit!(dom, "vda", null, null, 1, E.DOMAIN_BLOCK_COMMIT_ACTIVE);
      await waitEvents(1);
      assert.deepEqual(
        await conn.domainGetBlockJobInfo!(dom, "vda", 0),
        recorded.commit_active_bw_info.ok,
      );
      assert.deepEqual(
        await conn.domainGetBlockJobInfo!(dom, "vda", E.DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES),
        recorded.commit_active_bw_info_bytes.ok,
      );
      await conn.domainBlockJobSetSpeed!(dom, "vda", 2, 0);
      assert.deepEqual(
        await conn.domainGetBlockJobInfo!(dom, "vda", 0),
        recorded.commit_active_bw_info_2.ok,
      );
      await conn.domainBlockJobAbort!(dom, "vda", 0);
      assert.deepEqual(jobEvents(), recordedJobEvents("commit_cancel_events"));
      assert.equal(await disk(), expect("live_after_commit_cancel"));

      // Deleting the external snapshot s5 commits its overlay into s4 and deletes it.
      assert.equal(await exists(`${dir}/vda.s5`), recorded.s5_file_before_delete.ok);
      events.length = 0;
      await conn.domainSnapshotDelete!(dom, "s5", 0);
      assert.deepEqual(jobEvents(), recordedJobEvents("delete_external_s5_events"));
      assert.equal(await exists(`${dir}/vda.s5`), recorded.s5_file_after_delete.ok);
      assert.deepEqual(
        (await conn.domainSnapshotListNames!(dom, 0)).toSorted(),
        recorded.snapshots_after_delete_s5.ok.toSorted(),
      );
      assert.equal(
        await conn.domainSnapshotCurrent!(dom, 0),
        recorded.current_after_delete_s5.ok,
      );
      assert.equal(await disk(), expect("live_after_delete_s5"));
      assert.equal(await disk(E.DOMAIN_XML_INACTIVE), expect("inactive_after_delete_s5"));
      assert.equal(
        await error(conn.domainBlockCopy!(
          dom,
          "vda",
          `<disk type='file'><source file='${dir}/copy.qcow2'/><driver type='qcow2'/></disk>`,
          {},
          0,
        )),
        `${recorded.copy.error.code}/${recorded.copy.error.domain} ${recorded.copy.error.message}`,
      );
      await conn.domainDestroyFlags!(dom, 0);

      const tdom = await conn.domainCreateXML!(
        xml("qbt", "t.qcow2", "33333333-2222-3333-4444-888888888888"),
        0,
      );
      const tdisk = async () => diskOf(await conn.domainGetXMLDesc!(tdom, 0), dir);
      events.length = 0;
      await conn.domainBlockCopy!(
        tdom,
        "vda",
        `<disk type='file'><source file='${dir}/copy.qcow2'/><driver type='qcow2'/></disk>`,
        {},
        0,
      );
      await waitEvents(1);
      assert.deepEqual(await conn.domainGetBlockJobInfo!(tdom, "vda", 0), recorded.copy_info.ok);
      assert.equal(await tdisk(), expect("copy_live"));
      await conn.domainBlockJobAbort!(tdom, "vda", E.DOMAIN_BLOCK_JOB_ABORT_PIVOT);
      assert.deepEqual(jobEvents(), recordedJobEvents("copy_pivot_events"));
      assert.equal(await tdisk(), expect("live_after_copy_pivot"));
      events.length = 0;
      await conn.domainBlockCopy!(
        tdom,
        "vda",
        `<disk type='file'><source file='${dir}/copy2.qcow2'/><driver type='qcow2'/></disk>`,
        {},
        E.DOMAIN_BLOCK_COPY_SHALLOW,
      );
      await waitEvents(1);
      await conn.domainBlockJobAbort!(tdom, "vda", 0);
      assert.deepEqual(jobEvents(), recordedJobEvents("copy2_abort_events"));
      assert.equal(await tdisk(), expect("live_after_copy2_abort"));
      await conn.domainDestroyFlags!(tdom, 0);
    });
  },
});

const exists = (file: string) => Deno.stat(file).then(() => true, () => false);

async function error(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => undefined, (e) => e);
  return e ? `${e.code}/${e.domain} ${e.message}` : "accepted";
}

realQemuTest({
  name:
    "real QEMU: a disk-only snapshot of a shut-off domain is qemu-img's overlay, as libvirt 9.0 records it",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-blk3-", async ({ dir, conn, launcher }) => {
      await run("qemu-img", ["create", "-q", "-f", "qcow2", `${dir}/vda.qcow2`, "16M"]);
      const dom = await conn.domainDefineXMLFlags!(
        `<domain type='qemu'><name>qb</name><memory unit='MiB'>32</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${dir}/vda.qcow2'/>
<target dev='vda' bus='virtio'/></disk><memballoon model='none'/></devices></domain>`,
        0,
      );
      assert.equal(
        await conn.domainSnapshotCreateXML!(
          dom,
          "<domainsnapshot><name>off1</name></domainsnapshot>",
          E.DOMAIN_SNAPSHOT_CREATE_DISK_ONLY,
        ),
        recorded.snapshot_inactive_disk_only.ok,
      );
      assert.equal(launcher.procs.length, 0, "no QEMU ran");
      const info = JSON.parse(
        await run("qemu-img", ["info", "-U", "--output=json", `${dir}/vda.off1`]),
      );
      assert.equal(info["backing-filename"], `${dir}/vda.qcow2`);
      assert.equal(info["backing-filename-format"], "qcow2");
      assert.equal(
        diskOf(await conn.domainGetXMLDesc!(dom, 0), dir),
        diskOf(recorded.inactive_after_off1.ok, "@DIR@"),
      );
      const snapXml = await conn.domainSnapshotGetXMLDesc!(dom, "off1", 0);
      const part = (xml: string) => xml.match(/<state>.*?<\/state>|<disks>.*?<\/disks>/gs)!;
      assert.deepEqual(
        part(snapXml).map((x) => x.replaceAll(dir, "@DIR@")),
        part(recorded.off1_xml.ok),
      );
      assert.match(snapXml, /<memory snapshot='no'\/>/);
    });
  },
});
