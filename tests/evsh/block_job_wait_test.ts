/**
 * evsh's block job commands on the QEMU driver over a fake QEMU (the block job harness), in
 * process and through a gateway: `blockjob` prints a running job's progress and bandwidth as
 * virsh 9.0's `virshBlockJobInfo` does (`--raw` its fields); `blockcommit`, `blockpull` and
 * `blockcopy` with `--wait`, `--verbose`, `--pivot`, `--keep-overlay`/`--finish`, `--timeout`
 * wait for the job and end it as virsh's `virshBlockJobWait` and the commands after it. The
 * expected texts are virsh's format strings (tools/virsh-domain.c of libvirt 9.0), not
 * recordings of virsh.
 */
import assert from "node:assert/strict";
import { Connection } from "../../client/connection.ts";
import { setup, snapshots } from "../drivers/qemu/fake_qmp/block_harness.ts";
import { bothWays, replacing, shellOn } from "./fake_qemu_shell.ts";

Deno.test("blockjob prints a job's progress and bandwidth as virsh, --raw its fields", async () => {
  await bothWays(async (t, run) => {
    await snapshots(t, "s1");
    assert.deepEqual(await run("blockjob hp vda"), ["No current block job for vda\n", "", true]);
    assert.deepEqual(await run("blockcommit hp vda --active --wait"), [
      "\nNow in synchronized phase\n",
      "",
      true,
    ]);
    // Ready, nothing copied: libvirt reads it as 1 of 1.
    assert.deepEqual(await run("blockjob hp vda"), [
      "\n\n",
      "\rActive Block Commit: [100 %]",
      true,
    ]);
    const job = t.block.jobs.find((j) => j.type === "block-commit")!;
    Object.assign(job, { offset: 50, len: 200 });
    assert.deepEqual(await run("blockjob hp vda --info"), [
      "\n\n",
      "\rActive Block Commit: [ 25 %]",
      true,
    ]);
    Object.assign(job, { offset: 199999, len: 200000 });
    assert.deepEqual(await run("blockjob hp vda"), [
      "\n\n",
      "\rActive Block Commit: [ 99 %]",
      true,
    ]);
    assert.deepEqual(await run("blockjob hp vda --bandwidth 3"), ["\n", "", true]);
    assert.deepEqual(await run("blockjob hp vda"), [
      "    Bandwidth limit: 3145728 bytes/s (3.000 MiB/s)\n\n",
      "\rActive Block Commit: [ 99 %]",
      true,
    ]);
    assert.deepEqual(await run("blockjob hp vda --raw"), [
      " type=Active Block Commit\n bandwidth=3\n cur=199999\n end=200000\n\n",
      "",
      true,
    ]);
    assert.deepEqual(await run("blockjob hp vda --raw --bytes"), [
      " type=Active Block Commit\n bandwidth=3145728\n cur=199999\n end=200000\n\n",
      "",
      true,
    ]);
    assert.deepEqual(await run("blockjob hp vda --pivot"), ["\n", "", true]);
    assert.deepEqual(await run("blockjob hp vda"), ["No current block job for vda\n", "", true]);
  });
});

Deno.test("blockcommit, blockpull and blockcopy --wait wait for the job and end it as virsh", async () => {
  await bothWays(async (t, run) => {
    await snapshots(t, "s1", "s2", "s3", "s4");
    const source = async () => (await run("dumpxml hp"))[0].match(/<source file='([^']*)'/)![1];
    // A commit below the top completes.
    assert.deepEqual(
      await run(`blockcommit hp vda --top ${t.dir}/vda.s2 --base ${t.dir}/vda.s1 --wait --verbose`),
      ["\nCommit complete\n", "\rBlock commit: [100 %]", true],
    );
    // A pull down to a base completes.
    assert.deepEqual(await run(`blockpull hp vda --base ${t.dir}/vda.s1 --wait --verbose`), [
      "\nPull complete\n",
      "\rBlock Pull: [100 %]",
      true,
    ]);
    assert.equal(await source(), `${t.dir}/vda.s4`);
    // An active commit waited for and pivoted: the disk now reads its base.
    assert.deepEqual(
      await run(`blockcommit hp vda --active --base ${t.dir}/vda.s1 --pivot --verbose`),
      ["\nSuccessfully pivoted\n", "\rBlock commit: [100 %]", true],
    );
    assert.equal(await source(), `${t.dir}/vda.s1`);
    // A copy (the domain is transient) reaches its mirroring phase, then ends keeping the copy apart.
    assert.deepEqual(await run(`blockcopy hp vda ${t.dir}/copy.img --wait`), [
      "\nNow in mirroring phase\n",
      "",
      true,
    ]);
    assert.deepEqual(await run("blockjob hp vda --abort"), ["\n", "", true]);
    assert.deepEqual(await run(`blockcopy hp vda ${t.dir}/copy2.img --finish`), [
      "\nSuccessfully copied\n",
      "",
      true,
    ]);
    assert.deepEqual(await run("blockjob hp vda"), ["No current block job for vda\n", "", true]);
  });
});

Deno.test("a waited job past --timeout is aborted after its progress was shown, as virsh", async () => {
  await bothWays(async (t, run) => {
    await snapshots(t, "s1");
    const ran = run("blockpull hp vda --wait --verbose --timeout 1");
    let job;
    while (!(job = t.block.jobs.find((j) => j.type === "block-stream"))) {
      await new Promise((r) => setTimeout(r, 5));
    }
    Object.assign(job, { offset: 50, len: 100 });
    assert.deepEqual(await ran, ["\nPull aborted\n", "\rBlock Pull: [ 50 %]", false]);
    assert.deepEqual(await run("blockjob hp vda"), ["No current block job for vda\n", "", true]);
  }, { holdJobs: true });
});

Deno.test("without events, a waited job is followed by its queries alone, as virsh's fallback", async () => {
  const t = await setup({}, false);
  try {
    // The driver connection without `subscribe`: event registration fails as libvirt's would.
    const silent = replacing(t.conn, "subscribe", undefined);
    const run = shellOn(new Connection(silent, "qemu:///session"));
    await snapshots(t, "s1", "s2");
    // A job at 0 of 0 reads as 100 %: the pull is taken as done at once (virsh would too),
    // while the driver may still be ending it.
    assert.deepEqual(await run(`blockpull hp vda --base ${t.dir}/vda.s1 --wait --verbose`), [
      "\nPull complete\n",
      "\rBlock Pull: [100 %]",
      true,
    ]);
    while (Object.keys(await t.conn.domainGetBlockJobInfo!(t.dom, "vda", 0)).length) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.deepEqual(await run("blockcommit hp vda --active --wait"), [
      "\nNow in synchronized phase\n",
      "",
      true,
    ]);
  } finally {
    await t.close();
  }
});
