// External disk-only snapshots and block jobs against a fake QEMU: the QMP sequences of
// libvirt 9.0 (blockdev-add of the overlay's file, a blockdev-create job, blockdev-add of its
// qcow2 node, one transaction of blockdev-snapshot; block-commit with its job id and nodes,
// job-complete to pivot) and its answers and errors as recorded from libvirt 9.0's QEMU driver
// (tests/fixtures/oracle/block_jobs.json, by tests/tools/block_jobs/record.sh).
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import {
  error,
  qmp,
  restartDriver,
  type Setup,
  setup,
  snapshots,
  VDA,
  XML,
} from "./fake_qmp/block_harness.ts";
import { FakeAgent } from "./fake_agent.ts";
import { imageDir } from "./images.ts";

const E = VIR;
const recorded = JSON.parse(
  await Deno.readTextFile(new URL("../../fixtures/oracle/block_jobs.json", import.meta.url)),
);

/** A recorded libvirt error, as `code/domain message`, its directory replaced by `dir`. */
function libvirtError(key: string, dir = ""): string {
  const e = recorded[key].error;
  return `${e.code}/${e.domain} ${e.message.replaceAll("@DIR@", dir)}`;
}

const asText = async (p: Promise<unknown>) => {
  const e = await error(p);
  return `${e.code}/${e.domain} ${e.message}`;
};

const jobEvents = (events: { eventId: number; data: Record<string, unknown> }[]) =>
  events.filter((e) =>
    e.eventId === E.DOMAIN_EVENT_ID_BLOCK_JOB || e.eventId === E.DOMAIN_EVENT_ID_BLOCK_JOB_2
  ).map((e) => e.data);

