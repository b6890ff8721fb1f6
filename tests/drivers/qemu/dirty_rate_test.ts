// The guest's dirty page rate as libvirt 9.0's qemuDomainStartDirtyRateCalc and the dirtyrate
// group of qemuConnectGetAllDomainStats (qemuDomainGetStatsDirtyRate, its reply checks in
// qemuMonitorJSONExtractDirtyRateInfo): against the fake QEMU (QEMU 7.2's replies, recorded from
// qemu-system-x86_64 7.2 -qmp stdio) and a real TCG QEMU, whose page sampling measures (the
// group's fields before a measurement are checked against libvirt's recording in stats_test.ts).
import assert from "node:assert/strict";
import { SystemLauncher } from "../../../drivers/qemu/process/mod.ts";
import { FakeLauncher, type FakeReply } from "../../../drivers/qemu/testing/mod.ts";
import { VIR } from "../../../util/constants.ts";
import type { DomainRef, DriverConnection } from "../../../util/driver.ts";
import { domainXml } from "./agent_harness.ts";
import { realQemuTest } from "./real_qemu.ts";
import { rejectsWith } from "./rejects_with.ts";
import { withQemuConn } from "./with_conn.ts";

const E = VIR;
const FIXTURES = new URL("../../fixtures/qemu_host/", import.meta.url);

/** The dirtyrate group of the one domain. */
async function dirtyStats(conn: DriverConnection) {
  const [rec] = await conn.connectGetAllDomainStats!(E.DOMAIN_STATS_DIRTYRATE, 0);
  return rec.params;
}

