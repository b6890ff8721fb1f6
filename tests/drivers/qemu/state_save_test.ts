// Save, restore, managed save and job info of the QEMU driver against a fake QEMU whose
// migration really runs the exec: commands: libvirt 9.0's image header (qemu_saveimage.c),
// its QMP (migrate-set-parameters max-bandwidth, migrate detach, query-migrate until done;
// -incoming defer + migrate-incoming), states, events and errors (qemuDomainSaveInternal,
// qemuSaveImageStartVM, qemuSaveImageOpen).
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { error, qmp, type Setup, setup } from "./fake_qmp/block_harness.ts";

const E = VIR;

function lifecycle(t: Setup): string[] {
  return t.events.filter((e) => e.eventId === E.DOMAIN_EVENT_ID_LIFECYCLE)
    .map((e) => `${e.data.event}/${e.data.detail}`);
}

Deno.test("save: paused, header + XML + QEMU's stream, QEMU ended as saved; restore runs it", async () => {
  const t = await setup();
  try {
    const path = `${t.dir}/hp.save`;
    t.events.length = 0;
    await t.conn.domainSaveFlags!(t.dom, path, null, 0);
    assert.deepEqual(qmp(t).map((c) => c.execute), [
      "stop",
      "migrate-set-parameters",
      "migrate",
      "migrate-set-parameters",
    ]);
    assert.deepEqual(qmp(t)[2].arguments, {
      detach: true,
      resume: false,
      uri: `exec:cat >> '${path}'`,
    });
    assert.deepEqual(await t.conn.domainGetState!(t.dom, 0), [
      E.DOMAIN_SHUTOFF,
      E.DOMAIN_SHUTOFF_SAVED,
    ]);
    assert.deepEqual(lifecycle(t), [
      `${E.DOMAIN_EVENT_SUSPENDED}/${E.DOMAIN_EVENT_SUSPENDED_PAUSED}`,
      `${E.DOMAIN_EVENT_STOPPED}/${E.DOMAIN_EVENT_STOPPED_SAVED}`,
    ]);
    // libvirt's layout: magic, version 2, data_len (XML + NUL + 64 KiB), was_running 1.
    const image = await Deno.readFile(path);
    const view = new DataView(image.buffer);
    assert.equal(new TextDecoder().decode(image.subarray(0, 16)), "LibvirtQemudSave");
    assert.equal(view.getUint32(16, true), 2);
    const dataLen = view.getUint32(20, true);
    assert.equal(view.getUint32(24, true), 1);
    const xml = new TextDecoder().decode(image.subarray(92, image.indexOf(0, 92)));
    assert.equal(dataLen, new TextEncoder().encode(xml).length + 1 + 64 * 1024);
    assert.match(xml, /^<domain type='qemu'[^>]*>\s*<name>hp<\/name>/);
    assert.equal(new TextDecoder().decode(image.subarray(92 + dataLen)), t.migration.state);
    assert.match(await t.conn.domainSaveImageGetXMLDesc!(path, 0), /<name>hp<\/name>/);

    t.events.length = 0;
    await t.conn.domainRestoreFlags!(path, null, 0);
    const fake = [...t.launcher.instances.values()].at(-1)!;
    const argv = t.launcher.launches.at(-1)!;
    assert.deepEqual(argv.slice(-2), ["-incoming", "defer"]);
    assert.deepEqual(
      fake.commands.filter((c) => c.execute === "migrate-incoming").map((c) => c.arguments),
      [{ uri: `exec:tail -c +${92 + dataLen + 1} '${path}'` }],
    );
    assert.equal(t.migration.loaded, t.migration.state);
    assert.deepEqual(await t.conn.domainGetState!(t.dom, 0), [
      E.DOMAIN_RUNNING,
      E.DOMAIN_RUNNING_RESTORED,
    ]);
    // As libvirt: the start is announced before the vCPUs run, their RESUME as from snapshot.
    assert.deepEqual(lifecycle(t), [
      `${E.DOMAIN_EVENT_STARTED}/${E.DOMAIN_EVENT_STARTED_RESTORED}`,
      `${E.DOMAIN_EVENT_RESUMED}/${E.DOMAIN_EVENT_RESUMED_FROM_SNAPSHOT}`,
    ]);
  } finally {
    await t.close();
  }
});

