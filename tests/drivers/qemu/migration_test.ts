// Managed migration (version 3 with parameters) between two QEMU drivers against fake QEMUs
// whose migration really crosses a loopback TCP socket: libvirt 9.0's QMP on both sides
// (qemu_migration.c: capabilities, migrate, -incoming defer + migrate-incoming on a port of the
// migration range, cont), the client's step order (virDomainMigrateVersion3Full), job info and
// abort during the job, offline migration, and the refusals that change nothing.
import assert from "node:assert/strict";
import { connect } from "../../../client/connect.ts";
import { createGateway } from "../../../gateway/app.ts";
import { createRegistry } from "../../../util/registry.ts";
import { VIR } from "../../../util/constants.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import { DRV_FEATURE } from "../../../util/drv_feature.ts";
import { error, qmp, XML } from "./fake_qmp/block_harness.ts";
import { lifecycle, serving, withPair } from "./fake_qmp/migration_pair.ts";
import { recordedSettings, settings } from "./migration_recorded.ts";

const E = VIR;
// Each migrating test file listens on its own loopback address: files that run in parallel
// would otherwise pick the same free port of libvirt's range at the same moment.
const PARAMS = { migrate_uri: "tcp:127.0.0.2", listen_address: "127.0.0.2" };
/** The harness's disk is a plain local file: libvirt needs VIR_MIGRATE_UNSAFE for it. */
const LIVE = E.MIGRATE_LIVE | E.MIGRATE_UNSAFE;

Deno.test("migration: the QEMU driver answers libvirt's migration features it honours", async () => {
  await withPair(async (a) => {
    const answers = await Promise.all(
      Object.entries(DRV_FEATURE).map(async ([name, n]) =>
        [name, await a.conn.connectSupportsFeature!(n)] as const
      ),
    );
    assert.deepEqual(answers.filter(([, yes]) => yes).map(([name]) => name), [
      "MIGRATION_V3",
      "MIGRATE_CHANGE_PROTECTION",
      "TYPED_PARAM_STRING",
      "XML_MIGRATABLE",
      "MIGRATION_OFFLINE",
      "MIGRATION_PARAMS",
      "NETWORK_UPDATE_HAS_CORRECT_ORDER",
    ]);
  });
});

