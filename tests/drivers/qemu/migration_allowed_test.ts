// qemuMigrationSrcIsAllowed's checks in libvirt 9.0's order (qemu_migration.c), on a domain
// object whose monitor answers query-migrate with the blockers a test gives.
import assert from "node:assert/strict";
import { checkMigrationAllowed } from "../../../drivers/qemu/api/migration_allowed.ts";
import type { QemuDomainObj } from "../../../drivers/qemu/domain_private.ts";
import { qemuPostParse } from "../../../drivers/qemu/postparse.ts";
import { parseDomainXML } from "../../../conf/domain/mod.ts";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";

function domain(devices: string, extra = "", blockers: string[] = [], snapshots = 0) {
  const def = parseDomainXML(
    `<domain type='qemu'><name>m</name><memory>131072</memory><vcpu>1</vcpu>` +
      `<os><type arch='x86_64'>hvm</type></os>${extra}<devices>${devices}</devices></domain>`,
  );
  qemuPostParse(def);
  const asked: string[] = [];
  const obj = {
    def,
    state: VIR.DOMAIN_RUNNING,
    reason: VIR.DOMAIN_RUNNING_BOOTED,
    snapshots: { size: snapshots },
    proc: {
      monitor: {
        run: (cmd: string) => {
          asked.push(cmd);
          return Promise.resolve({ "blocked-reasons": blockers });
        },
      },
    },
  } as unknown as QemuDomainObj;
  return { obj, asked };
}

const refusal = (message: string) => (e: unknown) =>
  e instanceof VirError && e.code === VIR.ERR_OPERATION_INVALID &&
  e.domain === VIR.FROM_QEMU && e.message === `Requested operation is not valid: ${message}`;

Deno.test("QEMU's migration blockers refuse a save or migration, joined as libvirt joins them", async () => {
  const { obj, asked } = domain("", "", ["one reason", "another"]);
  await assert.rejects(
    () => checkMigrationAllowed(obj, false),
    refusal("cannot migrate domain: one reason; another"),
  );
  assert.deepEqual(asked, ["query-migrate"]);
});

Deno.test("snapshots stop a migration to another host before QEMU is asked, not a save", async () => {
  const { obj, asked } = domain("", "", [], 2);
  await assert.rejects(
    () => checkMigrationAllowed(obj, true),
    refusal("cannot migrate domain with 2 snapshots"),
  );
  assert.deepEqual(asked, []);
  await checkMigrationAllowed(obj, false);
  // Offline, only the snapshots count.
  const offline = domain("", "", ["blocked"]);
  await checkMigrationAllowed(offline.obj, true, VIR.MIGRATE_OFFLINE);
  assert.deepEqual(offline.asked, []);
});

Deno.test("libvirt's own checks after QEMU's: I/O error, invtsc, shmem, virtiofs", async () => {
  const paused = domain("");
  paused.obj.state = VIR.DOMAIN_PAUSED;
  paused.obj.reason = VIR.DOMAIN_PAUSED_IOERROR;
  await assert.rejects(
    () => checkMigrationAllowed(paused.obj, true, VIR.MIGRATE_ABORT_ON_ERROR),
    refusal("cannot migrate domain with I/O error"),
  );
  // Without ABORT_ON_ERROR the paused domain may go.
  await checkMigrationAllowed(paused.obj, true);

  const invtsc = "<cpu><model>qemu64</model><feature policy='require' name='invtsc'/></cpu>";
  await assert.rejects(
    () => checkMigrationAllowed(domain("", invtsc).obj, false),
    refusal("domain has 'invtsc' CPU feature but TSC frequency is not specified"),
  );
  const tsc = "<clock offset='utc'><timer name='tsc' frequency='1000000000'/></clock>";
  await checkMigrationAllowed(domain("", invtsc + tsc).obj, false);

  await assert.rejects(
    () =>
      checkMigrationAllowed(
        domain("<shmem name='s' role='master'><model type='ivshmem-plain'/></shmem>").obj,
        false,
      ),
    refusal("shmem device 's' cannot be migrated, only shmem with role='peer' can be migrated"),
  );
  await assert.rejects(
    () =>
      checkMigrationAllowed(
        domain(
          "<filesystem type='mount'><driver type='virtiofs'/><source dir='/srv'/>" +
            "<target dir='t'/></filesystem>",
          "<memoryBacking><access mode='shared'/></memoryBacking>",
        ).obj,
        false,
      ),
    refusal("migration with virtiofs device is not supported"),
  );
});
