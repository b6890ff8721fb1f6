// VIR_MIGRATE_CHANGE_PROTECTION as libvirt 9.0's QEMU driver keeps it (qemuMigrationSrcBegin,
// qemuMigrationJobContinue): the outgoing job begins at Begin and lasts until Confirm, or until
// the connection that began it closes, so that no other async job starts in between.
import assert from "node:assert/strict";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { VIR } from "../../../util/constants.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import { VirError } from "../../../util/errors.ts";
import { setup } from "./fake_qmp/block_harness.ts";

const E = VIR;
// UNSAFE: the harness's disk is not on shared storage, which only the migration itself would mind.
const PROTECTED = E.MIGRATE_LIVE | E.MIGRATE_UNSAFE | E.MIGRATE_CHANGE_PROTECTION;

const heldByBegin = (e: unknown) =>
  e instanceof VirError && e.code === E.ERR_OPERATION_TIMEOUT &&
  e.message ===
    "Timed out during operation: cannot acquire state change lock (held by monitor=remoteDispatchDomainMigrateBegin3Params)";

Deno.test("change protection: the outgoing job lasts from Begin to Confirm; a save meanwhile waits and gives up", async () => {
  const t = await setup({ asyncJobWaitMs: 200 });
  try {
    await t.conn.domainMigrateBegin3Params!(t.dom, {}, PROTECTED);
    const stats = await t.conn.domainGetJobStats!(t.dom, 0);
    assert.equal(stats.operation, E.DOMAIN_JOB_OPERATION_MIGRATION_OUT);
    await assert.rejects(
      () => t.conn.domainSaveFlags!(t.dom, `${t.dir}/saved`, null, 0),
      heldByBegin,
    );
    // A second migration's Begin waits for the first one's job too.
    await assert.rejects(
      () => t.conn.domainMigrateBegin3Params!(t.dom, {}, PROTECTED),
      heldByBegin,
    );
    // Cancelled (the destination's Prepare failed): Confirm ends the job; the domain runs on.
    await t.conn.domainMigrateConfirm3Params!(t.dom, {}, null, PROTECTED, 1);
    assert.equal((await t.conn.domainGetJobStats!(t.dom, 0)).type, E.DOMAIN_JOB_NONE);
    assert.equal((await t.conn.domainGetState!(t.dom, 0))[0], E.DOMAIN_RUNNING);
    // Without the flag, Begin holds nothing.
    await t.conn.domainMigrateBegin3Params!(t.dom, {}, E.MIGRATE_LIVE | E.MIGRATE_UNSAFE);
    assert.equal((await t.conn.domainGetJobStats!(t.dom, 0)).type, E.DOMAIN_JOB_NONE);
  } finally {
    await t.close();
  }
});

Deno.test("change protection: a connection that began a migration and closes lets its job go", async () => {
  const t = await setup({ asyncJobWaitMs: 200 });
  try {
    const other = await qemuConnectDriver.open(new URL("qemu:///session"), {
      stateDir: t.dir,
      launcher: t.launcher,
    }) as DriverConnection;
    await other.domainMigrateBegin3Params!(t.dom, {}, PROTECTED);
    assert.equal(
      (await t.conn.domainGetJobStats!(t.dom, 0)).operation,
      E.DOMAIN_JOB_OPERATION_MIGRATION_OUT,
    );
    await other.connectClose();
    assert.equal((await t.conn.domainGetJobStats!(t.dom, 0)).type, E.DOMAIN_JOB_NONE);
  } finally {
    await t.close();
  }
});
