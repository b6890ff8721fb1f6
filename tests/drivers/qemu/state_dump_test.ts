// Core dumps of the QEMU driver against a fake QEMU (libvirt 9.0's qemuDomainCoreDumpWithFormat,
// doCoreDump, qemuDumpToFd, qemuDumpWaitForCompletion, qemuDomainGetJobInfoDumpStats and
// qemuDomainAbortJobFlags): the QMP each flag and format sends, the states and events around
// it, the job's progress from query-dump, and libvirt's errors, each leaving the domain as it
// was and no file behind.
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { error, qmp, type Setup, setup, XML } from "./fake_qmp/block_harness.ts";
import { waitFor } from "../../wait.ts";

const E = VIR;

function lifecycle(t: Setup): string[] {
  return t.events.filter((e) => e.eventId === E.DOMAIN_EVENT_ID_LIFECYCLE)
    .map((e) => `${e.data.event}/${e.data.detail}`);
}

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

Deno.test("dump --memory-only: paused for the dump, QEMU writes ELF to the file, runs again", async () => {
  const t = await setup();
  try {
    const path = `${t.dir}/core.elf`;
    t.events.length = 0;
    await t.conn.domainCoreDumpWithFormat!(
      t.dom,
      path,
      E.DOMAIN_CORE_DUMP_FORMAT_RAW,
      E.DUMP_MEMORY_ONLY,
    );
    // ELF is QEMU's default: libvirt asks for no format, so no capability query either.
    assert.deepEqual(qmp(t).map((c) => c.execute), ["stop", "dump-guest-memory", "cont"]);
    assert.deepEqual(t.dump.dumps, [{ paging: false, protocol: `file:${path}`, detach: true }]);
    assert.deepEqual(lifecycle(t), [
      `${E.DOMAIN_EVENT_SUSPENDED}/${E.DOMAIN_EVENT_SUSPENDED_PAUSED}`,
      `${E.DOMAIN_EVENT_RESUMED}/${E.DOMAIN_EVENT_RESUMED_UNPAUSED}`,
    ]);
    assert.deepEqual(await t.conn.domainGetState!(t.dom, 0), [
      E.DOMAIN_RUNNING,
      E.DOMAIN_RUNNING_UNPAUSED,
    ]);
    const core = await Deno.readFile(path);
    assert.deepEqual([...core.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46]);
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    assert.equal((await t.conn.domainGetJobInfo!(t.dom)).type, E.DOMAIN_JOB_NONE);
    // libvirt keeps no statistics of a memory-only dump, nor announces it.
    assert.equal(t.events.some((e) => e.eventId === E.DOMAIN_EVENT_ID_JOB_COMPLETED), false);
    assert.equal(
      (await t.conn.domainGetJobStats!(t.dom, E.DOMAIN_JOB_STATS_COMPLETED)).type,
      E.DOMAIN_JOB_NONE,
    );
  } finally {
    await t.close();
  }
});

Deno.test("dump formats: kdump-zlib after QEMU's capability check; lzo/snappy refused as libvirt", async () => {
  const t = await setup();
  try {
    const path = `${t.dir}/core.kdump`;
    const flags = E.DUMP_MEMORY_ONLY | E.DUMP_LIVE;
    await t.conn.domainCoreDumpWithFormat!(
      t.dom,
      path,
      E.DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB,
      flags,
    );
    assert.deepEqual(t.dump.dumps.at(-1), {
      paging: false,
      protocol: `file:${path}`,
      format: "kdump-zlib",
      detach: true,
    });
    const fake = [...t.launcher.instances.values()].at(-1)!;
    assert.ok(fake.commands.some((c) => c.execute === "query-dump-guest-memory-capability"));
    // Debian's QEMU 7.2 is built without LZO and snappy.
    for (const [format, name] of [[2, "kdump-lzo"], [3, "kdump-snappy"]] as const) {
      const other = `${t.dir}/core.${name}`;
      const e = await error(t.conn.domainCoreDumpWithFormat!(t.dom, other, format, flags));
      assert.deepEqual([e.code, e.domain, e.message], [
        E.ERR_INVALID_ARG,
        E.FROM_QEMU,
        `invalid argument: unsupported dumpformat '${name}' for this QEMU binary`,
      ]);
      assert.equal(await exists(other), false);
    }
    assert.equal(t.dump.dumps.length, 1);
    // A full dump is QEMU's migration stream: compressed formats need --memory-only.
    const e = await error(t.conn.domainCoreDumpWithFormat!(t.dom, path, 1, 0));
    assert.deepEqual([e.code, e.message], [
      E.ERR_OPERATION_UNSUPPORTED,
      "Operation not supported: kdump-compressed format is only supported with memory-only dump",
    ]);
    assert.deepEqual(await t.conn.domainGetState!(t.dom, 0), [
      E.DOMAIN_RUNNING,
      E.DOMAIN_RUNNING_UNPAUSED,
    ]);
  } finally {
    await t.close();
  }
});

