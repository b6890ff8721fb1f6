// Migration capabilities with real QEMU 7.2 (TCG) between two QEMU drivers of this process on
// separate state roots. With xbzrle compression, auto-converge, multifd and post-copy all on,
// both QEMUs receive the capabilities and parameters libvirt 9.0 sent for the same flags
// (recorded by tests/tools/record_qemu_migration_caps.sh with QEMU's own trace of its
// requests, taken here the same way) and the echo guest echoes on the destination. A migration
// switched to post-copy (virDomainMigrateStartPostCopy) pauses the source for post-copy and
// resumes the destination for it, then as migrated, libvirt's events in libvirt's order.
// Without QEMU this test is ignored on a developer machine but FAILS in CI.
import assert from "node:assert/strict";
import type { Domain } from "../../../client/domain.ts";
import { VIR } from "../../../util/constants.ts";
import type { DriverEvent } from "../../../util/driver.ts";
import type { VirError } from "../../../util/errors.ts";
import { waitFor } from "../../wait.ts";
import { echoGuestDisk } from "./echo_guest.ts";
import { CAPS_CASES, recordedSettings, settings } from "./migration_recorded.ts";
import { realQemuTest } from "./real_qemu.ts";
import { echoesOn, guestXML, type Host, lifecycle, withTwoHosts } from "./real_migration_hosts.ts";
import { TracingLauncher } from "./tracing_launcher.ts";

const E = VIR;
// Each migrating test file listens on its own loopback address: files that run in parallel
// would otherwise pick the same free port of libvirt's range at the same moment.
const PARAMS = { migrate_uri: "tcp:127.0.0.9", listen_address: "127.0.0.9" };

/** Runs `fn` with two drivers whose QEMUs trace their QMP (source A, destination B). */
const withTracingHosts = (fn: (a: TracingHost, b: TracingHost) => Promise<void>) =>
  withTwoHosts(
    "ev-capmig",
    (a, b) => fn(a as TracingHost, b as TracingHost),
    (dir) => new TracingLauncher(dir),
  );

type TracingHost = Host & { launcher: TracingLauncher };

/** Starts the echo guest `name` with `mib` MiB on `a`; its handle. */
async function startGuest(a: TracingHost, name: string, mib: number): Promise<Domain> {
  const disk = `${a.dir}/boot.img`;
  await Deno.writeFile(disk, echoGuestDisk());
  await a.conn.domainCreateXML!(guestXML(name, disk, mib), 0);
  return await a.client.lookupDomainByName(name);
}

realQemuTest({
  name: "real QEMU: compression, auto-converge, multifd and post-copy set as libvirt sets them",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withTracingHosts(async (a, b) => {
      const dom = await startGuest(a, "caps", 32);
      const { flags, params } = CAPS_CASES.find((c) => c.case === "together")!;
      assert.equal(
        flags,
        E.MIGRATE_LIVE | E.MIGRATE_COMPRESSED | E.MIGRATE_AUTO_CONVERGE | E.MIGRATE_POSTCOPY |
          E.MIGRATE_PARALLEL,
        "the recorded case's flags",
      );
      const moved = await dom.migrate3(
        b.client,
        { ...PARAMS, ...params },
        flags | E.MIGRATE_UNSAFE,
      );
      assert.deepEqual(await moved.getState(), [E.DOMAIN_RUNNING, E.DOMAIN_RUNNING_MIGRATED]);
      await echoesOn(b, moved.ref);
      assert.deepEqual(
        settings(await a.launcher.requests(0)),
        recordedSettings("together", "source"),
        "the source's capabilities and parameters",
      );
      assert.deepEqual(
        settings(await b.launcher.requests(0)),
        recordedSettings("together", "destination"),
        "the destination's, and their reset",
      );
      await b.conn.domainDestroyFlags!(moved.ref, 0);
    });
  },
});

/** The migration commands other than the settings and `migrate` itself (its URI differs). */
function otherSteps(requests: readonly { execute: string }[]): string[] {
  return requests.map((r) => r.execute)
    .filter((x) => x.startsWith("migrate") && x !== "migrate" && !x.startsWith("migrate-set"));
}

realQemuTest({
  name: "real QEMU: a migration switched to post-copy ends as libvirt's, the guest echoing there",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withTracingHosts(async (a, b) => {
      const rec = CAPS_CASES.find((c) => c.case === "postcopy-switch")!;
      // 512 MiB at 1 MiB/s keep the first pass going about 1.8 s (see real_migrate_test.ts):
      // time to ask for post-copy, which then copies the rest unthrottled.
      const dom = await startGuest(a, "post", 512);
      await assert.rejects(dom.migrateStartPostCopy(0), (e: VirError) => {
        assert.deepEqual([e.code, e.message], [
          E.ERR_OPERATION_INVALID,
          "Requested operation is not valid: post-copy can only be started while outgoing " +
          "migration is in progress",
        ]);
        return true;
      });
      const [eventsA, eventsB] = [lifecycle(a.conn), lifecycle(b.conn)];
      const iterations: unknown[] = [];
      a.conn.subscribe!((ev: DriverEvent) => {
        if (ev.eventId === E.DOMAIN_EVENT_ID_MIGRATION_ITERATION) {
          iterations.push(ev.data.iteration);
        }
      });
      const migration = dom.migrate3(
        b.client,
        { ...PARAMS, ...rec.params },
        rec.flags | E.MIGRATE_UNSAFE,
      );
      const outcome = migration.then((d) => d, (e: VirError) => e);
      await waitFor(
        async () => {
          const stats = await dom.getJobStats(0).catch(() => ({}) as Record<string, unknown>);
          return stats.operation === E.DOMAIN_JOB_OPERATION_MIGRATION_OUT &&
            Number(stats.data_total) > 0;
        },
        30_000,
        20,
        "the migration job",
      );
      await dom.migrateStartPostCopy(0);
      const moved = await outcome;
      assert.ok(!(moved instanceof Error), `the migration: ${moved}`);
      assert.deepEqual(await moved.getState(), [E.DOMAIN_RUNNING, E.DOMAIN_RUNNING_MIGRATED]);
      const recorded = { events: rec.events! };
      await waitFor(
        () => eventsA.length >= recorded.events.source.length,
        30_000,
        20,
        "the source's stop",
      );
      assert.deepEqual(eventsA, recorded.events.source, "the source's events, libvirt's");
      assert.deepEqual(eventsB, recorded.events.destination, "the destination's, libvirt's");
      // QEMU's first pass over memory, announced as MIGRATION_ITERATION.
      assert.equal(iterations[0], 1);
      const [source, destination] = [await a.launcher.requests(0), await b.launcher.requests(0)];
      assert.deepEqual(settings(source), recordedSettings(rec.case, "source"));
      assert.deepEqual(settings(destination), recordedSettings(rec.case, "destination"));
      assert.deepEqual(otherSteps(source), otherSteps(rec.source), "start-postcopy, continue");
      await echoesOn(b, moved.ref);
      await b.conn.domainDestroyFlags!(moved.ref, 0);
    });
  },
});
