// Domain statistics of the QEMU driver (blockStats, interfaceStats, memoryStats, getCPUStats,
// connectGetAllDomainStats): with the fake QMP peer answering query-blockstats & co as QEMU
// 7.2 does, and on real QEMU (TCG) against virsh's recording of libvirt 9.0 on the same XML
// (tests/fixtures/qemu_host/, tests/tools/record_qemu_host.sh).
import assert from "node:assert/strict";
import { SystemLauncher } from "../../../drivers/qemu/process/mod.ts";
import { FakeLauncher, type FakeReply } from "../../../drivers/qemu/testing/mod.ts";
import { VIR } from "../../../util/constants.ts";
import type { VirError } from "../../../util/errors.ts";
import { realQemuTest } from "./real_qemu.ts";
import { rejectsWith } from "./rejects_with.ts";
import { withQemuConn } from "./with_conn.ts";

const FIXTURES = new URL("../../fixtures/qemu_host/", import.meta.url);

/** The domain libvirt's recording started (tests/fixtures/qemu_host/obs.xml), its disk in `dir`. */
const OBS_XML = await Deno.readTextFile(new URL("obs.xml", FIXTURES));
const domainXML = (dir: string) => OBS_XML.replaceAll("@DIR@", dir);

/** QEMU 7.2's answers for one virtio disk `virtio-disk0` and the balloon. */
function qemuAnswers(execute: string, args: Record<string, unknown>): FakeReply | undefined {
  switch (execute) {
    case "query-blockstats":
      return {
        return: [{
          device: "drive0",
          qdev: "/machine/peripheral/virtio-disk0/virtio-backend",
          stats: {
            rd_operations: 3,
            rd_bytes: 1536,
            rd_total_time_ns: 78266,
            wr_operations: 2,
            wr_bytes: 1024,
            wr_total_time_ns: 500,
            flush_operations: 1,
            flush_total_time_ns: 7,
            wr_highest_offset: 4096,
          },
        }],
      };
    case "query-block":
      return {
        return: [{
          device: "drive0",
          qdev: "/machine/peripheral/virtio-disk0/virtio-backend",
          inserted: { image: { "virtual-size": 1048576 } },
        }],
      };
    case "query-balloon":
      return { return: { actual: 64 * 1024 * 1024 } };
    case "qom-get":
      if (args.path === "/machine/peripheral/balloon0" && args.property === "guest-stats") {
        return {
          return: {
            stats: {
              "stat-free-memory": 2048 * 1024,
              "stat-swap-in": 18446744073709551615,
              "stat-major-faults": 5,
            },
            "last-update": 1700000000,
          },
        };
      }
      return undefined;
    case "query-stats":
      return { return: [] };
  }
  return undefined;
}