Deno.test("save: JOB_COMPLETED before the stop, its statistics kept for GetJobStats --completed", async () => {
  const t = await setup();
  try {
    t.events.length = 0;
    await t.conn.domainSaveFlags!(t.dom, `${t.dir}/hp.save`, null, 0);
    // qemuMigrationSrcToFile announces the job before qemuDomainSaveInternal stops QEMU.
    assert.deepEqual(t.events.map((e) => e.eventId), [
      E.DOMAIN_EVENT_ID_LIFECYCLE,
      E.DOMAIN_EVENT_ID_JOB_COMPLETED,
      E.DOMAIN_EVENT_ID_LIFECYCLE,
    ]);
    const params = t.events[1].data.params as Record<string, number>;
    const total = t.migration.state.length;
    assert.equal(params.operation, E.DOMAIN_JOB_OPERATION_SAVE);
    assert.deepEqual([params.memory_total, params.memory_processed, params.memory_bps], [
      total,
      total,
      1_000_000,
    ]);
    // A save's statistics (libvirt's SAVEDUMP) have no disks.
    assert.equal("disk_total" in params, false);
    const flags = E.DOMAIN_JOB_STATS_COMPLETED | E.DOMAIN_JOB_STATS_KEEP_COMPLETED;
    assert.deepEqual(await t.conn.domainGetJobStats!(t.dom, flags), {
      type: E.DOMAIN_JOB_COMPLETED,
      ...params,
    });
    // Kept, then read without KEEP_COMPLETED: gone.
    await t.conn.domainGetJobStats!(t.dom, E.DOMAIN_JOB_STATS_COMPLETED);
    assert.equal(
      (await t.conn.domainGetJobStats!(t.dom, E.DOMAIN_JOB_STATS_COMPLETED)).type,
      E.DOMAIN_JOB_NONE,
    );
  } finally {
    await t.close();
  }
});

Deno.test("save --paused, restore: stays paused (restored); --running overrides; refusals", async () => {
  const t = await setup();
  try {
    const path = `${t.dir}/p.save`;
    await t.conn.domainSaveFlags!(t.dom, path, null, E.DOMAIN_SAVE_PAUSED);
    t.events.length = 0;
    await t.conn.domainRestoreFlags!(path, null, 0);
    assert.deepEqual(await t.conn.domainGetState!(t.dom, 0), [
      E.DOMAIN_PAUSED,
      E.DOMAIN_PAUSED_MIGRATION,
    ]);
    assert.deepEqual(lifecycle(t), [
      `${E.DOMAIN_EVENT_STARTED}/${E.DOMAIN_EVENT_STARTED_RESTORED}`,
      `${E.DOMAIN_EVENT_SUSPENDED}/${E.DOMAIN_EVENT_SUSPENDED_RESTORED}`,
    ]);
    const again = await error(t.conn.domainRestoreFlags!(path, null, 0));
    assert.equal(again.message, "Requested operation is not valid: domain 'hp' is already active");
    await t.conn.domainDestroyFlags!(t.dom, 0);
    await t.conn.domainRestoreFlags!(path, null, E.DOMAIN_SAVE_RUNNING);
    assert.equal((await t.conn.domainGetState!(t.dom, 0))[0], E.DOMAIN_RUNNING);

    const missing = await error(t.conn.domainRestoreFlags!(`${t.dir}/none.save`, null, 0));
    assert.equal(missing.code, E.ERR_SYSTEM_ERROR);
    assert.match(missing.message, /Failed to open file '.*none.save': No such file or directory/);
    await Deno.writeTextFile(`${t.dir}/bad.save`, "x".repeat(200));
    const bad = await error(t.conn.domainRestoreFlags!(`${t.dir}/bad.save`, null, 0));
    assert.deepEqual([bad.code, bad.message], [
      E.ERR_OPERATION_FAILED,
      "operation failed: image magic is incorrect",
    ]);
    // Found by the wire fuzzer: a directory opened, its read threw EISDIR as an internal error.
    const dir = await error(t.conn.domainSaveImageGetXMLDesc!(t.dir, 0));
    assert.deepEqual([dir.code, dir.message], [
      E.ERR_OPERATION_FAILED,
      "operation failed: failed to read qemu header",
    ]);
    const bypass = await error(
      t.conn.domainSaveFlags!(t.dom, path, null, E.DOMAIN_SAVE_BYPASS_CACHE),
    );
    assert.equal(bypass.message, "operation failed: bypass cache unsupported by this system");
    const other = await error(
      t.conn.domainSaveFlags!(
        t.dom,
        path,
        "<domain type='qemu'><name>zz</name><memory>1024</memory><os><type>hvm</type></os></domain>",
        0,
      ),
    );
    assert.match(other.message, /cannot change domain uuid/);
    // A failed save leaves the domain running as it was.
    assert.equal((await t.conn.domainGetState!(t.dom, 0))[0], E.DOMAIN_RUNNING);
  } finally {
    await t.close();
  }
});

