// Host calls of the QEMU driver that read this machine as libvirt's virhostcpu.c / virhostmem.c
// do: CPU and memory counters, free memory per NUMA cell, the CPU map, the vCPU limits. The
// errors are compared with virsh's recording of libvirt 9.0 on this machine
// (tests/fixtures/qemu_host/, tests/tools/record_qemu_host.sh).
import assert from "node:assert/strict";
import { FakeLauncher } from "../../../drivers/qemu/testing/mod.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import { rejectsWith } from "./rejects_with.ts";
import { withQemuConn } from "./with_conn.ts";

const FIXTURES = new URL("../../fixtures/qemu_host/", import.meta.url);

/** The last `error: …` line virsh printed for a recorded command. */
async function recordedError(file: string): Promise<string> {
  const lines = (await Deno.readTextFile(new URL(file, FIXTURES))).trim().split("\n");
  return lines[lines.length - 1].replace(/^error: /, "");
}

const withConn = (fn: (conn: DriverConnection) => Promise<void>) =>
  withQemuConn({ launcher: new FakeLauncher() }, fn);

Deno.test("nodeGetCPUStats: /proc/stat in ns, libvirt's field order and errors", async () => {
  await withConn(async (conn) => {
    const all = await conn.nodeGetCPUStats!(-1, 0);
    assert.deepEqual(Object.keys(all), ["kernel", "user", "idle", "iowait"]);
    const cpu0 = await conn.nodeGetCPUStats!(0, 0);
    assert.ok(Number(all.idle) >= Number(cpu0.idle) && Number(cpu0.idle) > 0);
    assert.equal(Number(all.user) % 10_000_000, 0, "clock ticks of 10 ms");
    await rejectsWith(
      () => conn.nodeGetCPUStats!(4096, 0),
      "VIR_ERR_INVALID_ARG",
      await recordedError("nodecpustats-bad.txt"),
    );
    await rejectsWith(
      () => conn.nodeGetCPUStats!(-1, 1),
      "VIR_ERR_INVALID_ARG",
      "unsupported flags (0x1) in function virHostCPUGetStats",
    );
  });
});

Deno.test("nodeGetMemoryStats, nodeGetCellsFreeMemory, nodeGetFreeMemory", async () => {
  await withConn(async (conn) => {
    const meminfo = await Deno.readTextFile("/proc/meminfo");
    const field = (n: string) => Number(meminfo.match(new RegExp(`^${n}:\\s*(\\d+)`, "m"))![1]);
    const all = await conn.nodeGetMemoryStats!(-1, 0);
    assert.deepEqual(Object.keys(all), ["total", "free", "buffers", "cached"]);
    assert.equal(all.total, field("MemTotal"));
    const cell0 = await conn.nodeGetMemoryStats!(0, 0);
    assert.deepEqual(Object.keys(cell0), ["total", "free"]);
    const cells = await conn.nodeGetCellsFreeMemory!(0, 64);
    assert.ok(cells.length >= 1 && cells.every((b) => b > 0 && b % 1024 === 0));
    const free = await conn.nodeGetFreeMemory!();
    // Both read the kernel's live counter: close, not equal.
    assert.ok(Math.abs(free - cells.reduce((a, b) => a + b, 0)) < 512 * 1024 * 1024);
    await rejectsWith(
      () => conn.nodeGetCellsFreeMemory!(99, 1),
      "VIR_ERR_INTERNAL_ERROR",
      (await recordedError("freecell-bad.txt")).replace("(0-0)", `(0-${cells.length - 1})`),
    );
    await rejectsWith(
      () => conn.nodeGetMemoryStats!(99, 0),
      "VIR_ERR_INVALID_ARG",
      `cellNum in virHostMemGetStats must be less than or equal to ${cells.length - 1}`,
    );
  });
});