Deno.test("migration: the state crosses a socket of the migration range; the destination runs it", async () => {
  await withPair(async (a, src, b) => {
    a.events.length = 0;
    const dom = await src.lookupDomainByName("hp");
    const moved = await dom.migrate3(b.client, PARAMS, LIVE | E.MIGRATE_PERSIST_DEST);
    const incoming = b.launcher.instances.values().next().value!;
    assert.deepEqual(b.launcher.launches[0].slice(-2), ["-incoming", "defer"]);
    const destQmp = incoming.commands.filter((c) => c.execute.startsWith("migrate"));
    assert.deepEqual(destQmp.map((c) => c.execute), [
      "migrate-set-capabilities",
      "migrate-set-capabilities",
      "migrate-set-parameters",
      "migrate-incoming",
      "migrate-set-capabilities",
      "migrate-set-parameters",
    ]);
    assert.deepEqual(destQmp[0].arguments, {
      capabilities: [{ capability: "events", state: true }],
    });
    // libvirt's settings: before the incoming migration, and reset after it.
    assert.deepEqual(settings(destQmp), recordedSettings("plain", "destination"));
    const uri = String(destQmp[3].arguments!.uri);
    const port = Number(/^tcp:127\.0\.0\.2:(\d+)$/.exec(uri)?.[1]);
    assert.ok(port >= 49152 && port <= 49215, `${uri} in libvirt's migration port range`);
    assert.equal(b.migration.loaded, a.migration.state, "the destination got the source's state");
    assert.ok(incoming.commands.some((c) => c.execute === "cont"), "the destination runs");
    const sourceQmp = qmp(a).filter((c) => c.execute.startsWith("migrate"));
    assert.deepEqual(settings(sourceQmp), recordedSettings("plain", "source"));
    assert.deepEqual(
      sourceQmp.filter((c) => !c.execute.startsWith("migrate-set")).map((c) => [
        c.execute,
        c.arguments,
      ]),
      [
        ["migrate", { uri }],
        // QEMU paused before the switch-over, as libvirt asked; nothing to do there.
        ["migrate-continue", { state: "pre-switchover" }],
      ],
    );
    // Both QEMUs send MIGRATION events since their start: each side's wait is woken by the
    // end (and the source's by its pause before the switch-over) and asks query-migrate then,
    // instead of polling. The source is also asked once at Begin, for QEMU's migration
    // blockers (qemuMigrationSrcIsAllowed).
    const source = [...a.launcher.instances.values()][0];
    for (
      const [side, fake, times] of [["source", source, 3], ["destination", incoming, 1]] as const
    ) {
      assert.ok(fake.migrationCapability("events"), side);
      const asked = fake.commands.filter((c) => c.execute === "query-migrate").length;
      assert.equal(asked, times, `${side}: query-migrate at each wake`);
    }
    assert.deepEqual(await moved.getState(), [E.DOMAIN_RUNNING, E.DOMAIN_RUNNING_MIGRATED]);
    assert.equal(await b.conn.domainIsPersistent!(moved.ref), true);
    assert.deepEqual(lifecycle(b.events), [
      `${E.DOMAIN_EVENT_STARTED}/${E.DOMAIN_EVENT_STARTED_MIGRATED}`,
      `${E.DOMAIN_EVENT_DEFINED}/${E.DOMAIN_EVENT_DEFINED_ADDED}`,
      `${E.DOMAIN_EVENT_RESUMED}/${E.DOMAIN_EVENT_RESUMED_MIGRATED}`,
    ]);
    // Without UNDEFINE_SOURCE the source keeps its definition, shut off as migrated.
    assert.deepEqual(await a.conn.domainGetState!(a.dom, 0), [
      E.DOMAIN_SHUTOFF,
      E.DOMAIN_SHUTOFF_MIGRATED,
    ]);
    assert.deepEqual(lifecycle(a.events), [
      `${E.DOMAIN_EVENT_STOPPED}/${E.DOMAIN_EVENT_STOPPED_MIGRATED}`,
    ]);
  });
});

Deno.test("migration: JOB_COMPLETED on the source after its stop (qemuMigrationSrcComplete), none on the destination", async () => {
  await withPair(async (a, src, b) => {
    a.events.length = 0;
    const dom = await src.lookupDomainByName("hp");
    await dom.migrate3(b.client, PARAMS, LIVE | E.MIGRATE_PERSIST_DEST);
    const order = a.events.map((e) =>
      e.eventId === E.DOMAIN_EVENT_ID_LIFECYCLE ? `lifecycle ${e.data.event}` : `${e.eventId}`
    );
    assert.deepEqual(order.slice(-2), [
      `lifecycle ${E.DOMAIN_EVENT_STOPPED}`,
      `${E.DOMAIN_EVENT_ID_JOB_COMPLETED}`,
    ]);
    const params = a.events.at(-1)!.data.params as Record<string, number>;
    const total = a.migration.state.length;
    // libvirt's MIGRATION statistics: the memory QEMU sent, and no disk of its own.
    assert.equal(params.operation, E.DOMAIN_JOB_OPERATION_MIGRATION_OUT);
    assert.deepEqual(
      [params.memory_total, params.memory_processed, params.memory_remaining, params.data_total],
      [total, total, 0, total],
    );
    assert.deepEqual([params.disk_total, params.disk_processed, params.disk_remaining], [0, 0, 0]);
    // libvirt 9.0's destination announces no job: its statistics come only from the source.
    assert.equal(b.events.filter((e) => e.eventId === E.DOMAIN_EVENT_ID_JOB_COMPLETED).length, 0);
    // The source domain stays defined with the completed job's statistics, read once.
    const stats = await a.conn.domainGetJobStats!(a.dom, E.DOMAIN_JOB_STATS_COMPLETED);
    assert.deepEqual(stats, { type: E.DOMAIN_JOB_COMPLETED, ...params });
    assert.equal(
      (await a.conn.domainGetJobStats!(a.dom, E.DOMAIN_JOB_STATS_COMPLETED)).type,
      E.DOMAIN_JOB_NONE,
    );
  });
});

