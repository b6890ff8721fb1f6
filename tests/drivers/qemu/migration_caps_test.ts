// The migration capabilities and parameters of libvirt 9.0 (qemu_migration_params.c) against
// fake QEMUs: for each migration recorded by tests/tools/record_qemu_migration_caps.sh
// (compression methods and their tuning, auto-converge, multifd with its connections,
// post-copy with its bandwidth, all together), both QEMUs receive the capabilities and
// parameters libvirt sent, and the destination's are reset after; each recorded refusal comes
// with libvirt's code and words and leaves the source running and no domain on the destination.
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { migrationParamsFromFlags } from "../../../drivers/qemu/api/migration_caps.ts";
import { error, qmp } from "./fake_qmp/block_harness.ts";
import { withPair } from "./fake_qmp/migration_pair.ts";
import { CAPS_CASES, recordedSettings, settings } from "./migration_recorded.ts";
import { waitFor } from "../../wait.ts";

const E = VIR;
// Each migrating test file listens on its own loopback address: files that run in parallel
// would otherwise pick the same free port of libvirt's range at the same moment.
const PARAMS = { migrate_uri: "tcp:127.0.0.8", listen_address: "127.0.0.8" };

for (const c of CAPS_CASES) {
  Deno.test(`migration settings, recorded case ${c.case}: libvirt's ${c.error ? "refusal" : "QMP"}`, async () => {
    await withPair(async (a, src, b) => {
      const dom = await src.lookupDomainByName("hp");
      // The harness's disk is a plain local file: libvirt needs VIR_MIGRATE_UNSAFE for it.
      const migrating = dom.migrate3(
        b.client,
        { ...PARAMS, ...c.params },
        c.flags | E.MIGRATE_UNSAFE,
      );
      if (c.error) {
        const e = await error(migrating);
        assert.deepEqual({ code: e.code, domain: e.domain, message: e.message }, c.error);
        assert.deepEqual(await a.conn.domainGetState!(a.dom, 0), [
          E.DOMAIN_RUNNING,
          E.DOMAIN_RUNNING_BOOTED,
        ]);
        assert.deepEqual(await b.conn.connectListAllDomains!(0), []);
        assert.deepEqual(settings(qmp(a)), recordedSettings(c.case, "source"));
        return;
      }
      const moved = await migrating;
      assert.deepEqual(await moved.getState(), [E.DOMAIN_RUNNING, E.DOMAIN_RUNNING_MIGRATED]);
      assert.deepEqual(settings(qmp(a)), recordedSettings(c.case, "source"), "the source");
      const incoming = [...b.launcher.instances.values()][0];
      assert.deepEqual(
        settings(incoming.commands),
        recordedSettings(c.case, "destination"),
        "the destination",
      );
    });
  });
}

Deno.test("migration settings: compression methods are a comma-separated list, each once", () => {
  const both = migrationParamsFromFlags({ compression: "xbzrle,mt" }, E.MIGRATE_LIVE, "source");
  assert.deepEqual([...both.caps].sort(), ["compress", "return-path", "xbzrle"]);
  assert.throws(
    () => migrationParamsFromFlags({ compression: "mt,mt" }, E.MIGRATE_LIVE, "source"),
    {
      code: E.ERR_INVALID_ARG,
      message: "invalid argument: Compression method 'mt' is specified twice",
    },
  );
  // A tunnelled migration goes without QEMU's return path.
  const tunnelled = migrationParamsFromFlags({}, E.MIGRATE_TUNNELLED, "destination");
  assert.deepEqual([...tunnelled.caps], []);
  // bandwidth.postcopy is MiB/s, refused past what QEMU's 64-bit bytes/s holds.
  assert.throws(
    () =>
      migrationParamsFromFlags(
        { "bandwidth.postcopy": 17592186044416 },
        E.MIGRATE_POSTCOPY,
        "source",
      ),
    {
      code: E.ERR_OVERFLOW,
      message:
        "numerical overflow: migration parameter 'bandwidth.postcopy' must be less than 17592186044416",
    },
  );
});

Deno.test("migrateStartPostCopy: libvirt's refusals outside a post-copy migration", async () => {
  await withPair(async (a, src, b) => {
    const dom = await src.lookupDomainByName("hp");
    const refused = async (flags: number, code: number, message: string) => {
      const e = await error(dom.migrateStartPostCopy(flags));
      assert.deepEqual([e.code, e.domain, e.message], [code, E.FROM_QEMU, message]);
    };
    await refused(
      1,
      E.ERR_INVALID_ARG,
      "unsupported flags (0x1) in function qemuDomainMigrateStartPostCopy",
    );
    await refused(
      0,
      E.ERR_OPERATION_INVALID,
      "Requested operation is not valid: post-copy can only be started while outgoing " +
        "migration is in progress",
    );
    const outcome = dom.migrate3(b.client, PARAMS, E.MIGRATE_LIVE | E.MIGRATE_UNSAFE)
      .then(() => undefined, (e) => e);
    await waitFor(
      async () =>
        (await a.conn.domainGetJobStats!(a.dom, 0)).operation ===
          E.DOMAIN_JOB_OPERATION_MIGRATION_OUT,
      10_000,
      10,
      "the migration job",
    );
    await refused(
      0,
      E.ERR_OPERATION_INVALID,
      "Requested operation is not valid: switching to post-copy requires migration to be " +
        "started with VIR_MIGRATE_POSTCOPY flag",
    );
    assert.ok(!qmp(a).some((c) => c.execute === "migrate-start-postcopy"));
    await a.conn.domainAbortJob!(a.dom);
    assert.equal((await outcome)?.code, E.ERR_OPERATION_ABORTED);
  }, { migration: { hold: true } });
});