Deno.test("domain statistics from QMP: block, memory, interface, CPU, as libvirt's calls", () =>
  withQemuConn({ launcher: new FakeLauncher({ onCommand: qemuAnswers }) }, async (conn, dir) => {
    await Deno.writeFile(`${dir}/d.img`, new Uint8Array(1024 * 1024));
    const dom = await conn.domainDefineXMLFlags!(domainXML(dir), 0);
    await rejectsWith(
      () => conn.domainBlockStats!(dom, "vda"),
      "VIR_ERR_OPERATION_INVALID",
      "Requested operation is not valid: domain is not running",
    );
    await conn.domainCreateWithFlags!(dom, 0);
    const vda = { rd_req: 3, rd_bytes: 1536, wr_req: 2, wr_bytes: 1024, errs: -1 };
    assert.deepEqual(await conn.domainBlockStats!(dom, "vda"), vda);
    // By source path too; the empty path sums every disk.
    assert.deepEqual(await conn.domainBlockStats!(dom, `${dir}/d.img`), vda);
    assert.deepEqual(await conn.domainBlockStats!(dom, ""), vda);
    await rejectsWith(
      () => conn.domainBlockStats!(dom, "vdz"),
      "VIR_ERR_INVALID_ARG",
      "invalid argument: invalid path: vdz",
    );

    const mem = await conn.domainMemoryStats!(dom, 0);
    // libvirt's order; the guest's -1 (never collected) is left out; KiB from bytes.
    assert.deepEqual(Object.keys(mem), [
      "actual",
      "major_fault",
      "unused",
      "last_update",
    ]);
    assert.equal(mem.actual, 65536);
    assert.equal(mem.unused, 2048);
    assert.equal(mem.last_update, 1700000000);
    await rejectsWith(
      () => conn.domainMemoryStats!(dom, 1),
      "VIR_ERR_INVALID_ARG",
      "unsupported flags (0x1) in function qemuDomainMemoryStats",
    );

    // A user-mode NIC has no host device: unknown by name, refused by MAC (as libvirt).
    await rejectsWith(
      () => conn.domainInterfaceStats!(dom, "net0"),
      "VIR_ERR_INVALID_ARG",
      "invalid argument: 'net0' is not a known interface",
    );
    await rejectsWith(
      () => conn.domainInterfaceStats!(dom, "52:54:00:4b:87:b7"),
      "VIR_ERR_INTERNAL_ERROR",
      "internal error: Interface name not provided",
    );
    await rejectsWith(
      () => conn.domainGetCPUStats!(dom, -1, 1, 0),
      "VIR_ERR_OPERATION_INVALID",
      "Requested operation is not valid: cgroup CPUACCT controller is not mounted",
    );

    const [rec] = await conn.connectGetAllDomainStats!(0, 0);
    const p = rec.params;
    assert.equal(p["state.state"], VIR.DOMAIN_RUNNING);
    assert.equal(p["balloon.current"], 65536);
    assert.equal(p["balloon.unused"], 2048);
    assert.equal(p["vcpu.current"], 2);
    assert.equal(p["net.count"], 1);
    assert.equal(p["block.0.rd.reqs"], 3);
    assert.equal(p["block.0.allocation"], 4096);
    assert.equal(p["block.0.capacity"], 1048576);
    assert.equal(p["block.0.physical"], 1048576);
    assert.equal(p["cpu.haltpoll.success.time"], 0);

    // Only the groups asked for; an unsupported group is refused only when enforced.
    const only = await conn.connectGetAllDomainStats!(VIR.DOMAIN_STATS_STATE, 0);
    assert.deepEqual(only[0].params, { "state.state": 1, "state.reason": 1 });
    const perf = await conn.connectGetAllDomainStats!(VIR.DOMAIN_STATS_PERF, 0);
    assert.deepEqual(perf[0].params, {});
    await rejectsWith(
      () =>
        conn.connectGetAllDomainStats!(
          VIR.DOMAIN_STATS_PERF,
          VIR.CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS,
        ),
      "VIR_ERR_ARGUMENT_UNSUPPORTED",
      "argument unsupported: Stats types bits 0x40 are not supported by this daemon or QEMU",
    );
    await conn.domainDestroyFlags!(dom, 0);
    // Shut off: the definition's figures and the image's size, no live counters.
    const [off] = await conn.connectGetAllDomainStats!(0, VIR.CONNECT_LIST_DOMAINS_INACTIVE);
    assert.deepEqual(off.params, {
      "state.state": 5,
      "state.reason": 2,
      "balloon.current": 65536,
      "balloon.maximum": 65536,
      "vcpu.current": 2,
      "vcpu.maximum": 2,
      "block.count": 1,
      "block.0.name": "vda",
      "block.0.path": `${dir}/d.img`,
      "block.0.allocation": off.params["block.0.allocation"],
      "block.0.capacity": 1048576,
      "block.0.physical": 1048576,
    });
  }));

/** `  key=value` lines of a recorded `virsh domstats`, as [key, value]. */
async function recordedDomstats(file: string): Promise<[string, string][]> {
  const text = await Deno.readTextFile(new URL(file, FIXTURES));
  return text.split("\n").filter((l) => l.startsWith("  ")).map((l) => {
    const [k, ...v] = l.trim().split("=");
    return [k, v.join("=")];
  });
}