Deno.test("migration --suspend: the destination stays paused (user), announced as libvirt does", async () => {
  await withPair(async (_a, src, b) => {
    const dom = await src.lookupDomainByName("hp");
    const moved = await dom.migrate3(b.client, PARAMS, LIVE | E.MIGRATE_PAUSED);
    assert.deepEqual(await moved.getState(), [E.DOMAIN_PAUSED, E.DOMAIN_PAUSED_USER]);
    assert.deepEqual(lifecycle(b.events), [
      `${E.DOMAIN_EVENT_STARTED}/${E.DOMAIN_EVENT_STARTED_MIGRATED}`,
      `${E.DOMAIN_EVENT_SUSPENDED}/${E.DOMAIN_EVENT_SUSPENDED_PAUSED}`,
    ]);
    assert.equal(await b.conn.domainIsPersistent!(moved.ref), false);
  });
});

Deno.test("migration: job info during the job, abort resumes nothing lost, the destination drops it", async () => {
  await withPair(async (a, src, b) => {
    const dom = await src.lookupDomainByName("hp");
    const outcome = dom.migrate3(b.client, PARAMS, LIVE).then(() => undefined, (e) => e);
    for (;;) {
      const stats = await a.conn.domainGetJobStats!(a.dom, 0);
      if (stats.operation === E.DOMAIN_JOB_OPERATION_MIGRATION_OUT) {
        assert.equal(stats.type, E.DOMAIN_JOB_UNBOUNDED);
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal((await a.conn.domainGetJobInfo!(a.dom)).type, E.DOMAIN_JOB_UNBOUNDED);
    await a.conn.domainAbortJob!(a.dom);
    const e = await outcome;
    assert.deepEqual([e.code, e.domain, e.message], [
      E.ERR_OPERATION_ABORTED,
      E.FROM_QEMU,
      "operation aborted: migration out job: canceled by client",
    ]);
    assert.deepEqual(await a.conn.domainGetState!(a.dom, 0), [
      E.DOMAIN_RUNNING,
      E.DOMAIN_RUNNING_BOOTED,
    ]);
    assert.equal((await a.conn.domainGetJobInfo!(a.dom)).type, E.DOMAIN_JOB_NONE);
    assert.deepEqual(await b.conn.connectListAllDomains!(0), []);
    assert.deepEqual(lifecycle(b.events), [
      `${E.DOMAIN_EVENT_STARTED}/${E.DOMAIN_EVENT_STARTED_MIGRATED}`,
      `${E.DOMAIN_EVENT_STOPPED}/${E.DOMAIN_EVENT_STOPPED_FAILED}`,
    ]);
  }, { migration: { hold: true } });
});

Deno.test("migration destination: the incoming job from Prepare to Finish, as libvirt answers it", async () => {
  await withPair(async (a, _src, b) => {
    const begin = await a.conn.domainMigrateBegin3Params!(a.dom, PARAMS, LIVE);
    const preparer = await b.another();
    const prepared = await preparer.domainMigratePrepare3Params!(
      { ...PARAMS, destination_xml: begin.xml },
      begin.cookieout,
      LIVE,
    );
    const ref = await b.conn.domainLookupByName!("hp");
    // qemuDomainGetJobStatsInternal, qemuDomainAbortJobFlags: refusals of the incoming job.
    for (const call of [b.conn.domainGetJobInfo!(ref), b.conn.domainGetJobStats!(ref, 0)]) {
      const e = await error(call);
      assert.deepEqual([e.code, e.domain, e.message], [
        E.ERR_OPERATION_UNSUPPORTED,
        E.FROM_QEMU,
        "Operation not supported: migration statistics are available only on the source host",
      ]);
    }
    const completed = await b.conn.domainGetJobStats!(ref, E.DOMAIN_JOB_STATS_COMPLETED);
    assert.equal(completed.type, E.DOMAIN_JOB_NONE);
    const e = await error(b.conn.domainAbortJob!(ref));
    assert.deepEqual([e.code, e.message], [
      E.ERR_OPERATION_INVALID,
      "Requested operation is not valid: cannot abort incoming migration; use virDomainDestroy instead",
    ]);
    assert.equal((await b.conn.domainGetControlInfo!(ref, 0)).state, E.DOMAIN_CONTROL_JOB);

    const port = Number(/:(\d+)$/.exec(prepared.uriout!)![1]);
    const cookie = await a.conn.domainMigratePerform3Params!(
      a.dom,
      null,
      { ...PARAMS, migrate_uri: `tcp:127.0.0.2:${port}` },
      prepared.cookieout,
      LIVE,
    );
    await preparer.domainMigrateFinish3Params!(
      { ...PARAMS, destination_name: "hp" },
      cookie.cookieout,
      LIVE,
      0,
    );
    assert.equal((await b.conn.domainGetJobInfo!(ref)).type, E.DOMAIN_JOB_NONE);
    // Finished, the domain no longer depends on the connection that prepared it.
    await preparer.connectClose();
    assert.deepEqual(await b.conn.domainGetState!(ref, 0), [
      E.DOMAIN_RUNNING,
      E.DOMAIN_RUNNING_MIGRATED,
    ]);
    await a.conn.domainMigrateConfirm3Params!(a.dom, PARAMS, cookie.cookieout, LIVE, 0);
  });
});

Deno.test("migration destination: a prepared domain dies with the connection that prepared it", async () => {
  await withPair(async (a, _src, b) => {
    const begin = await a.conn.domainMigrateBegin3Params!(a.dom, PARAMS, LIVE);
    const prepare = async (conn: DriverConnection) =>
      await conn.domainMigratePrepare3Params!(
        { ...PARAMS, destination_xml: begin.xml },
        begin.cookieout,
        LIVE,
      );
    const preparer = await b.another();
    await prepare(preparer);
    // Another connection closing changes nothing (libvirt's close callbacks are per connection).
    const bystander = await b.another();
    await bystander.connectClose();
    assert.equal((await b.conn.connectListAllDomains!(0)).length, 1);
    // The client died between Prepare and Finish: qemuProcessAutoDestroy.
    await preparer.connectClose();
    assert.deepEqual(await b.conn.connectListAllDomains!(0), []);
    assert.deepEqual(lifecycle(b.events), [
      `${E.DOMAIN_EVENT_STARTED}/${E.DOMAIN_EVENT_STARTED_MIGRATED}`,
      `${E.DOMAIN_EVENT_STOPPED}/${E.DOMAIN_EVENT_STOPPED_DESTROYED}`,
    ]);
    assert.equal([...b.launcher.instances.values()].filter((f) => f.alive).length, 0);
    // Nothing of it is left in the way: the same domain can be prepared again.
    assert.match((await prepare(b.conn)).uriout!, /^tcp:127\.0\.0\.2:\d+$/);
    // The source never performed: it runs on.
    assert.equal((await a.conn.domainGetState!(a.dom, 0))[0], E.DOMAIN_RUNNING);
  });
});

Deno.test("migration: what this driver does not carry out is refused and changes nothing", async () => {
  await withPair(async (a, src, b) => {
    const dom = await src.lookupDomainByName("hp");
    // libvirt does these; its wording for a host or QEMU without them is kept.
    const cases: [Record<string, string | number>, number, number, string][] = [
      [
        PARAMS,
        LIVE | E.MIGRATE_TLS,
        E.ERR_OPERATION_INVALID,
        "Requested operation is not valid: host migration TLS directory not configured",
      ],
      [
        PARAMS,
        LIVE | E.MIGRATE_RDMA_PIN_ALL,
        E.ERR_ARGUMENT_UNSUPPORTED,
        "argument unsupported: Migration option 'rdma-pin-all' is not supported by this driver",
      ],
      [
        { ...PARAMS, graphics_uri: "spice://h" },
        LIVE,
        E.ERR_ARGUMENT_UNSUPPORTED,
        "argument unsupported: migration parameter 'graphics_uri' is not supported by this driver",
      ],
    ];
    for (const [params, flags, code, message] of cases) {
      const e = await error(dom.migrate3(b.client, params, flags));
      assert.deepEqual([e.code, e.message], [code, message]);
      assert.deepEqual(await a.conn.domainGetState!(a.dom, 0), [
        E.DOMAIN_RUNNING,
        E.DOMAIN_RUNNING_BOOTED,
      ]);
      assert.deepEqual(await b.conn.connectListAllDomains!(0), []);
      assert.equal(b.launcher.launches.length, 0);
    }
    assert.deepEqual(qmp(a).filter((c) => c.execute.startsWith("migrate")), []);
  });
});

/** libvirt 9.0's refusals, recorded by tests/tools/record_qemu_migration.sh. */
const RECORDED = JSON.parse(
  await Deno.readTextFile(
    new URL("../../fixtures/qemu_migration/refusals.json", import.meta.url),
  ),
) as {
  cases: {
    name: string;
    domain: "running" | "inactive";
    params: Record<string, string>;
    flags: number;
    error: { code: number; domain: number; message: string };
  }[];
};

Deno.test("migration: libvirt's recorded refusals, word for word, and nothing changes", async () => {
  await withPair(async (a, src, b) => {
    await a.conn.domainDefineXMLFlags!(
      XML.replace("<name>hp</name>", "<name>inactive</name>")
        .replace("44444444-2222", "44444444-9999"),
      0,
    );
    assert.ok(RECORDED.cases.length >= 10);
    for (const c of RECORDED.cases) {
      const dom = await src.lookupDomainByName(c.domain === "running" ? "hp" : "inactive");
      // A list parameter (migrate_disks) goes comma-separated, as this driver takes it.
      const params = Object.fromEntries(
        Object.entries(c.params).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : v]),
      );
      const e = await error(dom.migrate3(b.client, params, c.flags));
      assert.deepEqual({ code: e.code, domain: e.domain, message: e.message }, c.error, c.name);
      assert.deepEqual(await a.conn.domainGetState!(a.dom, 0), [
        E.DOMAIN_RUNNING,
        E.DOMAIN_RUNNING_BOOTED,
      ]);
      assert.deepEqual(await b.conn.connectListAllDomains!(0), [], c.name);
      assert.equal(b.launcher.launches.length, 0, c.name);
    }
  });
});