/** Asks the group until `done` holds of it (the measurement takes its calc-time). */
async function statsUntil(
  conn: DriverConnection,
  done: (p: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  for (;;) {
    const p = await dirtyStats(conn);
    if (done(p)) return p;
    await new Promise((r) => setTimeout(r, 50));
  }
}

Deno.test("dirty rate: calc-dirty-rate with libvirt's arguments, the group as it measures", () => {
  const launcher = new FakeLauncher();
  return withQemuConn({ launcher }, async (conn) => {
    const dom = await conn.domainCreateXML!(domainXml("dr", ""), 0);
    const qemu = [...launcher.instances.values()].at(-1)!;
    assert.deepEqual(await dirtyStats(conn), {
      "dirtyrate.calc_status": E.DOMAIN_DIRTYRATE_UNSTARTED,
      "dirtyrate.calc_start_time": 0,
      "dirtyrate.calc_period": 0,
      "dirtyrate.calc_mode": "page-sampling",
    });
    await conn.domainStartDirtyRateCalc!(dom, 1, E.DOMAIN_DIRTYRATE_MODE_PAGE_SAMPLING);
    const measuring = await dirtyStats(conn);
    assert.equal(measuring["dirtyrate.calc_status"], E.DOMAIN_DIRTYRATE_MEASURING);
    assert.equal(measuring["dirtyrate.calc_period"], 1);
    assert.equal("dirtyrate.megabytes_per_second" in measuring, false);
    const measured = await statsUntil(
      conn,
      (p) => p["dirtyrate.calc_status"] === E.DOMAIN_DIRTYRATE_MEASURED,
    );
    assert.equal(measured["dirtyrate.megabytes_per_second"], 0);
    await conn.domainStartDirtyRateCalc!(dom, 60, E.DOMAIN_DIRTYRATE_MODE_DIRTY_BITMAP);
    // libvirt leaves QEMU's default mode unnamed.
    assert.deepEqual(
      qemu.commands.filter((c) => c.execute === "calc-dirty-rate").map((c) => c.arguments),
      [{ "calc-time": 1 }, { "calc-time": 60, mode: "dirty-bitmap" }],
    );
    assert.equal((await dirtyStats(conn))["dirtyrate.calc_mode"], "dirty-bitmap");
    await conn.domainDestroyFlags!(dom, 0);
    // A domain that does not run has no group.
    assert.deepEqual(
      (await conn.connectGetAllDomainStats!(E.DOMAIN_STATS_DIRTYRATE, 0)).map((r) => r.params),
      [],
    );
  });
});

/** A fake whose query-dirty-rate answers `reply`. */
function answering(reply: FakeReply): FakeLauncher {
  return new FakeLauncher({
    onCommand: (execute) => execute === "query-dirty-rate" ? reply : undefined,
  });
}

Deno.test("dirty rate replies: per-vCPU rates of the dirty ring, libvirt's checks of the reply", async () => {
  const ring = {
    status: "measured",
    "dirty-rate": 12,
    mode: "dirty-ring",
    "start-time": 300,
    "calc-time": 2,
    "vcpu-dirty-rate": [{ id: 0, "dirty-rate": 7 }, { id: 1, "dirty-rate": 5 }],
  };
  await withQemuConn({ launcher: answering({ return: ring }) }, async (conn) => {
    await conn.domainCreateXML!(domainXml("dr", ""), 0);
    assert.deepEqual(await dirtyStats(conn), {
      "dirtyrate.calc_status": E.DOMAIN_DIRTYRATE_MEASURED,
      "dirtyrate.calc_start_time": 300,
      "dirtyrate.calc_period": 2,
      "dirtyrate.calc_mode": "dirty-ring",
      "dirtyrate.megabytes_per_second": 12,
      "dirtyrate.vcpu.0.megabytes_per_second": 7,
      "dirtyrate.vcpu.1.megabytes_per_second": 5,
    });
  });
  const bad: [Record<string, unknown>, string][] = [
    [{ ...ring, status: undefined }, "query-dirty-rate reply was missing 'status' data"],
    [{ ...ring, status: "odd" }, "Unknown dirty rate status: odd"],
    [{ ...ring, "dirty-rate": undefined }, "query-dirty-rate reply was missing 'dirty-rate' data"],
    [{ ...ring, "start-time": undefined }, "query-dirty-rate reply was missing 'start-time' data"],
    [{ ...ring, "calc-time": "2" }, "query-dirty-rate reply was missing 'calc-time' data"],
    [{ ...ring, mode: "psychic" }, "Unknown dirty page rate calculation mode: psychic"],
    [
      { ...ring, "vcpu-dirty-rate": [{ id: 0 }] },
      "query-dirty-rate parsing 'vcpu-dirty-rate' in failure",
    ],
  ];
  for (const [reply, message] of bad) {
    await withQemuConn({ launcher: answering({ return: reply }) }, async (conn) => {
      await conn.domainCreateXML!(domainXml("dr", ""), 0);
      await rejectsWith(
        () => conn.connectGetAllDomainStats!(E.DOMAIN_STATS_DIRTYRATE, 0),
        "VIR_ERR_INTERNAL_ERROR",
        `internal error: ${message}`,
      );
    });
  }
});

realQemuTest({
  name: "real QEMU (TCG): page sampling measures; the group gives the rate once measured",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withQemuConn({ launcher: new SystemLauncher() }, async (conn, dir) => {
      await Deno.writeFile(`${dir}/d.img`, new Uint8Array(1024 * 1024));
      const xml = (await Deno.readTextFile(new URL("obs.xml", FIXTURES))).replaceAll("@DIR@", dir);
      const dom: DomainRef = await conn.domainCreateXML!(xml, 0);
      await conn.domainStartDirtyRateCalc!(dom, 1, 0);
      const measured = await statsUntil(
        conn,
        (p) => p["dirtyrate.calc_status"] === E.DOMAIN_DIRTYRATE_MEASURED,
      );
      assert.deepEqual(Object.keys(measured), [
        "dirtyrate.calc_status",
        "dirtyrate.calc_start_time",
        "dirtyrate.calc_period",
        "dirtyrate.calc_mode",
        "dirtyrate.megabytes_per_second",
      ]);
      assert.equal(measured["dirtyrate.calc_period"], 1);
      assert.equal(measured["dirtyrate.calc_mode"], "page-sampling");
      assert.ok(Number(measured["dirtyrate.megabytes_per_second"]) >= 0);
      await conn.domainDestroyFlags!(dom, 0);
    }),
});
