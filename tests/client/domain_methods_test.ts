// The Domain handle's methods for the domain calls that had none (block jobs, jobs, IOThreads,
// scheduler, statistics, peeks, agent and power calls): each reaches its contract call with its
// arguments in order (defaults filled as libvirt's Python binding fills them) and returns the
// driver's answer, in-process and through a gateway alike; and every domain call of the contract
// has a method on a client handle.
import assert from "node:assert/strict";
import { connect } from "../../mod.ts";
import { Domain } from "../../client/domain.ts";
import type { Connection } from "../../client/connection.ts";
import { createGateway } from "../../gateway/app.ts";
import { createRegistry } from "../../util/registry.ts";
import { CONTRACT } from "../../util/contract/contract.ts";
import type { ConnectDriver, DomainRef, DriverConnection } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";

const DOM: DomainRef = { name: "d", uuid: "6695eb01-f6a4-8304-79aa-97f2502e193f", id: 1 };

/** One driver call as the driver received it: its method and the arguments after the domain. */
type Seen = [string, ...unknown[]];

/**
 * A driver that records every call and answers a data call with what it received (so a method
 * that lost or reordered an argument, or dropped the answer, shows), a void call with nothing.
 */
function recorder(seen: Seen[]): ConnectDriver {
  return {
    name: "rec",
    schemes: ["rec"],
    open: () => {
      const calls = Object.entries(CONTRACT).filter(([, d]) => d.args[0]?.kind === "dom").map((
        [key, d],
      ) => [key, (ref: DomainRef, ...args: unknown[]) => {
        assert.equal(ref.uuid, DOM.uuid);
        seen.push([key, ...args]);
        return Promise.resolve(
          d.result.shape.kind === "none" ? undefined : { echo: [key, ...args] },
        );
      }]);
      const conn = { type: "REC", connectClose: () => Promise.resolve() };
      return Promise.resolve({ ...conn, ...Object.fromEntries(calls) } as DriverConnection);
    },
  };
}