Deno.test("migration --offline --persistent --undefinesource moves the definition only", async () => {
  await withPair(async (a, src, b) => {
    await a.conn.domainDestroyFlags!(a.dom, 0);
    a.events.length = 0;
    const dom = await src.lookupDomainByName("hp");
    const flags = E.MIGRATE_OFFLINE | E.MIGRATE_PERSIST_DEST | E.MIGRATE_UNDEFINE_SOURCE;
    const moved = await dom.migrate3(b.client, {}, flags);
    assert.deepEqual(await moved.getState(), [E.DOMAIN_SHUTOFF, E.DOMAIN_SHUTOFF_UNKNOWN]);
    assert.equal(await b.conn.domainIsPersistent!(moved.ref), true);
    assert.match(
      await b.conn.domainGetXMLDesc!(moved.ref, 0),
      /<uuid>44444444-2222-3333-4444-555555555555<\/uuid>/,
    );
    assert.equal(b.launcher.launches.length, 0, "nothing runs");
    assert.deepEqual(lifecycle(b.events), [
      `${E.DOMAIN_EVENT_DEFINED}/${E.DOMAIN_EVENT_DEFINED_ADDED}`,
    ]);
    const gone = await error(src.lookupDomainByName("hp"));
    assert.equal(gone.code, E.ERR_NO_DOMAIN);
  });
});