Deno.test("nodeGetCPUMap and connectGetMaxVcpus", async () => {
  await withConn(async (conn) => {
    const { map, online } = await conn.nodeGetCPUMap!(0);
    assert.equal(online, map.filter(Boolean).length);
    assert.equal(online, navigator.hardwareConcurrency);
    assert.equal(await conn.connectGetMaxVcpus!(null), 16);
    assert.equal(await conn.connectGetMaxVcpus!("QEMU"), 16);
    await rejectsWith(
      () => conn.connectGetMaxVcpus!("xen"),
      "VIR_ERR_INVALID_ARG",
      "invalid argument: unknown type 'xen'",
    );
    let kvm = true;
    try {
      Deno.openSync("/dev/kvm", { read: true }).close();
    } catch {
      kvm = false;
    }
    if (kvm) assert.ok(await conn.connectGetMaxVcpus!("kvm") >= 4);
    else {
      await assert.rejects(conn.connectGetMaxVcpus!("kvm"), /Unable to open \/dev\/kvm/);
    }
  });
});

Deno.test("nodeGetFreePages, connectGetCPUModelNames, nodeGetSecurityModel", async () => {
  await withConn(async (conn) => {
    const cells = (await conn.nodeGetCellsFreeMemory!(0, 64)).length;
    const [small, ...huge] = await conn.nodeGetFreePages!([4, 2048], 0, 1, 0);
    // 4 KiB pages: the cell's free memory in pages (both live counters: close, not equal).
    const free = (await conn.nodeGetCellsFreeMemory!(0, 1))[0] / 4096;
    assert.ok(Math.abs(small - free) < 128 * 1024, `${small} vs ${free}`);
    const node = cells > 0
      ? "/sys/devices/system/node/node0/hugepages"
      : "/sys/kernel/mm/hugepages";
    const hugeFree = await Deno.readTextFile(`${node}/hugepages-2048kB/free_hugepages`)
      .then(Number, () => undefined);
    if (hugeFree !== undefined) assert.deepEqual(huge, [hugeFree]);
    await rejectsWith(
      () => conn.nodeGetFreePages!([3], 0, 1, 0),
      "VIR_ERR_OPERATION_FAILED",
      "operation failed: page size 3 is not available on node 0",
    );
    await rejectsWith(
      () => conn.nodeGetFreePages!([4], 99, 1, 0),
      "VIR_ERR_INTERNAL_ERROR",
      `internal error: start cell 99 out of range (0-${cells - 1})`,
    );
    const recorded = (await Deno.readTextFile(new URL("cpu-models.txt", FIXTURES))).trim();
    assert.deepEqual(await conn.connectGetCPUModelNames!("x86_64", 0), recorded.split("\n"));
    await rejectsWith(
      () => conn.connectGetCPUModelNames!("vax", 0),
      "VIR_ERR_INVALID_ARG",
      "invalid argument: cannot find architecture vax",
    );
    assert.deepEqual(await conn.nodeGetSecurityModel!(), { model: "none", doi: "0" });
  });
});

Deno.test("node memory parameters: the host's KSM as read; a session never writes it", async () => {
  await withConn(async (conn) => {
    const ksm = "/sys/kernel/mm/ksm";
    const before = await Deno.readTextFile(`${ksm}/pages_to_scan`).catch(() => undefined);
    const got = await conn.nodeGetMemoryParameters!(0);
    if (before !== undefined) assert.equal(got.shm_pages_to_scan, Number(before));
    await rejectsWith(
      () => conn.nodeGetMemoryParameters!(2),
      "VIR_ERR_INVALID_ARG",
      "unsupported flags (0x2) in function virHostMemGetParameters",
    );
    // libvirt's argument checks first, then the session's refusal; the host keeps its value
    await rejectsWith(
      () => conn.nodeSetMemoryParameters!({ shm_full_scans: 1 }, 0),
      "VIR_ERR_ARGUMENT_UNSUPPORTED",
      "argument unsupported: parameter 'shm_full_scans' not supported",
    );
    await rejectsWith(
      () => conn.nodeSetMemoryParameters!({ shm_pages_to_scan: 1234 }, 0),
      "VIR_ERR_OPERATION_UNSUPPORTED",
      "Operation not supported: node memory tuning is not available in session mode",
    );
    if (before !== undefined) {
      assert.equal(await Deno.readTextFile(`${ksm}/pages_to_scan`), before);
    }
  });
});