Deno.test("dump without --memory-only: QEMU's migration stream into the file, the guest resumed", async () => {
  const t = await setup();
  try {
    const path = `${t.dir}/full.core`;
    await Deno.writeTextFile(path, "older content that the dump truncates\n");
    await t.conn.domainCoreDumpWithFormat!(t.dom, path, E.DOMAIN_CORE_DUMP_FORMAT_RAW, 0);
    assert.deepEqual(qmp(t).map((c) => c.execute), [
      "stop",
      "migrate-set-parameters",
      "migrate",
      "migrate-set-parameters",
      "cont",
    ]);
    assert.equal(qmp(t)[2].arguments!.uri, `exec:cat >> '${path}'`);
    assert.equal(await Deno.readTextFile(path), t.migration.state);
    // A full dump is qemuMigrationSrcToFile: it announces its completed job.
    const done = t.events.filter((e) => e.eventId === E.DOMAIN_EVENT_ID_JOB_COMPLETED);
    assert.deepEqual(
      done.map((e) => (e.data.params as Record<string, number>).operation),
      [E.DOMAIN_JOB_OPERATION_DUMP],
    );
    assert.equal((await t.conn.domainGetState!(t.dom, 0))[0], E.DOMAIN_RUNNING);
  } finally {
    await t.close();
  }
});

Deno.test("a full dump right after a live one waits out the tail of QEMU's dump, then migrates", async () => {
  // QEMU's dump thread drops its migration blocker after DUMP_COMPLETED and the RESUME.
  const t = await setup({ dump: { tail: 40 } });
  try {
    await t.conn.domainCoreDumpWithFormat!(
      t.dom,
      `${t.dir}/mem.core`,
      E.DOMAIN_CORE_DUMP_FORMAT_RAW,
      E.DUMP_MEMORY_ONLY | E.DUMP_LIVE,
    );
    const path = `${t.dir}/full.core`;
    await t.conn.domainCoreDumpWithFormat!(t.dom, path, E.DOMAIN_CORE_DUMP_FORMAT_RAW, 0);
    assert.ok(qmp(t).filter((c) => c.execute === "migrate").length >= 2, "asked again");
    assert.equal(await Deno.readTextFile(path), t.migration.state);
    assert.equal((await t.conn.domainGetState!(t.dom, 0))[0], E.DOMAIN_RUNNING);
  } finally {
    await t.close();
  }
});

Deno.test("dump --live --reset: no pause, a reset after the dump; --crash: the domain stops crashed", async () => {
  const t = await setup();
  try {
    const flags = E.DUMP_MEMORY_ONLY | E.DUMP_LIVE | E.DUMP_RESET;
    await t.conn.domainCoreDumpWithFormat!(t.dom, `${t.dir}/a.core`, 0, flags);
    assert.deepEqual(qmp(t).map((c) => c.execute), ["dump-guest-memory", "system_reset", "cont"]);

    t.events.length = 0;
    await t.conn.domainCoreDumpWithFormat!(
      t.dom,
      `${t.dir}/b.core`,
      0,
      E.DUMP_MEMORY_ONLY | E.DUMP_CRASH,
    );
    assert.deepEqual(await t.conn.domainGetState!(t.dom, 0), [
      E.DOMAIN_SHUTOFF,
      E.DOMAIN_SHUTOFF_CRASHED,
    ]);
    assert.deepEqual(lifecycle(t), [
      `${E.DOMAIN_EVENT_SUSPENDED}/${E.DOMAIN_EVENT_SUSPENDED_PAUSED}`,
      `${E.DOMAIN_EVENT_STOPPED}/${E.DOMAIN_EVENT_STOPPED_CRASHED}`,
    ]);
    const e = await error(t.conn.domainCoreDumpWithFormat!(t.dom, `${t.dir}/c.core`, 0, 0));
    assert.equal(e.message, "Requested operation is not valid: domain is not running");
    assert.equal(await exists(`${t.dir}/c.core`), false);
  } finally {
    await t.close();
  }
});