Deno.test("disk-only snapshot, active commit and pivot: libvirt's QMP, XML, events and errors", async () => {
  const t = await setup();
  const overlay = `${t.dir}/vda.s1`;
  try {
    // No backing chain yet: libvirt's chain lookup fails before anything else.
    assert.equal(
      await asText(t.conn.domainBlockCommit!(t.dom, "vda", null, null, 0, 0)),
      libvirtError("commit_no_backing").replace("@DIR@", ""),
    );
    assert.deepEqual(
      await t.conn.domainGetBlockJobInfo!(t.dom, "vda", 0),
      recorded.job_info_none.ok,
    );
    assert.equal(
      await asText(t.conn.domainBlockJobAbort!(t.dom, "vda", 0)),
      libvirtError("job_abort_none"),
    );
    assert.equal(
      await asText(t.conn.domainGetBlockJobInfo!(t.dom, "vdz", 0)),
      libvirtError("job_info_bad_disk"),
    );
    assert.equal(
      await asText(t.conn.domainSnapshotCreateXML!(
        t.dom,
        "<domainsnapshot><name>x</name><disks><disk name='vda' snapshot='internal'/></disks></domainsnapshot>",
        E.DOMAIN_SNAPSHOT_CREATE_DISK_ONLY,
      )),
      libvirtError("snapshot_internal_raw_disk_only"),
    );
    await Deno.writeTextFile(`${t.dir}/exists.qcow2`, "x");
    assert.equal(
      await asText(t.conn.domainSnapshotCreateXML!(
        t.dom,
        `<domainsnapshot><name>x</name><disks><disk name='vda'><source file='${t.dir}/exists.qcow2'/></disk><disk name='hdc' snapshot='no'/></disks></domainsnapshot>`,
        E.DOMAIN_SNAPSHOT_CREATE_DISK_ONLY,
      )),
      libvirtError("snapshot_exists", t.dir),
    );

    const snap =
      `<domainsnapshot><name>s1</name><disks><disk name='vda'><source file='${overlay}'/>` +
      "</disk><disk name='hdc' snapshot='no'/></disks></domainsnapshot>";
    assert.equal(
      await t.conn.domainSnapshotCreateXML!(t.dom, snap, E.DOMAIN_SNAPSHOT_CREATE_DISK_ONLY),
      "s1",
    );
    assert.deepEqual(qmp(t).map((c) => [c.execute, c.arguments]), [
      ["blockdev-add", {
        driver: "file",
        filename: overlay,
        "node-name": "libvirt-3-storage",
        "auto-read-only": true,
        discard: "unmap",
      }],
      ["blockdev-create", {
        "job-id": "create-libvirt-3-format",
        options: {
          driver: "qcow2",
          file: "libvirt-3-storage",
          size: 1 << 20,
          "backing-file": VDA,
          "backing-fmt": "raw",
        },
      }],
      ["job-dismiss", { id: "create-libvirt-3-format" }],
      ["blockdev-add", {
        "node-name": "libvirt-3-format",
        "read-only": false,
        driver: "qcow2",
        file: "libvirt-3-storage",
        backing: null,
      }],
      ["transaction", {
        actions: [{
          type: "blockdev-snapshot",
          data: { node: "libvirt-2-format", overlay: "libvirt-3-format" },
        }],
      }],
    ]);
    assert.equal((await Deno.stat(overlay)).isFile, true);
    const live = await t.conn.domainGetXMLDesc!(t.dom, 0);
    assert.match(
      live,
      new RegExp(
        `<driver name='qemu' type='qcow2'/>\\s*<source file='${overlay}' index='3'/>\\s*` +
          `<backingStore type='file' index='2'>\\s*<format type='raw'/>\\s*<source file='${VDA}'/>\\s*<backingStore/>`,
      ),
    );
    const config = await t.conn.domainGetXMLDesc!(t.dom, E.DOMAIN_XML_INACTIVE);
    assert.match(
      config,
      new RegExp(
        `<source file='${overlay}'/>\\s*<backingStore type='file'>\\s*<format type='raw'/>\\s*` +
          `<source file='${VDA}'/>\\s*</backingStore>`,
      ),
    );
    const snapXml = await t.conn.domainSnapshotGetXMLDesc!(t.dom, "s1", 0);
    assert.match(snapXml, /<state>disk-snapshot<\/state>/);
    assert.match(snapXml, /<memory snapshot='no'\/>/);
    assert.match(
      snapXml,
      new RegExp(
        `<disk name='vda' snapshot='external' type='file'>\\s*<driver type='qcow2'/>\\s*<source file='${overlay}'/>`,
      ),
    );
    assert.equal(
      await asText(t.conn.domainRevertToSnapshot!(t.dom, "s1", 0)),
      libvirtError("revert_s1"),
    );

    t.events.length = 0;
    assert.equal(
      await asText(t.conn.domainBlockCommit!(t.dom, "vda", null, null, 0, 0)),
      libvirtError("commit_active_no_flag"),
    );
    const fake = [...t.launcher.instances.values()].at(-1)!;
    fake.commands.length = 0;
    await t.conn.domainBlockCommit!(t.dom, "vda", null, null, 1, E.DOMAIN_BLOCK_COMMIT_ACTIVE);
    assert.deepEqual(qmp(t).map((c) => [c.execute, c.arguments]), [
      ["block-commit", {
        device: "libvirt-3-format",
        "job-id": "commit-vda-libvirt-3-format",
        speed: 1 << 20,
        "top-node": "libvirt-3-format",
        "base-node": "libvirt-2-format",
        "auto-finalize": true,
        "auto-dismiss": false,
      }],
    ]);
    assert.equal(
      await asText(t.conn.domainBlockPull!(t.dom, "vda", 0, 0)),
      libvirtError("commit_second_job"),
    );
    for (let i = 0; i < 100 && !jobEvents(t.events).length; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.deepEqual(await t.conn.domainGetBlockJobInfo!(t.dom, "vda", 0), {
      ...recorded.commit_active_bw_info.ok,
    });
    assert.match(
      await t.conn.domainGetXMLDesc!(t.dom, 0),
      new RegExp(
        String
          .raw`<mirror type='file' job='active-commit' ready='yes'>\s*<format type='raw'/>\s*<source file='${VDA}' index='2'/>\s*</mirror>\s*<target`,
      ),
    );
    await t.conn.domainBlockJobSetSpeed!(t.dom, "vda", 2, 0);
    assert.deepEqual(qmp(t).at(-1), {
      execute: "block-job-set-speed",
      arguments: { device: "commit-vda-libvirt-3-format", speed: 2 << 20 },
    });
    assert.deepEqual(
      await t.conn.domainGetBlockJobInfo!(t.dom, "vda", 0),
      recorded.commit_active_bw_info_2.ok,
    );
    await t.conn.domainBlockJobAbort!(t.dom, "vda", E.DOMAIN_BLOCK_JOB_ABORT_PIVOT);
    const names = (d: Record<string, unknown>) => ({
      ...d,
      disk: String(d.disk).replace(overlay, "@DIR@/vda.s2").replace(
        VDA,
        "@DIR@/vda.qcow2",
      ),
    });
    // libvirt's events in libvirt's order, the disk paths aside (its chain was one longer).
    assert.deepEqual(
      jobEvents(t.events).map(names),
      recorded.commit_pivot_events.ok.map((e: Record<string, unknown>) => ({
        disk: e.disk,
        type: e.type,
        status: e.status,
      })),
    );
    assert.ok(qmp(t).some((c) => c.execute === "job-complete"));
    assert.ok(qmp(t).some((c) => c.execute === "blockdev-del"));
    const after = await t.conn.domainGetXMLDesc!(t.dom, 0);
    assert.match(
      after,
      new RegExp(String.raw`<source file='${VDA}' index='2'/>\s*<backingStore/>\s*<target`),
    );
    assert.match(
      await t.conn.domainGetXMLDesc!(t.dom, E.DOMAIN_XML_INACTIVE),
      new RegExp(String.raw`<source file='${VDA}'/>\s*<target`),
    );
    assert.deepEqual(await t.conn.domainGetBlockJobInfo!(t.dom, "vda", 0), {});
    assert.equal(
      await asText(t.conn.domainBlockJobSetSpeed!(t.dom, "vda", 1, 0)),
      libvirtError("job_abort_none"),
    );
    assert.equal(
      await asText(t.conn.domainSnapshotDelete!(t.dom, "s1", 0)),
      // Its overlay was committed away: libvirt's chain lookup finds it no more.
      "8/18 invalid argument: could not find base disk source in disk source chain",
    );
  } finally {
    await t.close();
  }
});

/** Waits until `n` block job events arrived. */
async function jobEventCount(t: Setup, n: number): Promise<void> {
  for (let i = 0; i < 200 && jobEvents(t.events).length < n; i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** libvirt's recorded events, its image names mapped onto the fake's. */
function recordedEvents(key: string, dir: string, base = VDA) {
  return recorded[key].ok.map((e: Record<string, unknown>) => ({
    disk: String(e.disk).replace("@DIR@/vda.qcow2", base).replace("@DIR@/t.qcow2", base)
      .replace("@DIR@", dir),
    type: e.type,
    status: e.status,
  }));
}

async function fakeSetup(persistent = true): Promise<Setup> {
  const t = await setup({}, persistent);
  return t;
}

Deno.test("commit below the top, then pull: block-commit / block-stream, libvirt's chains and events", async () => {
  const t = await fakeSetup();
  try {
    await snapshots(t, "s3", "s4");
    const mapped = (key: string) => libvirtError(key, t.dir).replaceAll(`${t.dir}/vda.qcow2`, VDA);
    assert.equal(
      await asText(t.conn.domainBlockCommit!(
        t.dom,
        "vda",
        null,
        `${t.dir}/vda.s3`,
        0,
        E.DOMAIN_BLOCK_COMMIT_ACTIVE,
      )),
      mapped("commit_not_active_with_flag"),
    );
    assert.equal(
      await asText(t.conn.domainBlockCommit!(
        t.dom,
        "vda",
        VDA,
        null,
        0,
        E.DOMAIN_BLOCK_COMMIT_ACTIVE | E.DOMAIN_BLOCK_COMMIT_SHALLOW,
      )),
      mapped("commit_shallow_bad_base"),
    );
    for (
      const [top, key] of [["/nonexistent", "commit_unknown_top"], ["vda[9]", "commit_bad_index"], [
        "vdb[1]",
        "commit_other_target",
      ]]
    ) {
      assert.equal(
        await asText(t.conn.domainBlockCommit!(t.dom, "vda", null, top, 0, 0)),
        mapped(key),
      );
    }
    const fake = [...t.launcher.instances.values()].at(-1)!;
    fake.commands.length = 0;
    t.events.length = 0;
    await t.conn.domainBlockCommit!(t.dom, "vda", null, `${t.dir}/vda.s3`, 0, 0);
    await jobEventCount(t, 2);
    assert.deepEqual(qmp(t)[0], {
      execute: "block-commit",
      arguments: {
        device: "libvirt-4-format",
        "job-id": "commit-vda-libvirt-3-format",
        "top-node": "libvirt-3-format",
        "base-node": "libvirt-2-format",
        "backing-file": VDA,
        "auto-finalize": true,
        "auto-dismiss": false,
      },
    });
    assert.deepEqual(jobEvents(t.events), recordedEvents("commit_middle_events", t.dir));
    assert.match(
      await t.conn.domainGetXMLDesc!(t.dom, 0),
      new RegExp(
        `<source file='${t.dir}/vda.s4' index='4'/>\\s*<backingStore type='file' index='2'>\\s*` +
          `<format type='raw'/>\\s*<source file='${VDA}'/>\\s*<backingStore/>\\s*</backingStore>\\s*<target`,
      ),
    );
    assert.match(
      await t.conn.domainGetXMLDesc!(t.dom, E.DOMAIN_XML_INACTIVE),
      new RegExp(
        `<source file='${t.dir}/vda.s4'/>\\s*<backingStore type='file'>\\s*<format type='raw'/>\\s*` +
          `<source file='${VDA}'/>\\s*</backingStore>\\s*<target`,
      ),
    );

    fake.commands.length = 0;
    t.events.length = 0;
    await t.conn.domainBlockPull!(t.dom, "vda", 0, 0);
    await jobEventCount(t, 2);
    assert.deepEqual(qmp(t)[0], {
      execute: "block-stream",
      arguments: {
        device: "libvirt-4-format",
        "job-id": "pull-vda-libvirt-4-format",
        "auto-finalize": true,
        "auto-dismiss": false,
      },
    });
    assert.deepEqual(jobEvents(t.events), recordedEvents("pull_events", t.dir));
    assert.match(
      await t.conn.domainGetXMLDesc!(t.dom, 0),
      new RegExp(`<source file='${t.dir}/vda.s4' index='4'/>\\s*<backingStore/>\\s*<target`),
    );
    assert.match(
      await t.conn.domainGetXMLDesc!(t.dom, E.DOMAIN_XML_INACTIVE),
      new RegExp(`<source file='${t.dir}/vda.s4'/>\\s*<target`),
    );
  } finally {
    await t.close();
  }
});

Deno.test("an active commit cancelled once ready: CANCELED, the chain and the overlay stay", async () => {
  const t = await fakeSetup();
  try {
    await snapshots(t, "s5");
    t.events.length = 0;
    await t.conn.domainBlockCommit!(t.dom, "vda", null, null, 0, E.DOMAIN_BLOCK_COMMIT_ACTIVE);
    await jobEventCount(t, 2);
    await t.conn.domainBlockJobAbort!(t.dom, "vda", 0);
    assert.deepEqual(jobEvents(t.events), recordedEvents("commit_cancel_events", t.dir));
    const live = await t.conn.domainGetXMLDesc!(t.dom, 0);
    assert.match(
      live,
      new RegExp(
        `<source file='${t.dir}/vda.s5' index='3'/>\\s*<backingStore type='file' index='2'>`,
      ),
    );
    assert.doesNotMatch(live, /<mirror/);
    assert.ok(qmp(t).some((c) => c.execute === "block-job-cancel"));
    // qemuBlockJobProcessEventFailedActiveCommit runs for a cancelled one too: it removes the
    // pivot's write bitmap from the base, which no pivot added (QEMU's error is ignored).
    assert.deepEqual(qmp(t).at(-1), {
      execute: "block-dirty-bitmap-remove",
      arguments: { node: "libvirt-2-format", name: "libvirt-tmp-activewrite" },
    });
  } finally {
    await t.close();
  }
});

Deno.test("block copy: refused for a persistent domain; a transient one mirrors, pivots, cancels", async () => {
  const persistent = await fakeSetup();
  try {
    assert.equal(
      await asText(persistent.conn.domainBlockCopy!(
        persistent.dom,
        "vda",
        `<disk type='file'><source file='${persistent.dir}/copy.qcow2'/><driver type='qcow2'/></disk>`,
        {},
        0,
      )),
      libvirtError("copy"),
    );
  } finally {
    await persistent.close();
  }
  const t = await fakeSetup(false);
  try {
    const copy = `${t.dir}/copy.qcow2`;
    const dest = `<disk type='file'><source file='${copy}'/><driver type='qcow2'/></disk>`;
    assert.equal(
      await asText(t.conn.domainBlockCopy!(t.dom, "vda", dest, { speed: 1 }, 0)),
      "74/0 argument unsupported: parameter 'speed' not supported",
    );
    assert.equal(
      await asText(t.conn.domainBlockCopy!(t.dom, "vda", dest, { granularity: 3 }, 0)),
      "8/10 invalid argument: granularity must be power of 2",
    );
    t.events.length = 0;
    await t.conn.domainBlockCopy!(
      t.dom,
      "vda",
      `<disk type='file'><source file='${copy}'/><driver type='qcow2'/></disk>`,
      {},
      0,
    );
    assert.deepEqual(qmp(t).map((c) => c.execute), [
      "blockdev-add",
      "blockdev-create",
      "job-dismiss",
      "blockdev-add",
      "blockdev-mirror",
    ]);
    assert.deepEqual(qmp(t)[4].arguments, {
      "job-id": "copy-vda-libvirt-2-format",
      device: "libvirt-2-format",
      target: "libvirt-3-format",
      sync: "full",
      "auto-finalize": true,
      "auto-dismiss": false,
    });
    await jobEventCount(t, 2);
    assert.deepEqual(await t.conn.domainGetBlockJobInfo!(t.dom, "vda", 0), {
      type: E.DOMAIN_BLOCK_JOB_TYPE_COPY,
      bandwidth: 0,
      cur: 1,
      end: 1,
    });
    assert.match(
      await t.conn.domainGetXMLDesc!(t.dom, 0),
      new RegExp(
        `<mirror type='file' file='${copy}' format='qcow2' job='copy' ready='yes'>\\s*` +
          `<format type='qcow2'/>\\s*<source file='${copy}' index='3'/>\\s*<backingStore/>\\s*</mirror>`,
      ),
    );
    await t.conn.domainBlockJobAbort!(t.dom, "vda", E.DOMAIN_BLOCK_JOB_ABORT_PIVOT);
    assert.deepEqual(jobEvents(t.events), recordedEvents("copy_pivot_events", t.dir));
    assert.match(
      await t.conn.domainGetXMLDesc!(t.dom, 0),
      new RegExp(
        `<driver name='qemu' type='qcow2'/>\\s*<source file='${copy}' index='3'/>\\s*<backingStore/>\\s*<target`,
      ),
    );

    const copy2 = `${t.dir}/copy2.qcow2`;
    t.events.length = 0;
    await t.conn.domainBlockCopy!(
      t.dom,
      "vda",
      `<disk type='file'><source file='${copy2}'/><driver type='qcow2'/></disk>`,
      {},
      E.DOMAIN_BLOCK_COPY_SHALLOW,
    );
    await jobEventCount(t, 2);
    await t.conn.domainBlockJobAbort!(t.dom, "vda", 0);
    assert.deepEqual(jobEvents(t.events), recordedEvents("copy2_abort_events", t.dir));
    assert.equal((await Deno.stat(copy2)).isFile, recorded.copy2_exists.ok);
    assert.match(
      await t.conn.domainGetXMLDesc!(t.dom, 0),
      new RegExp(`<source file='${copy}' index='3'/>\\s*<backingStore/>\\s*<target`),
    );
    assert.ok(
      qmp(t).some((c) =>
        c.execute === "blockdev-del" && c.arguments?.["node-name"] === "libvirt-4-format"
      ),
    );
  } finally {
    await t.close();
  }
});

Deno.test("a driver restarted during a ready active commit picks the job up from its status and pivots", async () => {
  const t = await fakeSetup();
  try {
    await snapshots(t, "s1");
    await t.conn.domainBlockCommit!(t.dom, "vda", null, null, 0, E.DOMAIN_BLOCK_COMMIT_ACTIVE);
    await jobEventCount(t, 2);
    const events = await restartDriver(t);
    assert.deepEqual(
      await t.conn.domainGetBlockJobInfo!(t.dom, "vda", 0),
      recorded.commit_active_info.ok,
    );
    assert.match(
      await t.conn.domainGetXMLDesc!(t.dom, 0),
      /<mirror type='file' job='active-commit' ready='yes'>/,
    );
    await t.conn.domainBlockJobAbort!(t.dom, "vda", E.DOMAIN_BLOCK_JOB_ABORT_PIVOT);
    assert.deepEqual(jobEvents(events).map((e) => e.status), [0, 0]);
    assert.match(
      await t.conn.domainGetXMLDesc!(t.dom, 0),
      new RegExp(String.raw`<source file='${VDA}' index='2'/>\s*<backingStore/>\s*<target`),
    );
  } finally {
    await t.close();
  }
});

Deno.test("flags each call does not know are refused with its libvirt function's name", async () => {
  const t = await fakeSetup();
  try {
    for (
      const [call, fn] of [
        [() => t.conn.domainBlockPull!(t.dom, "vda", 0, 1), "qemuDomainBlockPull"],
        [
          () => t.conn.domainBlockCommit!(t.dom, "vda", null, null, 0, 1 << 8),
          "qemuDomainBlockCommit",
        ],
        [() => t.conn.domainBlockJobAbort!(t.dom, "vda", 4), "qemuDomainBlockJobAbort"],
        [() => t.conn.domainBlockJobSetSpeed!(t.dom, "vda", 0, 2), "qemuDomainBlockJobSetSpeed"],
        [() => t.conn.domainGetBlockJobInfo!(t.dom, "vda", 2), "qemuDomainGetBlockJobInfo"],
        [
          () => t.conn.domainBlockCopy!(t.dom, "vda", "<disk><source file='/c'/></disk>", {}, 16),
          "qemuDomainBlockCopy",
        ],
      ] as [() => Promise<unknown>, string][]
    ) {
      const e = await error(call());
      assert.equal(e.code, E.ERR_INVALID_ARG);
      assert.match(
        e.message,
        new RegExp(`^unsupported flags \\(0x[0-9a-f]+\\) in function ${fn}$`),
      );
    }
  } finally {
    await t.close();
  }
});

Deno.test("a disk-only snapshot with HALT stops the domain from the snapshot, its config on the overlay", async () => {
  const t = await fakeSetup();
  try {
    t.events.length = 0;
    await t.conn.domainSnapshotCreateXML!(
      t.dom,
      `<domainsnapshot><name>h</name><disks><disk name='vda'><source file='${t.dir}/vda.h'/>` +
        "</disk></disks></domainsnapshot>",
      E.DOMAIN_SNAPSHOT_CREATE_DISK_ONLY | E.DOMAIN_SNAPSHOT_CREATE_HALT,
    );
    assert.deepEqual(await t.conn.domainGetState!(t.dom, 0), [
      E.DOMAIN_SHUTOFF,
      E.DOMAIN_SHUTOFF_FROM_SNAPSHOT,
    ]);
    assert.deepEqual(
      t.events.filter((e) => e.eventId === E.DOMAIN_EVENT_ID_LIFECYCLE).map((e) => e.data),
      [{ event: E.DOMAIN_EVENT_STOPPED, detail: E.DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT }],
    );
    assert.match(
      await t.conn.domainGetXMLDesc!(t.dom, 0),
      new RegExp(`<source file='${t.dir}/vda.h'/>\\s*<backingStore type='file'>`),
    );
  } finally {
    await t.close();
  }
});

Deno.test("a job ends with its QEMU: after a destroy and a new start the disk takes jobs again", async () => {
  const t = await fakeSetup();
  try {
    await snapshots(t, "s1");
    await t.conn.domainBlockCommit!(t.dom, "vda", null, null, 0, E.DOMAIN_BLOCK_COMMIT_ACTIVE);
    await jobEventCount(t, 2);
    await t.conn.domainDestroyFlags!(t.dom, 0);
    await t.conn.domainCreateWithFlags!(t.dom, 0);
    t.block.bind([...t.launcher.instances.values()].at(-1)!);
    assert.deepEqual(await t.conn.domainGetBlockJobInfo!(t.dom, "vda", 0), {});
    assert.equal(
      await asText(t.conn.domainBlockJobAbort!(t.dom, "vda", 0)),
      libvirtError("job_abort_none"),
    );
    assert.doesNotMatch(await t.conn.domainGetXMLDesc!(t.dom, 0), /<mirror/);
  } finally {
    await t.close();
  }
});

Deno.test("QUIESCE: refused without an agent; with one, the guest's file systems are frozen around the transaction", async () => {
  const AGENT =
    "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>";
  const snap = (t: Setup, name: string) =>
    t.conn.domainSnapshotCreateXML!(
      t.dom,
      `<domainsnapshot><name>${name}</name><disks><disk name='vda'><source file='${t.dir}/vda.${name}'/>` +
        "</disk></disks></domainsnapshot>",
      E.DOMAIN_SNAPSHOT_CREATE_DISK_ONLY | E.DOMAIN_SNAPSHOT_CREATE_QUIESCE,
    );
  const plain = await fakeSetup();
  try {
    assert.equal(
      await asText(snap(plain, "q0")),
      "74/10 argument unsupported: QEMU guest agent is not configured",
    );
  } finally {
    await plain.close();
  }
  const t = await setup({ xml: XML.replace("</devices>", `${AGENT}</devices>`) });
  const live = await t.conn.domainGetXMLDesc!(t.dom, 0);
  const agent = FakeAgent.listen(live.match(/<source mode='bind' path='([^']+)'/)![1], {
    replies: {
      "guest-fsfreeze-freeze": () => ({ return: 2 }),
      "guest-fsfreeze-thaw": () => ({ return: 2 }),
    },
  });
  try {
    const fake = [...t.launcher.instances.values()].at(-1)!;
    fake.guestOpenPort("channel0", true);
    for (
      let i = 0;
      i < 500 &&
      !t.events.some((e) => e.eventId === E.DOMAIN_EVENT_ID_AGENT_LIFECYCLE && e.data.state === 1);
      i++
    ) {
      await new Promise((r) => setTimeout(r, 2));
    }
    fake.commands.length = 0;
    assert.equal(await snap(t, "q1"), "q1");
    assert.deepEqual(agent.executed, ["guest-fsfreeze-freeze", "guest-fsfreeze-thaw"]);
    assert.ok(qmp(t).some((c) => c.execute === "transaction"));
  } finally {
    await agent.close();
    await t.close();
  }
});

Deno.test("a transient disk takes no block job: pull, copy and disk-only snapshot refused as qemuDomainDiskBlockJobIsSupported", async () => {
  // The start makes the disk's overlay next to its image.
  const images = await imageDir("ev-transient-img-");
  const t = await setup({
    xml: XML.replace(VDA, `${images}/vda.img`).replace(
      "<target dev='vda' bus='virtio'/>",
      "<target dev='vda' bus='virtio'/><transient/>",
    ),
  });
  try {
    const refused =
      "84/10 Operation not supported: block jobs are not supported on transient disk 'vda'";
    const fake = [...t.launcher.instances.values()].at(-1)!;
    fake.commands.length = 0;
    assert.equal(await asText(t.conn.domainBlockPull!(t.dom, "vda", 0, 0)), refused);
    assert.equal(
      await asText(t.conn.domainBlockCopy!(
        t.dom,
        "vda",
        `<disk type='file'><source file='${t.dir}/copy.qcow2'/><driver type='qcow2'/></disk>`,
        {},
        E.DOMAIN_BLOCK_COPY_TRANSIENT_JOB,
      )),
      refused,
    );
    assert.equal(
      await asText(t.conn.domainSnapshotCreateXML!(
        t.dom,
        `<domainsnapshot><name>s1</name><disks><disk name='vda'><source file='${t.dir}/vda.s1'/>` +
          "</disk><disk name='hdc' snapshot='no'/></disks></domainsnapshot>",
        E.DOMAIN_SNAPSHOT_CREATE_DISK_ONLY,
      )),
      refused,
    );
    assert.deepEqual(qmp(t), []);
    assert.deepEqual(await t.conn.domainGetBlockJobInfo!(t.dom, "vda", 0), {});
  } finally {
    await t.close();
    await Deno.remove(images, { recursive: true });
  }
});
