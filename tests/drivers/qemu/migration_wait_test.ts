// How the QEMU driver waits for QEMU's migrations (save, restore), as libvirt 9.0 does: every
// QEMU it starts gets the `events` migration capability right away (qemuMigrationCapsCheck),
// and a wait is woken by the MIGRATION event of the end, then asks query-migrate once for how it
// ended. A QEMU without the capability is polled; one whose event never comes is asked again
// after a while; a QEMU found again after a driver restart keeps the capability it was given.
// Against a fake QEMU whose migration runs the real exec: commands.
import assert from "node:assert/strict";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { FakeLauncher, type FakeQemu } from "../../../drivers/qemu/testing/mod.ts";
import { FakeMigration } from "../../../drivers/qemu/testing/fake_migration.ts";
import { VIR } from "../../../util/constants.ts";
import type { DriverConnection } from "../../../util/driver.ts";

const E = VIR;
const XML = `<domain type='qemu'><name>mw</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os>
<devices><memballoon model='none'/></devices></domain>`;

const open = async (dir: string, launcher: FakeLauncher) =>
  await qemuConnectDriver.open(new URL("qemu:///session"), {
    stateDir: dir,
    launcher,
  }) as DriverConnection;

/**
 * A running domain on fake QEMUs built with `options` (`announce: false`: the migration model
 * never tells its QEMU of a status change).
 */
async function withDomain(
  options: { migrationEvents?: boolean; announce?: boolean },
  fn: (t: {
    conn: DriverConnection;
    dir: string;
    launcher: FakeLauncher;
    migration: FakeMigration;
    last: () => FakeQemu;
  }) => Promise<DriverConnection | void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ev-qemu-mwait-" });
  const migration = new FakeMigration("mw");
  const launcher = new FakeLauncher({
    migrationEvents: options.migrationEvents,
    onCommand: (execute, args, qemu) => {
      const silent = options.announce === false &&
        (execute === "migrate" || execute === "migrate-incoming");
      return migration.handle(execute, args, silent ? undefined : qemu);
    },
  });
  let conn = await open(dir, launcher);
  try {
    await conn.domainCreateXML!(XML, 0);
    const last = () => [...launcher.instances.values()].at(-1)!;
    conn = await fn({ conn, dir, launcher, migration, last }) ?? conn;
  } finally {
    for (const ref of await conn.connectListAllDomains!(0)) {
      await conn.domainDestroyFlags!(ref, 0).catch(() => {});
    }
    await conn.connectClose();
    await Deno.remove(dir, { recursive: true });
  }
}

const asked = (fake: FakeQemu, command: string) =>
  fake.commands.filter((c) => c.execute === command);

/**
 * The query-migrate a wait made: those after the `migrate` (a save's source also asks once
 * before it, for QEMU's migration blockers).
 */
const waitQueries = (fake: FakeQemu) =>
  fake.commands.slice(fake.commands.findIndex((c) => c.execute === "migrate") + 1)
    .filter((c) => c.execute === "query-migrate");

/** A save of the domain and its restore, each side's QEMU returned. */
async function saveRestore(
  conn: DriverConnection,
  dir: string,
  last: () => FakeQemu,
): Promise<[FakeQemu, FakeQemu]> {
  const saved = last();
  await conn.domainSaveFlags!(await conn.domainLookupByName!("mw"), `${dir}/mw.save`, null, 0);
  await conn.domainRestoreFlags!(`${dir}/mw.save`, null, 0);
  const restored = last();
  assert.notEqual(restored, saved);
  assert.deepEqual(
    await conn.domainGetState!(await conn.domainLookupByName!("mw"), 0),
    [E.DOMAIN_RUNNING, E.DOMAIN_RUNNING_RESTORED],
  );
  return [saved, restored];
}

Deno.test("migration events: set at every start; a save and a restore each ask query-migrate once, at the end", async () => {
  await withDomain({}, async ({ conn, dir, last, migration }) => {
    const [saved, restored] = await saveRestore(conn, dir, last);
    for (const fake of [saved, restored]) {
      assert.ok(fake.migrationCapability("events"));
      const names = fake.commands.map((c) => c.execute);
      // libvirt's qemuConnectMonitor: the capabilities, then events on, before the vCPUs run.
      const set = names.indexOf("migrate-set-capabilities");
      assert.equal(names[set - 1], "query-migrate-capabilities");
      assert.deepEqual(fake.commands[set].arguments, {
        capabilities: [{ capability: "events", state: true }],
      });
      assert.ok(set < names.indexOf("cont"), "before the vCPUs run");
      assert.equal(waitQueries(fake).length, 1, "woken by the event, not a poll");
    }
    assert.equal(asked(saved, "query-migrate").length, 2, "the blockers, then the end");
    assert.equal(migration.loaded, migration.state, "the restore loaded the saved state");
  });
});

Deno.test("migration events: a QEMU without the capability is polled, and the save and restore still end", async () => {
  await withDomain({ migrationEvents: false }, async ({ conn, dir, last, migration }) => {
    const [saved, restored] = await saveRestore(conn, dir, last);
    for (const fake of [saved, restored]) {
      assert.equal(asked(fake, "query-migrate-capabilities").length, 1);
      assert.deepEqual(asked(fake, "migrate-set-capabilities"), []);
      assert.ok(asked(fake, "query-migrate").length >= 1);
    }
    assert.equal(migration.loaded, migration.state);
  });
});

Deno.test("migration events: an end QEMU never announces is still seen, by the wait's safety query", async () => {
  await withDomain({ announce: false }, async ({ conn, dir, last }) => {
    const started = performance.now();
    const [saved, restored] = await saveRestore(conn, dir, last);
    for (const fake of [saved, restored]) {
      assert.ok(fake.migrationCapability("events"));
      assert.equal(waitQueries(fake).length, 1);
    }
    // Each wait slept its whole second (no event woke it) before asking.
    assert.ok(performance.now() - started >= 1900, "both waits ran out their second");
  });
});

Deno.test("migration events: a QEMU found again after a driver restart keeps them; nothing is set again", async () => {
  await withDomain({}, async ({ conn, dir, launcher, last }) => {
    const fake = last();
    await conn.connectClose();
    const again = await open(dir, launcher);
    const caps = asked(fake, "query-migrate-capabilities").length;
    assert.equal(caps, 2, "asked at the start and on reconnecting");
    assert.equal(asked(fake, "migrate-set-capabilities").length, 1, "set at the start only");
    const [saved] = await saveRestore(again, dir, last);
    assert.equal(saved, fake);
    assert.equal(waitQueries(fake).length, 1, "woken by the event");
    return again;
  });
});