Deno.test("migration through two gateways: each forwards its steps, the client runs them", async () => {
  await withPair(async (a, _src, b) => {
    const gateways = await Promise.all(
      [["qa", a.conn], ["qb", b.conn]].map(([scheme, conn]) =>
        createGateway({
          drivers: [`${scheme}:///session`],
          registry: createRegistry([serving(scheme as string, conn as DriverConnection)]),
          auth: "none",
        })
      ),
    );
    const [src, dst] = await Promise.all(
      gateways.map((gw, i) =>
        connect(`${["qa", "qb"][i]}+http://gateway.test/session`, {
          token: "unused",
          fetch: (input, init) => gw.fetch(new Request(input, init)),
        })
      ),
    );
    try {
      const dom = await src.lookupDomainByName("hp");
      const moved = await dom.migrate3(dst, PARAMS, LIVE | E.MIGRATE_PERSIST_DEST);
      assert.deepEqual(await moved.getState(), [E.DOMAIN_RUNNING, E.DOMAIN_RUNNING_MIGRATED]);
      assert.equal(b.migration.loaded, a.migration.state);
      assert.deepEqual(await a.conn.domainGetState!(a.dom, 0), [
        E.DOMAIN_SHUTOFF,
        E.DOMAIN_SHUTOFF_MIGRATED,
      ]);
    } finally {
      await src.close();
      await dst.close();
      for (const gw of gateways) await gw.close();
    }
  });
});

