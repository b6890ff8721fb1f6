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

      // The guest's write, through QEMU's own block layer, lands in the overlay.
      const monitor = launcher.procs[0].monitor;
      await monitor.run("human-monitor-command", {
        "command-line": 'qemu-io drive0 "write -P 0xab 0 64k"',
      });
      await monitor.run("human-monitor-command", { "command-line": 'qemu-io drive0 "flush"' });
      await run("qemu-io", [
        "-r",
        "-U",
        "-f",
        "qcow2",
        "-c",
        "read -P 0xab 0 64k",
        `${dir}/vda.s1`,
      ]);

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
      await run("qemu-io", [
        "-r",
        "-U",
        "-f",
        "qcow2",
        "-c",
        "read -P 0xab 0 64k",
        `${dir}/vda.qcow2`,
      ]);
      await conn.domainDestroyFlags!(dom, 0);
    });
  },
});