realQemuTest({
  name: "real QEMU: domstats, dommemstat, domblkstat give libvirt 9.0's fields for the same XML",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withQemuConn({ launcher: new SystemLauncher() }, async (conn, dir) => {
      await Deno.writeFile(`${dir}/d.img`, new Uint8Array(1024 * 1024));
      const dom = await conn.domainCreateXML!(domainXML(dir), 0);
      const [rec] = await conn.connectGetAllDomainStats!(0, 0);
      const want = await recordedDomstats("domstats.txt");
      assert.deepEqual(Object.keys(rec.params), want.map(([k]) => k));
      const fixed = [
        "state.",
        "balloon.current",
        "balloon.maximum",
        "vcpu.current",
        "net.count",
        "dirtyrate.",
      ];
      for (const [k, v] of want) {
        if (fixed.some((f) => k.startsWith(f))) assert.equal(String(rec.params[k]), v, k);
      }
      for (const k of ["block.0.capacity", "block.0.physical", "block.0.backingIndex"]) {
        assert.equal(String(rec.params[k]), want.find(([w]) => w === k)![1], k);
      }
      const mem = await conn.domainMemoryStats!(dom, 0);
      const recMem = (await Deno.readTextFile(new URL("dommemstat.txt", FIXTURES))).trim()
        .split("\n").map((l) => l.split(" ")[0]);
      assert.deepEqual(Object.keys(mem), recMem);
      assert.equal(mem.actual, 65536);
      assert.ok(mem.rss > 0);
      // The firmware reads the boot disk's first sector soon after the start.
      let blk = await conn.domainBlockStats!(dom, "vda");
      for (let i = 0; i < 100 && !blk.rd_req; i++) {
        await new Promise((r) => setTimeout(r, 50));
        blk = await conn.domainBlockStats!(dom, "vda");
      }
      assert.deepEqual(Object.keys(blk), ["rd_req", "rd_bytes", "wr_req", "wr_bytes", "errs"]);
      assert.ok(Number(blk.rd_req) >= 1 && Number(blk.rd_bytes) >= 512, JSON.stringify(blk));
      await rejectsWith(
        () => conn.domainBlockStats!(dom, "vdz"),
        "VIR_ERR_INVALID_ARG",
        (await Deno.readTextFile(new URL("domblkstat-bad.txt", FIXTURES))).trim().slice(7),
      );
      await conn.domainDestroyFlags!(dom, 0);
    }),
});

Deno.test("getAllDomainStats NOWAIT: a domain busy with a job gives what needs no monitor", () =>
  withQemuConn({
    launcher: new FakeLauncher({ onCommand: qemuAnswers, unplug: "hold" }),
    unplugTimeoutMs: 400,
  }, async (conn, dir) => {
    await Deno.writeFile(`${dir}/d.img`, new Uint8Array(1024 * 1024));
    const xml = domainXML(dir).replace(
      "<vcpu>2</vcpu>",
      "<vcpu current='2'>2</vcpu><vcpus><vcpu id='0' enabled='yes' hotpluggable='no'/>" +
        "<vcpu id='1' enabled='yes' hotpluggable='yes'/></vcpus>",
    );
    const dom = await conn.domainCreateXML!(xml, 0);
    const groups = VIR.DOMAIN_STATS_BALLOON | VIR.DOMAIN_STATS_BLOCK;
    // The unplug waits for a DEVICE_DELETED that never comes: its job holds the domain.
    const unplug = conn.domainSetVcpusFlags!(dom, 1, VIR.DOMAIN_AFFECT_LIVE).catch((e) => e);
    const t = performance.now();
    const [busy] = await conn.connectGetAllDomainStats!(
      groups,
      VIR.CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT,
    );
    assert.ok(performance.now() - t < 300, "did not wait for the job");
    assert.deepEqual(busy.params, {
      "balloon.current": 65536,
      "balloon.maximum": 65536,
      "block.count": 1,
      "block.0.name": "vda",
      "block.0.path": `${dir}/d.img`,
      "block.0.backingIndex": 1,
    });
    // Without NOWAIT the call waits for the job and asks QEMU.
    const [waited] = await conn.connectGetAllDomainStats!(groups, 0);
    assert.equal(waited.params["block.0.rd.reqs"], 3);
    assert.equal(waited.params["balloon.unused"], 2048);
    assert.equal((await unplug as VirError).codeName, "VIR_ERR_OPERATION_TIMEOUT");
    await conn.domainDestroyFlags!(dom, 0);
  }));

Deno.test("getInfo and the live XML: without a balloon a running domain has all its memory", () =>
  withQemuConn({ launcher: new FakeLauncher() }, async (conn) => {
    const xml = `<domain type='qemu'><name>nb</name><memory unit='MiB'>128</memory>
      <currentMemory unit='MiB'>64</currentMemory>
      <os><type arch='x86_64' machine='pc'>hvm</type></os>
      <devices><memballoon model='none'/></devices></domain>`;
    const dom = await conn.domainDefineXMLFlags!(xml, 0);
    assert.equal((await conn.domainGetInfo!(dom)).memory, 65536);
    await conn.domainCreateWithFlags!(dom, 0);
    const info = await conn.domainGetInfo!(dom);
    assert.deepEqual([info.maxMem, info.memory], [131072, 131072]);
    assert.match(
      await conn.domainGetXMLDesc!(dom, 0),
      /<currentMemory unit='KiB'>131072<\/currentMemory>/,
    );
    // The persistent definition keeps what it said.
    assert.match(
      await conn.domainGetXMLDesc!(dom, VIR.DOMAIN_XML_INACTIVE),
      /<currentMemory unit='KiB'>65536<\/currentMemory>/,
    );
    await conn.domainDestroyFlags!(dom, 0);
  }));