Deno.test("migration --offline of a running domain moves its configuration and leaves it running", async () => {
  await withPair(async (a, src, b) => {
    a.events.length = 0;
    const dom = await src.lookupDomainByName("hp");
    const flags = E.MIGRATE_OFFLINE | E.MIGRATE_PERSIST_DEST | E.MIGRATE_UNDEFINE_SOURCE;
    const moved = await dom.migrate3(b.client, {}, flags);
    assert.deepEqual(await moved.getState(), [E.DOMAIN_SHUTOFF, E.DOMAIN_SHUTOFF_UNKNOWN]);
    assert.deepEqual(await a.conn.domainGetState!(a.dom, 0), [
      E.DOMAIN_RUNNING,
      E.DOMAIN_RUNNING_BOOTED,
    ]);
    assert.equal(await a.conn.domainIsPersistent!(a.dom), true);
    assert.deepEqual(lifecycle(a.events), []);
  });
});

Deno.test("migration: a state the destination cannot load ends there; the source is not stopped", async () => {
  await withPair(async (a, src, b) => {
    const dom = await src.lookupDomainByName("hp");
    a.events.length = 0;
    const e = await error(dom.migrate3(b.client, PARAMS, LIVE));
    // Perform succeeded, so Finish's error is the one the caller gets (virErrorPreserveLast).
    assert.deepEqual([e.code, e.domain, e.message], [
      E.ERR_OPERATION_FAILED,
      E.FROM_QEMU,
      "operation failed: migration in job: load of migration failed: Invalid argument",
    ]);
    assert.deepEqual(await b.conn.connectListAllDomains!(0), []);
    assert.deepEqual(lifecycle(b.events), [
      `${E.DOMAIN_EVENT_STARTED}/${E.DOMAIN_EVENT_STARTED_MIGRATED}`,
      `${E.DOMAIN_EVENT_STOPPED}/${E.DOMAIN_EVENT_STOPPED_FAILED}`,
    ]);
    // Confirm was told the migration was cancelled: the source's QEMU lives on.
    assert.deepEqual(await a.conn.domainGetState!(a.dom, 0), [
      E.DOMAIN_RUNNING,
      E.DOMAIN_RUNNING_BOOTED,
    ]);
    assert.deepEqual(lifecycle(a.events), []);
  }, { migration: { corrupt: true } });
});