/** Each new method, how it is called, and the driver call it must make. */
const CASES: [string, (d: Domain) => Promise<unknown>, Seen][] = [
  // derived from the contract: defaults by kind (0, null), nothing back for a void call
  ["migrateSetMaxDowntime", (d) => d.migrateSetMaxDowntime(300), [
    "domainMigrateSetMaxDowntime",
    300,
    0,
  ]],
  ["migrateGetMaxSpeed", (d) => d.migrateGetMaxSpeed(1), ["domainMigrateGetMaxSpeed", 1]],
  ["migrateGetCompressionCache", (d) => d.migrateGetCompressionCache(), [
    "domainMigrateGetCompressionCache",
    0,
  ]],
  ["setBlockThreshold", (d) => d.setBlockThreshold("vda", 1 << 20), [
    "domainSetBlockThreshold",
    "vda",
    1 << 20,
    0,
  ]],
  ["backupBegin", (d) => d.backupBegin("<domainbackup/>"), [
    "domainBackupBegin",
    "<domainbackup/>",
    null,
    0,
  ]],
  ["authorizedSSHKeysSet", (d) => d.authorizedSSHKeysSet("root", ["k"], 1), [
    "domainAuthorizedSSHKeysSet",
    "root",
    ["k"],
    1,
  ]],
  ["blockStatsFlags", (d) => d.blockStatsFlags("vda"), ["domainBlockStatsFlags", "vda", 0]],
  ["suspend", (d) => d.suspend(), ["domainSuspend"]],
  ["updateDeviceFlags", (d) => d.updateDeviceFlags("<disk/>", 1), [
    "domainUpdateDeviceFlags",
    "<disk/>",
    1,
  ]],
  ["getControlInfo", (d) => d.getControlInfo(), ["domainGetControlInfo", 0]],
  ["setMemoryStatsPeriod", (d) => d.setMemoryStatsPeriod(5, 1), [
    "domainSetMemoryStatsPeriod",
    5,
    1,
  ]],
  ["memoryStats", (d) => d.memoryStats(), ["domainMemoryStats", 0]],
  ["blockStats", (d) => d.blockStats("vda"), ["domainBlockStats", "vda"]],
  ["interfaceStats", (d) => d.interfaceStats("vnet0"), ["domainInterfaceStats", "vnet0"]],
  ["getBlockInfo", (d) => d.getBlockInfo("vda"), ["domainGetBlockInfo", "vda", 0]],
  ["getDiskErrors", (d) => d.getDiskErrors(), ["domainGetDiskErrors", 0]],
  ["blockPeek", (d) => d.blockPeek("vda", 512, 16), ["domainBlockPeek", "vda", 512, 16, 0]],
  ["memoryPeek", (d) => d.memoryPeek(4096, 8, VIR.MEMORY_PHYSICAL), [
    "domainMemoryPeek",
    4096,
    8,
    VIR.MEMORY_PHYSICAL,
  ]],
  ["blockResize", (d) => d.blockResize("vda", 2048), ["domainBlockResize", "vda", 2048, 0]],
  ["blockCommit", (d) => d.blockCommit("vda"), ["domainBlockCommit", "vda", null, null, 0, 0]],
  ["blockCommit", (d) => d.blockCommit("vda", "b", "t", 10, VIR.DOMAIN_BLOCK_COMMIT_ACTIVE), [
    "domainBlockCommit",
    "vda",
    "b",
    "t",
    10,
    VIR.DOMAIN_BLOCK_COMMIT_ACTIVE,
  ]],
  ["blockPull", (d) => d.blockPull("vda"), ["domainBlockPull", "vda", 0, 0]],
  ["blockRebase", (d) => d.blockRebase("vda", "/b.img", 3), [
    "domainBlockRebase",
    "vda",
    "/b.img",
    3,
    0,
  ]],
  ["blockCopy", (d) => d.blockCopy("vda", "<disk/>"), ["domainBlockCopy", "vda", "<disk/>", {}, 0]],
  ["blockCopy", (d) => d.blockCopy("vda", "<disk/>", { bandwidth: 1 }, 2), [
    "domainBlockCopy",
    "vda",
    "<disk/>",
    { bandwidth: 1 },
    2,
  ]],
  ["getBlockJobInfo", (d) => d.getBlockJobInfo("vda"), ["domainGetBlockJobInfo", "vda", 0]],
  ["blockJobAbort", (d) => d.blockJobAbort("vda", VIR.DOMAIN_BLOCK_JOB_ABORT_PIVOT), [
    "domainBlockJobAbort",
    "vda",
    VIR.DOMAIN_BLOCK_JOB_ABORT_PIVOT,
  ]],
  ["blockJobSetSpeed", (d) => d.blockJobSetSpeed("vda", 7), [
    "domainBlockJobSetSpeed",
    "vda",
    7,
    0,
  ]],
  ["abortJob", (d) => d.abortJob(), ["domainAbortJob"]],
  ["getJobInfo", (d) => d.getJobInfo(), ["domainGetJobInfo"]],
  ["getJobStats", (d) => d.getJobStats(VIR.DOMAIN_JOB_STATS_COMPLETED), [
    "domainGetJobStats",
    VIR.DOMAIN_JOB_STATS_COMPLETED,
  ]],
  ["coreDumpWithFormat", (d) => d.coreDumpWithFormat("/tmp/core", 0), [
    "domainCoreDumpWithFormat",
    "/tmp/core",
    0,
    0,
  ]],
  ["managedSaveGetXMLDesc", (d) => d.managedSaveGetXMLDesc(), ["domainManagedSaveGetXMLDesc", 0]],
  ["managedSaveDefineXML", (d) => d.managedSaveDefineXML("<domain/>"), [
    "domainManagedSaveDefineXML",
    "<domain/>",
    0,
  ]],
  ["getIOThreadInfo", (d) => d.getIOThreadInfo(), ["domainGetIOThreadInfo", 0]],
  ["pinIOThread", (d) => d.pinIOThread(1, [true, false]), [
    "domainPinIOThread",
    1,
    [true, false],
    0,
  ]],
  ["addIOThread", (d) => d.addIOThread(3), ["domainAddIOThread", 3, 0]],
  ["delIOThread", (d) => d.delIOThread(3), ["domainDelIOThread", 3, 0]],
  ["setIOThreadParams", (d) => d.setIOThreadParams(1, { poll_max_ns: 10 }), [
    "domainSetIOThreadParams",
    1,
    { poll_max_ns: 10 },
    0,
  ]],
  ["getSchedulerType", (d) => d.getSchedulerType(), ["domainGetSchedulerType"]],
  ["getSchedulerParametersFlags", (d) => d.getSchedulerParametersFlags(), [
    "domainGetSchedulerParametersFlags",
    0,
  ]],
  ["setSchedulerParametersFlags", (d) => d.setSchedulerParametersFlags({ cpu_shares: 5 }), [
    "domainSetSchedulerParametersFlags",
    { cpu_shares: 5 },
    0,
  ]],
  ["getTime", (d) => d.getTime(), ["domainGetTime", 0]],
  ["setTime", (d) => d.setTime(100, 5), ["domainSetTime", 100, 5, 0]],
  ["sendKey", (d) => d.sendKey(0, 10, [28]), ["domainSendKey", 0, 10, [28], 0]],
  ["injectNMI", (d) => d.injectNMI(), ["domainInjectNMI", 0]],
  ["pmSuspendForDuration", (d) => d.pmSuspendForDuration(VIR.NODE_SUSPEND_TARGET_MEM), [
    "domainPMSuspendForDuration",
    VIR.NODE_SUSPEND_TARGET_MEM,
    0,
    0,
  ]],
  ["pmWakeup", (d) => d.pmWakeup(), ["domainPMWakeup", 0]],
  ["fsFreeze", (d) => d.fsFreeze(), ["domainFSFreeze", [], 0]],
  ["fsThaw", (d) => d.fsThaw(["/"]), ["domainFSThaw", ["/"], 0]],
  ["getLaunchSecurityInfo", (d) => d.getLaunchSecurityInfo(), ["domainGetLaunchSecurityInfo", 0]],
  ["setLifecycleAction", (d) => d.setLifecycleAction(1, 2), ["domainSetLifecycleAction", 1, 2, 0]],
  ["interfaceAddresses", (d) => d.interfaceAddresses(0), ["domainInterfaceAddresses", 0, 0]],
  ["getGuestInfo", (d) => d.getGuestInfo(), ["domainGetGuestInfo", 0, 0]],
  ["getGuestVcpus", (d) => d.getGuestVcpus(), ["domainGetGuestVcpus", 0]],
  ["setGuestVcpus", (d) => d.setGuestVcpus("1-2", true), ["domainSetGuestVcpus", "1-2", 1, 0]],
];