Deno.test("a memory-only dump in progress: query-dump in job info and stats, abort refused", async () => {
  const t = await setup({ dump: { hold: true } });
  try {
    const path = `${t.dir}/held.core`;
    const dumping = t.conn.domainCoreDumpWithFormat!(t.dom, path, 0, E.DUMP_MEMORY_ONLY);
    await waitFor(async () =>
      (await t.conn.domainGetJobStats!(t.dom, 0)).type === E.DOMAIN_JOB_UNBOUNDED
    );
    const stats = await t.conn.domainGetJobStats!(t.dom, 0);
    assert.deepEqual(Object.keys(stats), [
      "type",
      "operation",
      "time_elapsed",
      "memory_total",
      "memory_processed",
      "memory_remaining",
    ]);
    assert.equal(stats.operation, E.DOMAIN_JOB_OPERATION_DUMP);
    assert.deepEqual(
      [stats.memory_total, stats.memory_processed, stats.memory_remaining],
      [4096, 2048, 2048],
    );
    const info = await t.conn.domainGetJobInfo!(t.dom);
    assert.deepEqual(
      [info.type, info.memTotal, info.memProcessed, info.memRemaining, info.dataTotal],
      [E.DOMAIN_JOB_UNBOUNDED, 4096, 2048, 2048, 4096],
    );
    assert.equal((await t.conn.domainGetControlInfo!(t.dom, 0)).state, E.DOMAIN_CONTROL_JOB);
    const e = await error(t.conn.domainAbortJob!(t.dom));
    assert.deepEqual([e.code, e.message], [
      E.ERR_OPERATION_INVALID,
      "Requested operation is not valid: cannot abort memory-only dump",
    ]);
    t.dump.release();
    await dumping;
    assert.equal((await t.conn.domainGetJobInfo!(t.dom)).type, E.DOMAIN_JOB_NONE);
  } finally {
    await t.close();
  }
});

Deno.test("a full dump in progress is a migration: abort cancels it, the file goes, the guest runs", async () => {
  const t = await setup({ migration: { hold: true } });
  try {
    const path = `${t.dir}/held.core`;
    const dumping = t.conn.domainCoreDumpWithFormat!(t.dom, path, 0, 0).catch((e) => e);
    await waitFor(async () => (await t.conn.domainGetJobInfo!(t.dom)).type !== E.DOMAIN_JOB_NONE);
    assert.equal(
      (await t.conn.domainGetJobStats!(t.dom, 0)).operation,
      E.DOMAIN_JOB_OPERATION_DUMP,
    );
    await t.conn.domainAbortJob!(t.dom);
    const e = await dumping;
    assert.deepEqual([e.code, e.message], [
      E.ERR_OPERATION_ABORTED,
      "operation aborted: domain core dump job: canceled by client",
    ]);
    assert.equal(await exists(path), false);
    assert.equal((await t.conn.domainGetState!(t.dom, 0))[0], E.DOMAIN_RUNNING);
  } finally {
    await t.close();
  }
});

Deno.test("dump refusals: QEMU's failure, a missing folder, bypass cache, unknown flags", async () => {
  const t = await setup({ dump: { fail: "dump: failed to save memory: No space left on device" } });
  try {
    const path = `${t.dir}/fail.core`;
    let e = await error(t.conn.domainCoreDumpWithFormat!(t.dom, path, 0, E.DUMP_MEMORY_ONLY));
    assert.deepEqual([e.code, e.message], [
      E.ERR_OPERATION_FAILED,
      "operation failed: memory-only dump failed: dump: failed to save memory: No space left on device",
    ]);
    assert.equal(await exists(path), false);
    assert.equal((await t.conn.domainGetState!(t.dom, 0))[0], E.DOMAIN_RUNNING);

    const missing = `${t.dir}/no/such/dir/x.core`;
    e = await error(t.conn.domainCoreDumpWithFormat!(t.dom, missing, 0, E.DUMP_MEMORY_ONLY));
    assert.deepEqual([e.code, e.domain, e.message], [
      E.ERR_SYSTEM_ERROR,
      E.FROM_QEMU,
      `Failed to create file '${missing}': No such file or directory`,
    ]);
    e = await error(t.conn.domainCoreDumpWithFormat!(t.dom, path, 0, E.DUMP_BYPASS_CACHE));
    assert.equal(e.message, "operation failed: bypass cache unsupported by this system");
    e = await error(t.conn.domainCoreDumpWithFormat!(t.dom, path, 0, 0x20));
    assert.deepEqual([e.code, e.message], [
      E.ERR_INVALID_ARG,
      "unsupported flags (0x20) in function qemuDomainCoreDumpWithFormat",
    ]);
    // Each refusal left the guest as it was.
    assert.deepEqual(await t.conn.domainGetState!(t.dom, 0), [
      E.DOMAIN_RUNNING,
      E.DOMAIN_RUNNING_UNPAUSED,
    ]);
  } finally {
    await t.close();
  }
});

