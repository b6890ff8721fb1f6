/**
 * The IOThread calls (add, delete, pin, set parameters, info) replayed from libvirt 9.0's
 * answers: `fixtures/iothread_calls.json` run on the oracle's QEMU driver by
 * `fixtures/record_iothread_calls.sh` gave `fixtures/iothread_calls.expected.json`, each step's
 * error (code, domain, message) or the IOThread elements of the live and persistent XML and the
 * IOThreads `getIOThreadInfo` lists. The same steps run here through the public API's checks
 * against a fake QEMU (every answer but the live CPU maps, which need real threads) and, where
 * QEMU is installed, against real QEMU (every answer, the CPU maps read back from the
 * threads' affinity).
 */
import assert from "node:assert/strict";
import { FakeLauncher, type RecordingCgroup } from "../../../drivers/qemu/testing/mod.ts";
import { callInfo, checkCall } from "../../../util/contract/mod.ts";
import type { DomainRef, DriverConnection, DriverEvent } from "../../../util/driver.ts";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import type { TypedParams } from "../../../util/contract/types.ts";
import { withQemuConn } from "./with_conn.ts";
import { realQemuTest, withRealDriver } from "./real_qemu.ts";

interface Step {
  name: string;
  op: "add" | "del" | "pin" | "set" | "start";
  id?: number;
  flags?: ("live" | "config")[];
  cpus?: number[];
  params?: TypedParams;
}

interface Outcome {
  name: string;
  code?: number;
  domain?: number;
  message?: string;
  config?: string[];
  configInfo?: [number, number[]][];
  live?: string[];
  liveInfo?: [number, number[]][];
}

const fixtures = new URL("./fixtures/", import.meta.url);
const spec: { domain: string; steps: Step[] } = JSON.parse(
  await Deno.readTextFile(new URL("iothread_calls.json", fixtures)),
);
const expected: Outcome[] = JSON.parse(
  await Deno.readTextFile(new URL("iothread_calls.expected.json", fixtures)),
);
const FLAGS = { live: VIR.DOMAIN_AFFECT_LIVE, config: VIR.DOMAIN_AFFECT_CONFIG };
/** The recording host's CPUs (the pins name CPU 1; all of them read "all"). */
const RECORDED_CPUS = 2;

const iothreadXml = (xml: string) =>
  [...xml.matchAll(
    /<iothreads>.*?<\/iothreads>|<iothreadids>.*?<\/iothreadids>|<cputune>.*?<\/cputune>/gs,
  )]
    .map((m) => m[0]);

async function info(conn: DriverConnection, dom: DomainRef, flags: number) {
  return (await conn.domainGetIOThreadInfo!(dom, flags)).map((i): [number, number[]] => [
    i.iothreadId,
    i.cpumap.flatMap((on, cpu) => on ? [cpu] : []),
  ]);
}

type IOThreadApi =
  | "domainAddIOThread"
  | "domainDelIOThread"
  | "domainPinIOThread"
  | "domainSetIOThreadParams";

/** A call as the client makes it: libvirt's public-API checks, then the driver. */
async function call(conn: DriverConnection, api: IOThreadApi, ...args: unknown[]): Promise<void> {
  checkCall(callInfo(api), args, {});
  // deno-lint-ignore no-explicit-any
  await (conn as any)[api](...args);
}

/** Runs every step on `conn` and returns what each answered, as the recording writes it. */
async function replay(conn: DriverConnection): Promise<Outcome[]> {
  const dom = await conn.domainDefineXMLFlags!(spec.domain, 0);
  const out: Outcome[] = [];
  try {
    for (const step of spec.steps) {
      const flags = (step.flags ?? []).reduce((f, n) => f | FLAGS[n], 0);
      try {
        if (step.op === "start") await conn.domainCreateWithFlags!(dom, VIR.DOMAIN_START_PAUSED);
        else if (step.op === "add") await call(conn, "domainAddIOThread", dom, step.id, flags);
        else if (step.op === "del") await call(conn, "domainDelIOThread", dom, step.id, flags);
        else if (step.op === "pin") {
          const cpumap = Array.from({ length: RECORDED_CPUS }, (_, c) => step.cpus!.includes(c));
          await call(conn, "domainPinIOThread", dom, step.id, cpumap, flags);
        } else await call(conn, "domainSetIOThreadParams", dom, step.id, step.params, flags);
        const outcome: Outcome = {
          name: step.name,
          config: iothreadXml(await conn.domainGetXMLDesc!(dom, VIR.DOMAIN_XML_INACTIVE)),
          configInfo: await info(conn, dom, VIR.DOMAIN_AFFECT_CONFIG),
        };
        if (await conn.domainIsActive!(dom)) {
          outcome.live = iothreadXml(await conn.domainGetXMLDesc!(dom, 0));
          outcome.liveInfo = await info(conn, dom, VIR.DOMAIN_AFFECT_LIVE);
        }
        out.push(outcome);
      } catch (e) {
        if (!(e instanceof VirError)) throw e;
        out.push({ name: step.name, code: e.code, domain: e.domain, message: e.message });
      }
    }
  } finally {
    await conn.domainDestroyFlags!(dom, 0).catch(() => {});
  }
  return out;
}

