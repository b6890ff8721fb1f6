// Full push backups of the QEMU driver on a fake QEMU against libvirt 9.0's recording of the
// same backups on real QEMU 7.2 (fixtures/backup_push_qmp.json, made by
// tests/tools/record_qemu_backup.sh): the QMP from the begin to the end of the job (the
// target made by blockdev-create, one transaction of blockdev-backup, the nodes removed),
// the XML while it runs, the job statistics' names, the JOB_COMPLETED event and the completed
// statistics, for a backup run to its end and one aborted.
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import { VDA } from "./fake_qmp/block_harness.ts";
import { restartDriver, type Setup, setup } from "./fake_qmp/block_harness.ts";
import { waitFor } from "../../wait.ts";

const E = VIR;

interface Run {
  qmp: { execute: string; arguments?: Record<string, unknown> }[];
  dumpxml: string;
  running_stats: Record<string, string>;
  running_type?: number;
  running_operation?: number;
  event: Record<string, unknown>;
  completed: Record<string, unknown>;
  after: boolean;
}

const RECORDED: {
  domain: string;
  backup: string;
  incremental_backup: string;
  complete: Run;
  abort: Run;
  incremental: Run;
  with_checkpoint: Run & { checkpoints: string[]; last_parent: string };
  pull_backup: string;
  pull: Run;
} = JSON.parse(
  Deno.readTextFileSync(new URL("./fixtures/backup_push_qmp.json", import.meta.url)),
);

/** The recorded domain on the harness's image, without the QMP trace of the recording. */
const XML = RECORDED.domain.replace("$GUEST/vda.qcow2", VDA)
  .replace(/<qemu:commandline>[\s\S]*<\/qemu:commandline>/, "")
  .replace(" xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'", "");

/** The recorded text on the harness: its image and directory for the recording's. */
const local = (t: Setup, text: string) =>
  text.replaceAll("$GUEST/vda.qcow2", VDA).replaceAll("$GUEST", t.dir);