/** The automatic dumps the driver wrote into the state folder's `dump`. */
async function autoDumps(t: Setup): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(`${t.dir}/dump`)) names.push(e.name);
  return names;
}

/** libvirt's name of an automatic dump: the domain's short name and the local time. */
const AUTO_DUMP_NAME = /^1-hp-\d{4}-\d\d-\d\d-\d\d:\d\d:\d\d$/;

Deno.test("a watchdog's dump action: QEMU pauses, the driver dumps the memory, then resumes", async () => {
  const t = await setup({
    xml: XML.replace("<memballoon", "<watchdog model='i6300esb' action='dump'/><memballoon"),
  });
  try {
    // QEMU has no dump action: the command line asks it to pause.
    const argv = t.launcher.launches.at(-1)!;
    assert.equal(argv[argv.indexOf("-watchdog-action") + 1], "pause");
    const fake = [...t.launcher.instances.values()].at(-1)!;
    t.events.length = 0;
    fake.running = false;
    fake.emit("WATCHDOG", { action: "pause" });
    fake.emit("STOP");
    await waitFor(() =>
      t.events.some((e) =>
        e.eventId === E.DOMAIN_EVENT_ID_LIFECYCLE && e.data.event === E.DOMAIN_EVENT_RESUMED
      )
    );
    const [name, ...more] = await autoDumps(t);
    assert.deepEqual(more, []);
    assert.match(name, AUTO_DUMP_NAME);
    const core = await Deno.readFile(`${t.dir}/dump/${name}`);
    assert.deepEqual([...core.slice(0, 4)], [0x7f, 0x45, 0x4c, 0x46]);
    assert.deepEqual(qmp(t).map((c) => c.execute), ["dump-guest-memory", "cont"]);
    assert.deepEqual(t.dump.dumps, [
      { paging: false, protocol: `file:${t.dir}/dump/${name}`, detach: true },
    ]);
    const lifecycle = t.events.filter((e) => e.eventId === E.DOMAIN_EVENT_ID_LIFECYCLE)
      .map((e) => [e.data.event, e.data.detail]);
    assert.deepEqual(t.events.find((e) => e.eventId === E.DOMAIN_EVENT_ID_WATCHDOG)?.data, {
      action: E.DOMAIN_EVENT_WATCHDOG_PAUSE,
    });
    assert.deepEqual(lifecycle, [
      [E.DOMAIN_EVENT_SUSPENDED, E.DOMAIN_EVENT_SUSPENDED_WATCHDOG],
      [E.DOMAIN_EVENT_RESUMED, E.DOMAIN_EVENT_RESUMED_UNPAUSED],
    ]);
    assert.deepEqual(await t.conn.domainGetState!(t.dom, 0), [
      E.DOMAIN_RUNNING,
      E.DOMAIN_RUNNING_UNPAUSED,
    ]);
  } finally {
    await t.close();
  }
});

for (const [action, alive] of [["coredump-destroy", false], ["coredump-restart", true]] as const) {
  Deno.test(`a guest panic with on_crash ${action} dumps the memory first`, async () => {
    const t = await setup({
      xml: XML.replace("<devices>", `<on_crash>${action}</on_crash><devices>`)
        .replace("<memballoon", "<panic model='isa'/><memballoon"),
    });
    try {
      const fake = [...t.launcher.instances.values()].at(-1)!;
      t.events.length = 0;
      fake.guestPanic();
      // The restart's fake reboot, or the destroy's STOPPED, comes after the dump.
      await waitFor(() =>
        t.events.some((e) =>
          alive
            ? e.eventId === E.DOMAIN_EVENT_ID_REBOOT
            : e.eventId === E.DOMAIN_EVENT_ID_LIFECYCLE && e.data.event === E.DOMAIN_EVENT_STOPPED
        )
      );
      const [name] = await autoDumps(t);
      assert.match(name, AUTO_DUMP_NAME);
      assert.deepEqual(qmp(t).map((c) => c.execute).slice(0, 1), ["dump-guest-memory"]);
      assert.equal(
        (await t.conn.domainGetState!(t.dom, 0))[0],
        alive ? E.DOMAIN_RUNNING : E.DOMAIN_SHUTOFF,
      );
    } finally {
      await t.close();
    }
  });
}