Deno.test("managed save: the image exists, the next start restores it and removes it", async () => {
  const t = await setup();
  try {
    assert.equal(await t.conn.domainHasManagedSaveImage!(t.dom, 0), false);
    await t.conn.domainManagedSave!(t.dom, 0);
    assert.equal(await t.conn.domainHasManagedSaveImage!(t.dom, 0), true);
    assert.ok(Deno.statSync(`${t.dir}/save/hp.save`).isFile);
    const undef = await error(t.conn.domainUndefineFlags!(t.dom, 0));
    assert.equal(
      undef.message,
      "Requested operation is not valid: Refusing to undefine while domain managed save image exists",
    );
    t.events.length = 0;
    await t.conn.domainCreateWithFlags!(t.dom, 0);
    assert.deepEqual(await t.conn.domainGetState!(t.dom, 0), [
      E.DOMAIN_RUNNING,
      E.DOMAIN_RUNNING_RESTORED,
    ]);
    assert.equal(t.migration.loaded, t.migration.state);
    assert.equal(await t.conn.domainHasManagedSaveImage!(t.dom, 0), false);
    await t.conn.domainManagedSave!(t.dom, 0);
    await t.conn.domainManagedSaveRemove!(t.dom, 0);
    assert.equal(await t.conn.domainHasManagedSaveImage!(t.dom, 0), false);
    await t.conn.domainCreateWithFlags!(t.dom, 0);
    assert.deepEqual(await t.conn.domainGetState!(t.dom, 0), [
      E.DOMAIN_RUNNING,
      E.DOMAIN_RUNNING_BOOTED,
    ]);
  } finally {
    await t.close();
  }
});

Deno.test("a transient domain has no managed save", async () => {
  const t = await setup({}, false);
  try {
    const e = await error(t.conn.domainManagedSave!(t.dom, 0));
    assert.equal(
      e.message,
      "Requested operation is not valid: cannot do managed save for transient domain",
    );
  } finally {
    await t.close();
  }
});

Deno.test("job info while a save runs, abort cancels it: the domain runs again, no image left", async () => {
  const t = await setup({ migration: { hold: true } });
  try {
    assert.equal((await t.conn.domainGetJobInfo!(t.dom)).type, E.DOMAIN_JOB_NONE);
    const path = `${t.dir}/held.save`;
    const saving = t.conn.domainSaveFlags!(t.dom, path, null, 0).catch((e) => e);
    let stats = await t.conn.domainGetJobStats!(t.dom, 0);
    for (let i = 0; i < 100 && stats.type === E.DOMAIN_JOB_NONE; i++) {
      await new Promise((r) => setTimeout(r, 5));
      stats = await t.conn.domainGetJobStats!(t.dom, 0);
    }
    assert.equal(stats.type, E.DOMAIN_JOB_UNBOUNDED);
    assert.equal(stats.operation, E.DOMAIN_JOB_OPERATION_SAVE);
    assert.equal(stats.memory_total, t.migration.state.length);
    const info = await t.conn.domainGetJobInfo!(t.dom);
    assert.equal(info.type, E.DOMAIN_JOB_UNBOUNDED);
    assert.equal(info.memTotal, t.migration.state.length);
    await t.conn.domainAbortJob!(t.dom);
    const e = await saving;
    assert.deepEqual(
      [e.code, e.message],
      [E.ERR_OPERATION_ABORTED, "operation aborted: domain save job: canceled by client"],
    );
    assert.deepEqual(await t.conn.domainGetState!(t.dom, 0), [
      E.DOMAIN_RUNNING,
      E.DOMAIN_RUNNING_SAVE_CANCELED,
    ]);
    assert.equal(await Deno.stat(path).then(() => true, () => false), false);
    const none = await error(t.conn.domainAbortJob!(t.dom));
    assert.equal(none.message, "Requested operation is not valid: no job is active on the domain");
  } finally {
    await t.close();
  }
});