/** Runs `fn` on the recording's domain, started on a fake QEMU, closed whatever happens. */
async function withBackupDomain(fn: (t: Setup) => Promise<void>): Promise<void> {
  const t = await setup({ xml: XML, disks: [{ id: "virtio-disk0", driver: "virtio-blk-pci" }] });
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

/** Checkpoint `name` of the domain, its QMP then forgotten (the recording starts after it). */
async function checkpointFirst(t: Setup, name: string): Promise<void> {
  await t.conn.domainCheckpointCreateXML!(
    t.dom,
    `<domaincheckpoint><name>${name}</name></domaincheckpoint>`,
    0,
  );
  [...t.launcher.instances.values()].at(-1)!.commands.length = 0;
}

/**
 * A recorded backup as the first one of a fresh domain: the recording ran others before it,
 * which used up node indexes (libvirt's counter only grows); the fake's first backup gets 2.
 */
function first(run: Run): Run {
  const index = /index='(\d+)'/.exec(run.dumpxml)![1];
  return {
    ...run,
    qmp: JSON.parse(JSON.stringify(run.qmp).replaceAll(`libvirt-${index}-`, "libvirt-2-")),
    dumpxml: run.dumpxml.replace(`index='${index}'`, "index='2'"),
  };
}

/** A value as the recording keeps it: the job's kind and outcome as they are, others' types. */
const shape = (params: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(params).map((
      [k, v],
    ) => [
      k,
      ["type", "operation", "status", "success", "errmsg"].includes(k)
        ? v
        : typeof v === "number"
        ? "int"
        : typeof v,
    ]),
  );

/** The QMP since the begin, without the queries but query-named-block-nodes (the trace's). */
function qmpOf(t: Setup) {
  const fake = [...t.launcher.instances.values()].at(-1)!;
  return fake.commands
    .filter((c) => c.execute === "query-named-block-nodes" || !/^(query-|qom-)/.test(c.execute))
    .map((c) =>
      c.arguments ? { execute: c.execute, arguments: c.arguments } : { execute: c.execute }
    );
}

/** The recorded QMP on the harness, the image created as big as the fake's disk. */
function expectedQmp(t: Setup, run: Run) {
  const size = t.block.nodes.get("libvirt-1-format")!.size;
  return JSON.parse(local(t, JSON.stringify(run.qmp))).map((
    c: { execute: string; arguments: { options?: { size: number } } },
  ) => {
    if (c.arguments?.options?.size !== undefined) c.arguments.options.size = size;
    return c;
  });
}

/** A backup of the recorded kind, `during` run while it runs, checked against the recording. */
async function backup(
  t: Setup,
  run: Run,
  during = () => Promise.resolve(),
  xml = RECORDED.backup,
  checkpointXML: string | null = null,
) {
  await t.conn.domainBackupBegin!(t.dom, local(t, xml), checkpointXML, 0);
  assert.equal(await t.conn.domainBackupGetXMLDesc!(t.dom, 0), local(t, run.dumpxml));
  await during();
  await waitFor(
    () => t.events.some((e) => e.eventId === E.DOMAIN_EVENT_ID_JOB_COMPLETED),
    5000,
    5,
    "JOB_COMPLETED",
  );
  const event = t.events.find((e) => e.eventId === E.DOMAIN_EVENT_ID_JOB_COMPLETED)!.data
    .params as Record<string, unknown>;
  assert.deepEqual(shape(event), run.event);
  const completed = await t.conn.domainGetJobStats!(t.dom, E.DOMAIN_JOB_STATS_COMPLETED);
  assert.deepEqual(shape(completed), run.completed);
  assert.deepEqual(qmpOf(t), expectedQmp(t, run));
  assert.equal(await Deno.lstat(`${t.dir}/backup.qcow2`).then(() => true, () => false), run.after);
}

Deno.test("backup: a full push backup sends libvirt's QMP and ends as libvirt's", async () => {
  await withBackupDomain(async (t) => {
    await backup(t, first(RECORDED.complete));
  });
});

Deno.test("backup: while it runs, its statistics; aborted, libvirt's QMP and outcome", async () => {
  const t = await setup({
    xml: XML,
    disks: [{ id: "virtio-disk0", driver: "virtio-blk-pci" }],
    holdJobs: true,
  });
  try {
    await backup(t, first(RECORDED.abort), async () => {
      const stats = await t.conn.domainGetJobStats!(t.dom, 0);
      assert.deepEqual(shape(stats), {
        ...RECORDED.complete.running_stats,
        type: RECORDED.complete.running_type,
        operation: RECORDED.complete.running_operation,
      });
      await t.conn.domainAbortJob!(t.dom);
    });
  } finally {
    await t.close();
  }
});

/** A push backup of vda to `target`. */
const backupXML = (target: string) =>
  `<domainbackup><disks><disk name='vda' type='file'><target file='${target}'/></disk></disks></domainbackup>`;

/** libvirt 9.0's answers to calls made while a backup runs (record_backup_async_wait.py). */
const ASYNC_WAIT: Record<
  string,
  { error: { code: number; domain: number; message: string } | null; waited_s: number }
> = JSON.parse(
  Deno.readTextFileSync(new URL("./fixtures/backup_async_wait.json", import.meta.url)),
);

Deno.test("backup: another async job waits for it and gives up as libvirt's, a live change does not wait", async () => {
  const t = await setup({
    xml: XML,
    disks: [{ id: "virtio-disk0", driver: "virtio-blk-pci" }],
    holdJobs: true,
    // libvirt waits 30 s (the recording's waited_s): the wait is shortened, not its outcome.
    asyncJobWaitMs: 300,
  });
  try {
    await t.conn.domainBackupBegin!(t.dom, local(t, RECORDED.backup), null, 0);
    const calls: Record<string, () => Promise<unknown>> = {
      backupBegin: () =>
        t.conn.domainBackupBegin!(
          t.dom,
          backupXML(`${t.dir}/b2.qcow2`),
          null,
          0,
        ),
      save: () => t.conn.domainSaveFlags!(t.dom, `${t.dir}/saved`, null, 0),
      setMemoryFlags: () => t.conn.domainSetMemoryFlags!(t.dom, 60000, E.DOMAIN_AFFECT_LIVE),
    };
    for (const [name, call] of Object.entries(calls)) {
      const error = await call().then(() => null, (e: VirError) => e);
      const want = ASYNC_WAIT[name].error;
      assert.deepEqual(
        error && { code: error.code, domain: error.domain, message: error.message },
        want,
        name,
      );
    }
    // Nothing of the refused calls happened: the domain runs, the backup goes on.
    assert.equal((await t.conn.domainGetState!(t.dom, 0))[0], E.DOMAIN_RUNNING);
    assert.equal(
      (await t.conn.domainGetJobStats!(t.dom, 0)).operation,
      E.DOMAIN_JOB_OPERATION_BACKUP,
    );
    assert.ok(!await Deno.lstat(`${t.dir}/saved`).then(() => true, () => false));
    // A save waiting when the backup ends goes ahead.
    const waiting = calls.save();
    await t.conn.domainAbortJob!(t.dom);
    await waiting;
    assert.deepEqual(await t.conn.domainGetState!(t.dom, 0), [
      E.DOMAIN_SHUTOFF,
      E.DOMAIN_SHUTOFF_SAVED,
    ]);
  } finally {
    await t.close();
  }
});

Deno.test("backup: a driver restarted while one runs finds it in the status, and its end", async () => {
  const t = await setup({
    xml: XML,
    disks: [{ id: "virtio-disk0", driver: "virtio-blk-pci" }],
    holdJobs: true,
  });
  try {
    await t.conn.domainBackupBegin!(t.dom, local(t, RECORDED.backup), null, 0);
    const xml = await t.conn.domainBackupGetXMLDesc!(t.dom, 0);
    const before = await t.conn.domainGetJobStats!(t.dom, 0);
    const events = await restartDriver(t);
    assert.equal(await t.conn.domainBackupGetXMLDesc!(t.dom, 0), xml);
    const after = await t.conn.domainGetJobStats!(t.dom, 0);
    assert.equal(after.operation, E.DOMAIN_JOB_OPERATION_BACKUP);
    assert.equal(after.type, E.DOMAIN_JOB_UNBOUNDED);
    // The job's time runs on from the backup's start, not from the restart.
    assert.ok((after.time_elapsed as number) >= (before.time_elapsed as number));
    await t.conn.domainAbortJob!(t.dom);
    await waitFor(
      () => events.some((e) => e.eventId === E.DOMAIN_EVENT_ID_JOB_COMPLETED),
      5000,
      5,
      "JOB_COMPLETED after the restart",
    );
    const done = await t.conn.domainGetJobStats!(t.dom, E.DOMAIN_JOB_STATS_COMPLETED);
    assert.deepEqual([done.type, done.operation, done.success], [
      E.DOMAIN_JOB_CANCELLED,
      E.DOMAIN_JOB_OPERATION_BACKUP,
      false,
    ]);
    // libvirt deletes the image of a push backup that did not complete.
    assert.equal(await Deno.lstat(`${t.dir}/backup.qcow2`).then(() => true, () => false), false);
    await assert.rejects(
      () => t.conn.domainBackupGetXMLDesc!(t.dom, 0),
      (e: unknown) => e instanceof VirError && e.code === E.ERR_NO_DOMAIN_BACKUP,
    );
  } finally {
    await t.close();
  }
});

Deno.test("backup: an incremental push backup from a checkpoint sends libvirt's QMP", async () => {
  await withBackupDomain(async (t) => {
    await checkpointFirst(t, "c1");
    await backup(
      t,
      first(RECORDED.incremental),
      () => Promise.resolve(),
      RECORDED.incremental_backup,
    );
    const nodes = t.block.nodes.get("libvirt-1-format")!;
    assert.deepEqual(nodes.bitmaps?.map((b) => b.name), ["c1"], "the backup's bitmap is gone");
  });
});

Deno.test("backup: a checkpoint made with a backup is in its transaction and becomes current", async () => {
  await withBackupDomain(async (t) => {
    await checkpointFirst(t, "c1");
    const run = RECORDED.with_checkpoint;
    await backup(
      t,
      first(run),
      () => Promise.resolve(),
      RECORDED.backup,
      "<domaincheckpoint><name>c2</name></domaincheckpoint>",
    );
    assert.deepEqual((await t.conn.domainListAllCheckpoints!(t.dom, 0)).sort(), run.checkpoints);
    assert.equal(await t.conn.domainCheckpointGetParent!(t.dom, "c2", 0), run.last_parent);
  });
});

Deno.test("backup: a backup that fails takes its new checkpoint back", async () => {
  await withBackupDomain(async (t) => {
    const target = `${t.dir}/backup.qcow2`;
    await Deno.writeTextFile(target, "taken");
    const err = await t.conn.domainBackupBegin!(
      t.dom,
      local(t, RECORDED.backup),
      "<domaincheckpoint><name>c2</name></domaincheckpoint>",
      0,
    ).catch((e) => e);
    assert.equal(err.message, `invalid argument: store '${target}' for backup of 'vda' exists`);
    assert.deepEqual(await t.conn.domainListAllCheckpoints!(t.dom, 0), []);
  });
});

Deno.test("backup: a pull backup exports its scratch image over NBD until aborted, as libvirt's", async () => {
  await withBackupDomain(async (t) => {
    await checkpointFirst(t, "c2");
    const run = RECORDED.pull;
    await backup(t, first(run), async () => {
      assert.deepEqual(shape(await t.conn.domainGetJobStats!(t.dom, 0)), {
        ...run.running_stats,
        type: run.running_type,
        operation: run.running_operation,
      });
      await t.conn.domainAbortJob!(t.dom);
    }, RECORDED.pull_backup);
    assert.equal(t.block.nbdServer, undefined, "the NBD server stopped");
    assert.equal(t.block.exports.size, 0);
  });
});
