// Managed live migration (protocol version 3 with parameters) between two QEMU drivers of this
// process on separate state roots, with real QEMU 7.2 (TCG): the client's Domain.migrate3 runs
// Begin/Prepare/Perform/Finish/Confirm; the echo guest keeps echoing its console on the
// destination, the source's QEMU is gone, the events and the PERSIST_DEST/UNDEFINE_SOURCE flags
// are libvirt's. Refused flags and an unsafe disk change nothing; an aborted migration leaves
// the source running. Without QEMU this test is ignored on a developer machine but FAILS in CI.
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import type { VirError } from "../../../util/errors.ts";
import { waitFor } from "../../wait.ts";
import { echoGuestDisk } from "./echo_guest.ts";
import { realQemuTest } from "./real_qemu.ts";
import { echoesOn, guestXML, lifecycle, withTwoHosts } from "./real_migration_hosts.ts";

const E = VIR;
/** Loopback only: the destination listens there and the source sends there. */
// Each migrating test file listens on its own loopback address: files that run in parallel
// would otherwise pick the same free port of libvirt's range at the same moment.
const PARAMS = { migrate_uri: "tcp:127.0.0.3", listen_address: "127.0.0.3" };

realQemuTest({
  name: "real QEMU: a running domain migrates live to another driver and echoes there",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withTwoHosts("ev-mig", async (a, b) => {
      const disk = `${a.dir}/boot.img`;
      await Deno.writeFile(disk, echoGuestDisk());
      const ref = await a.conn.domainDefineXMLFlags!(guestXML("mig", disk), 0);
      await a.conn.domainCreateWithFlags!(ref, 0);
      const dom = await a.client.lookupDomainByName("mig");
      const source = a.launcher.procs[0];

      // What cannot be honoured is refused before anything moves.
      const refusals: [number, number, string][] = [
        [
          E.MIGRATE_LIVE | E.MIGRATE_RDMA_PIN_ALL | E.MIGRATE_UNSAFE,
          E.ERR_ARGUMENT_UNSUPPORTED,
          "argument unsupported: Migration option 'rdma-pin-all' is not supported by this driver",
        ],
        [
          E.MIGRATE_LIVE,
          E.ERR_MIGRATE_UNSAFE,
          "Unsafe migration: Migration without shared storage is unsafe",
        ],
      ];
      for (const [flags, code, message] of refusals) {
        await assert.rejects(dom.migrate3(b.client, PARAMS, flags), (e: VirError) => {
          assert.deepEqual([e.code, e.message], [code, message]);
          return true;
        });
        assert.deepEqual(await dom.getState(), [E.DOMAIN_RUNNING, E.DOMAIN_RUNNING_BOOTED]);
        assert.deepEqual(await b.conn.connectListAllDomains!(0), []);
        assert.equal(b.launcher.procs.length, 0, "no QEMU started on the destination");
      }

      const eventsA = lifecycle(a.conn);
      const eventsB = lifecycle(b.conn);
      const flags = E.MIGRATE_LIVE | E.MIGRATE_PERSIST_DEST | E.MIGRATE_UNDEFINE_SOURCE |
        E.MIGRATE_UNSAFE;
      const moved = await dom.migrate3(b.client, PARAMS, flags);
      assert.equal(moved.name, "mig");
      assert.deepEqual(await moved.getState(), [E.DOMAIN_RUNNING, E.DOMAIN_RUNNING_MIGRATED]);
      assert.equal(await b.conn.domainIsPersistent!(moved.ref), true);
      await waitFor(() => !source.alive(), 30_000, 20, "the source QEMU to end");
      await assert.rejects(a.client.lookupDomainByName("mig"), (e: VirError) => {
        return e.code === E.ERR_NO_DOMAIN;
      });
      await waitFor(() => eventsB.length >= 3, 30_000, 20, "the resume on the destination");
      assert.deepEqual(eventsA, [
        [E.DOMAIN_EVENT_SUSPENDED, E.DOMAIN_EVENT_SUSPENDED_MIGRATED],
        [E.DOMAIN_EVENT_STOPPED, E.DOMAIN_EVENT_STOPPED_MIGRATED],
      ]);
      assert.deepEqual(eventsB, [
        [E.DOMAIN_EVENT_STARTED, E.DOMAIN_EVENT_STARTED_MIGRATED],
        [E.DOMAIN_EVENT_DEFINED, E.DOMAIN_EVENT_DEFINED_ADDED],
        [E.DOMAIN_EVENT_RESUMED, E.DOMAIN_EVENT_RESUMED_MIGRATED],
      ]);

      // The guest runs on: its console on the destination echoes.
      await echoesOn(b, moved.ref);
      await b.conn.domainDestroyFlags!(moved.ref, 0);
    });
  },
});

realQemuTest({
  name: "real QEMU: an aborted migration leaves the source running and the destination empty",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withTwoHosts("ev-mig", async (a, b) => {
      const disk = `${a.dir}/boot.img`;
      await Deno.writeFile(disk, echoGuestDisk());
      // QEMU sends each untouched page as a 9-byte header: 512 MiB of them at 1 MiB/s (libvirt's
      // unit), with the firmware's ~0.5 MB, keep the job running about 1.8 s (measured), long enough to be
      // seen and aborted on a loaded machine (32 MiB would be over in 0.45 s).
      const ref = await a.conn.domainCreateXML!(guestXML("slow", disk, 512), 0);
      const dom = await a.client.lookupDomainByName("slow");
      const migration = dom.migrate3(
        b.client,
        { ...PARAMS, bandwidth: 1 },
        E.MIGRATE_LIVE | E.MIGRATE_UNSAFE,
      );
      const outcome = migration.then(() => undefined, (e: VirError) => e);
      await waitFor(
        async () => {
          const stats = await a.conn.domainGetJobStats!(ref, 0);
          return stats.operation === E.DOMAIN_JOB_OPERATION_MIGRATION_OUT &&
            Number(stats.data_total) > 0;
        },
        30_000,
        20,
        "the migration job",
      );
      assert.equal((await a.conn.domainGetJobInfo!(ref)).type, E.DOMAIN_JOB_UNBOUNDED);
      await a.conn.domainAbortJob!(ref);
      const err = await outcome;
      assert.ok(err, "the migration failed");
      assert.deepEqual([err.code, err.domain, err.message], [
        E.ERR_OPERATION_ABORTED,
        E.FROM_QEMU,
        "operation aborted: migration out job: canceled by client",
      ]);
      assert.equal((await dom.getState())[0], E.DOMAIN_RUNNING);
      assert.equal(a.launcher.procs[0].alive(), true);
      assert.equal((await a.launcher.procs[0].monitor.queryStatus()).running, true);
      await waitFor(
        async () => (await b.conn.connectListAllDomains!(0)).length === 0,
        30_000,
        20,
        "the destination to drop its domain",
      );
      await waitFor(
        () => b.launcher.procs.every((p) => !p.alive()),
        30_000,
        20,
        "the destination QEMU to end",
      );
      await a.conn.domainDestroyFlags!(ref, 0);
    });
  },
});