type Info = [number, number[] | "all"][];

/** Every CPU of a host of `n` (the recording's or this one) reads "all". */
const allOf = (list: [number, number[]][] | undefined, n: number): Info | undefined =>
  list?.map(([id, c]) => [id, c.length === n && c.every((cpu, i) => cpu === i) ? "all" : c]);

/** QEMU lists its IOThreads in its own order: compared by id. */
const byId = (list: Info | undefined, cpus: boolean) =>
  list?.map(([id, c]) => [id, cpus ? c : []]).sort((a, b) => Number(a[0]) - Number(b[0]));

function assertSame(ours: Outcome[], liveCpus: boolean): void {
  assert.equal(ours.length, expected.length);
  const here = navigator.hardwareConcurrency;
  ours.forEach((o, i) => {
    const e = expected[i];
    assert.deepEqual(
      {
        ...o,
        configInfo: allOf(o.configInfo, here),
        liveInfo: byId(allOf(o.liveInfo, here), liveCpus),
      },
      {
        ...e,
        configInfo: allOf(e.configInfo, RECORDED_CPUS),
        liveInfo: byId(allOf(e.liveInfo, RECORDED_CPUS), liveCpus),
      },
      e.name,
    );
  });
}

Deno.test({
  name: "IOThread calls on a fake QEMU answer as libvirt 9.0's QEMU driver",
  ignore: navigator.hardwareConcurrency < RECORDED_CPUS,
  fn: async () => {
    const launcher = new FakeLauncher();
    await withQemuConn({ launcher }, async (conn) => {
      const events: DriverEvent[] = [];
      conn.subscribe!((ev) => events.push(ev));
      assertSame(await replay(conn), false);
      // The started QEMU had libvirt's two IOThreads; the calls added and deleted the others.
      const [argv] = launcher.launches;
      assert.deepEqual(
        argv.filter((a) => a.includes('"qom-type":"iothread"')),
        ['{"qom-type":"iothread","id":"iothread1"}', '{"qom-type":"iothread","id":"iothread7"}'],
      );
      const fake = [...launcher.instances.values()][0];
      const sent = fake.commands.filter((c) => /^(object|qom)-/.test(c.execute));
      assert.deepEqual(sent.map((c) => [c.execute, c.arguments]), [
        ["object-add", { "qom-type": "iothread", id: "iothread4" }],
        ["object-add", { "qom-type": "iothread", id: "iothread6" }],
        ["qom-set", { path: "/objects/iothread4", property: "poll-max-ns", value: 1000 }],
        ["qom-set", { path: "/objects/iothread4", property: "poll-grow", value: 2 }],
        ["qom-set", { path: "/objects/iothread4", property: "poll-shrink", value: 3 }],
        // QEMU's maximum (64) is above the new minimum: the minimum goes first.
        ["qom-get", { path: "/objects/iothread4", property: "thread-pool-max" }],
        ["qom-set", { path: "/objects/iothread4", property: "thread-pool-min", value: 2 }],
        ["qom-set", { path: "/objects/iothread4", property: "thread-pool-max", value: 4 }],
        ["qom-set", { path: "/objects/iothread6", property: "thread-pool-max", value: 5 }],
        ["qom-set", { path: "/objects/iothread4", property: "poll-grow", value: 4 }],
        ["object-del", { id: "iothread4" }],
        ["object-del", { id: "iothread6" }],
      ]);
      // Each thread went into its cgroup on its CPUs: 7 on its pin, 4 again when pinned.
      const cgroup = launcher.cgroups.get(fake.pid) as RecordingCgroup;
      const iothreadCalls = cgroup.calls.filter((c) => c.includes("iothread"));
      assert.deepEqual(iothreadCalls.map((c) => c.replace(/^(iothread \d+) \d+/, "$1 TID")), [
        "iothread 1 TID",
        "iothread 7 TID cpus=0",
        "iothread 4 TID",
        "iothread 6 TID",
        "iothread 4 TID cpus=1",
        "remove iothread 4",
        "remove iothread 6",
      ]);
      // Only the live pin is announced (qemuDomainPinIOThread's TUNABLE event).
      const tunables = events.filter((e) => e.eventId === VIR.DOMAIN_EVENT_ID_TUNABLE);
      assert.deepEqual(tunables.map((e) => e.data), [{ params: { "cputune.iothreadpin4": "1" } }]);
    });
  },
});

realQemuTest({
  name: "real QEMU: IOThread calls answer as libvirt 9.0's, threads pinned as it pins them",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    assert.ok(navigator.hardwareConcurrency >= RECORDED_CPUS, "the recording pins CPU 1");
    await withRealDriver("ev-qemu-iothr-", async ({ conn }) => {
      assertSame(await replay(conn), true);
    });
  },
});