/** Runs every case on `conn`'s handle of {@link DOM}, checking call and answer. */
async function runCases(conn: Connection, seen: Seen[]): Promise<void> {
  const dom = new Domain(conn, DOM);
  for (const [name, run, expected] of CASES) {
    seen.length = 0;
    const answer = await run(dom);
    assert.deepEqual(seen, [expected], name);
    const kind = CONTRACT[expected[0] as keyof typeof CONTRACT].result.shape.kind;
    assert.deepEqual(answer, kind === "none" ? undefined : { echo: expected }, name);
  }
}

Deno.test("each new Domain method makes its contract call with its arguments, in-process", async () => {
  const seen: Seen[] = [];
  const conn = await connect("rec:///default", { drivers: createRegistry([recorder(seen)]) });
  try {
    await runCases(conn, seen);
  } finally {
    await conn.close();
  }
});

Deno.test("each new Domain method makes its contract call with its arguments, through a gateway", async () => {
  const seen: Seen[] = [];
  const gw = await createGateway({
    drivers: ["rec:///default"],
    registry: createRegistry([recorder(seen)]),
    auth: "none",
  });
  try {
    const conn = await connect("rec+http://gateway.test/default", {
      token: "unused",
      fetch: (input, init) => gw.fetch(new Request(input, init)),
    });
    try {
      await runCases(conn, seen);
    } finally {
      await conn.close();
    }
  } finally {
    await gw.close();
  }
});

Deno.test("every domain call of the contract has a method on a client handle", async () => {
  const dir = new URL("../../client/", import.meta.url);
  let source = "";
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile) source += await Deno.readTextFile(new URL(e.name, dir));
  }
  // a call is written out in a handle, or its Domain method is derived from the contract
  const derived = (m: string) =>
    typeof (Domain.prototype as unknown as Record<string, unknown>)[
      m[6].toLowerCase() + m.slice(7)
    ] ===
      "function";
  const missing = Object.entries(CONTRACT)
    .filter(([m, d]) => d.args[0]?.kind === "dom" && !source.includes(`"${m}"`) && !derived(m))
    .map(([m]) => m);
  assert.deepEqual(missing, []);
  assert.deepEqual(
    [...new Set(CASES.map(([, , [m]]) => m))].filter((m) =>
      !source.includes(`"${m}"`) && !derived(m)
    ),
    [],
  );
});
