/**
 * The IOThread calls (add, delete, pin, set parameters, info) replayed from libvirt 9.0's
 * answers: `fixtures/iothread_calls.json` run on the oracle's QEMU driver by
 * `fixtures/record_iothread_calls.sh` gave `fixtures/iothread_calls.expected.json`, each step's
 * error (code, domain, message) or the IOThread elements of the live and persistent XML and the
 * IOThreads `getIOThreadInfo` lists. The same steps run here through the public API's checks
 * against a fake QEMU (every answer but the live CPU maps, which need real threads) and, where
 * QEMU is installed, against real QEMU (every answer, the CPU maps read back from the
 * threads' affinity). Alongside: when `<iothreadids>` is listed (`iothread_autofill.json`), and
 * the threads' schedulers (`iothread_sched.json`: libvirt's refusal of a priority out of range,
 * then each `<*sched>` read back from the kernel).
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

interface Spec {
  domain: string;
  steps: Step[];
}

const fixtures = new URL("./fixtures/", import.meta.url);
const readJson = async (name: string) =>
  JSON.parse(await Deno.readTextFile(new URL(name, fixtures)));
/** The calls' checks and errors, and the devices' hold on their IOThreads. */
const calls: Spec = await readJson("iothread_calls.json");
const callsExpected: Outcome[] = await readJson("iothread_calls.expected.json");
/**
 * When `<iothreadids>` is listed: libvirt keeps which ids it filled in itself on the live
 * definition, and forgets it in the copy of the persistent one each change makes.
 */
const autofill: Spec = await readJson("iothread_autofill.json");
const autofillExpected: Outcome[] = await readJson("iothread_autofill.expected.json");
/** A start refused for an `<iothreadsched>` priority out of the host's real-time range. */
const sched: Spec = await readJson("iothread_sched.json");
const schedExpected: Outcome[] = await readJson("iothread_sched.expected.json");
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
async function replay(conn: DriverConnection, spec: Spec): Promise<Outcome[]> {
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
    await conn.domainUndefineFlags!(dom, 0);
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

function assertSame(ours: Outcome[], expected: Outcome[], liveCpus: boolean): void {
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
      assertSame(await replay(conn, calls), callsExpected, false);
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

Deno.test({
  name: "IOThreads filled in stop being listed as libvirt 9.0's do, live and in the config",
  ignore: navigator.hardwareConcurrency < RECORDED_CPUS,
  fn: async () => {
    await withQemuConn({ launcher: new FakeLauncher() }, async (conn) => {
      assertSame(await replay(conn, autofill), autofillExpected, false);
    });
  },
});

Deno.test("each thread gets its <*sched> after its cgroup and CPUs, a hot-plugged vCPU too", async () => {
  const launcher = new FakeLauncher();
  await withQemuConn({ launcher }, async (conn) => {
    const xml = sched.domain.replace("priority='100'", "priority='1'");
    const dom = await conn.domainCreateXML!(xml, VIR.DOMAIN_START_PAUSED);
    await conn.domainSetVcpusFlags!(dom, 2, VIR.DOMAIN_AFFECT_LIVE);
    const fake = [...launcher.instances.values()][0];
    const cgroup = launcher.cgroups.get(fake.pid) as RecordingCgroup;
    const calls = cgroup.calls.filter((c) => /^(setup|iothread|sched) /.test(c));
    const tid = (prefix: string) => calls.find((c) => c.startsWith(prefix))!.split(" ").at(-1);
    const [vcpu0, vcpu1] = [tid("setup 0 "), tid("setup 1 ")];
    const [io1, io2] = [tid("iothread 1 "), tid("iothread 2 ")];
    // vCPUs, IOThreads, then the emulator, as qemuProcessLaunch; vCPU 0 has no <vcpusched>.
    assert.deepEqual(calls, [
      `setup 0 ${vcpu0}`,
      `iothread 1 ${io1}`,
      `sched ${io1} batch`,
      `iothread 2 ${io2}`,
      `sched ${io2} fifo 1`,
      `sched ${fake.pid} batch`,
      `setup 1 ${vcpu1}`,
      `sched ${vcpu1} idle`,
    ]);
  });
});

realQemuTest({
  name: "real QEMU: IOThread calls answer as libvirt 9.0's, threads pinned as it pins them",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    assert.ok(navigator.hardwareConcurrency >= RECORDED_CPUS, "the recording pins CPU 1");
    await withRealDriver("ev-qemu-iothr-", async ({ conn }) => {
      assertSame(await replay(conn, calls), callsExpected, true);
      assertSame(await replay(conn, autofill), autofillExpected, true);
      assertSame(await replay(conn, sched), schedExpected, true);
      assert.equal((await conn.connectListAllDomains!(0)).length, 0);
    });
  },
});

/** Thread `tid` of `pid`'s scheduling policy and real-time priority (proc(5) stat, 41 and 40). */
async function threadSched(pid: number, tid: number): Promise<[number, number]> {
  const stat = await Deno.readTextFile(`/proc/${pid}/task/${tid}/stat`);
  // The fields after the command name, which may hold spaces, start at the 3rd.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return [Number(fields[41 - 3]), Number(fields[40 - 3])];
}

const SCHED_OTHER = 0, SCHED_FIFO = 1, SCHED_BATCH = 3, SCHED_IDLE = 5;

realQemuTest({
  name: "real QEMU: IOThreads, vCPUs and the emulator run under their <*sched>",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-iothr-", async ({ launcher, conn }) => {
      // iothread_sched.json's domain with a priority the host has.
      const xml = sched.domain.replace("priority='100'", "priority='1'");
      const dom = await conn.domainCreateXML!(xml, VIR.DOMAIN_START_PAUSED);
      const proc = launcher.procs.at(-1)!;
      await conn.domainAddIOThread!(dom, 3, VIR.DOMAIN_AFFECT_LIVE);
      await conn.domainSetVcpusFlags!(dom, 2, VIR.DOMAIN_AFFECT_LIVE);
      type QmpIOThread = { id: string; "thread-id": number };
      const io = Object.fromEntries(
        (await proc.monitor.run<QmpIOThread[]>("query-iothreads")).map((
          t,
        ) => [t.id, t["thread-id"]]),
      );
      type QmpCpu = { "cpu-index": number; "thread-id": number };
      const cpus = await proc.monitor.run<QmpCpu[]>("query-cpus-fast");
      const vcpu = (i: number) => cpus.find((c) => c["cpu-index"] === i)!["thread-id"];
      assert.deepEqual(await threadSched(proc.pid, io.iothread1), [SCHED_BATCH, 0]);
      assert.deepEqual(await threadSched(proc.pid, io.iothread2), [SCHED_FIFO, 1]);
      assert.deepEqual(await threadSched(proc.pid, vcpu(0)), [SCHED_OTHER, 0]);
      assert.deepEqual(await threadSched(proc.pid, vcpu(1)), [SCHED_IDLE, 0]);
      assert.deepEqual(await threadSched(proc.pid, proc.pid), [SCHED_BATCH, 0]);
      // A thread QEMU makes later inherits the emulator's scheduler, as under libvirt.
      assert.deepEqual(await threadSched(proc.pid, io.iothread3), [SCHED_BATCH, 0]);
      await conn.domainDestroyFlags!(dom, 0);
    });
  },
});

/** The CPUs thread `tid` of `pid` may run on, as the kernel says (Cpus_allowed_list). */
async function allowedCpus(pid: number, tid: number): Promise<string> {
  const status = await Deno.readTextFile(`/proc/${pid}/task/${tid}/status`);
  return status.match(/^Cpus_allowed_list:\s*(\S+)/m)![1];
}

realQemuTest({
  name:
    "real QEMU: IOThreads start as libvirt's argv has them, and are added, pinned, set, deleted",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    assert.ok(navigator.hardwareConcurrency >= 2, "the test pins CPU 1");
    await withRealDriver("ev-qemu-iothr-", async ({ dir, launcher, conn }) => {
      // fixtures/iothreads.xml: a virtio disk on IOThread 5 (pool 1-4, pinned to CPU 0), the
      // virtio-scsi controller on IOThread 2, a main loop with its own pool.
      const xml = (await Deno.readTextFile(new URL("iothreads.xml", fixtures)))
        .replaceAll("file='/var/lib/ev/", `file='${dir}/`);
      await Deno.writeFile(`${dir}/io2.img`, new Uint8Array(1 << 20));
      const img = await new Deno.Command("qemu-img", {
        args: ["create", "-q", "-f", "qcow2", `${dir}/io1.qcow2`, "16M"],
      }).output();
      assert.ok(img.success);
      const dom = await conn.domainCreateXML!(xml, VIR.DOMAIN_START_PAUSED);
      const proc = launcher.procs.at(-1)!;
      // The live XML's IOThreads and device drivers, as libvirt's (fixtures/iothreads.live.xml).
      const iothreadParts = (text: string) =>
        [...text.matchAll(
          /<iothreads>.*?<\/iothreadids>|<defaultiothread [^>]*>|<cputune>.*?<\/cputune>|<driver [^>]*iothread=[^>]*>/gs,
        )]
          .map((m) => m[0]);
      const libvirtLive = await Deno.readTextFile(new URL("iothreads.live.xml", fixtures));
      assert.equal(iothreadParts(libvirtLive).length, 5);
      assert.deepEqual(
        iothreadParts(await conn.domainGetXMLDesc!(dom, 0)),
        iothreadParts(libvirtLive),
      );
      type QmpIOThread = { id: string; "thread-id": number; "poll-max-ns": number };
      const query = () => proc.monitor.run<QmpIOThread[]>("query-iothreads");
      const tidOf = async (id: string) => (await query()).find((t) => t.id === id)!["thread-id"];
      assert.deepEqual((await query()).map((t) => t.id).sort(), [
        "iothread1",
        "iothread2",
        "iothread3",
        "iothread5",
      ]);
      // The pin of the XML holds from the start; the disk's frontend runs in its IOThread.
      assert.equal(await allowedCpus(proc.pid, await tidOf("iothread5")), "0");
      const qom = (path: string, property: string) =>
        proc.monitor.run<unknown>("qom-get", { path, property });
      assert.equal(await qom("/objects/iothread5", "thread-pool-max"), 4);
      assert.equal(await qom("/objects/main-loop", "thread-pool-min"), 2);
      // The frontends' iothread links.
      assert.equal(await qom("/machine/peripheral/virtio-disk0", "iothread"), "/objects/iothread5");
      assert.equal(await qom("/machine/peripheral/scsi0", "iothread"), "/objects/iothread2");

      await conn.domainAddIOThread!(dom, 9, VIR.DOMAIN_AFFECT_LIVE);
      const tid = await tidOf("iothread9");
      await conn.domainPinIOThread!(dom, 9, [false, true], VIR.DOMAIN_AFFECT_LIVE);
      assert.equal(await allowedCpus(proc.pid, tid), "1");
      await conn.domainSetIOThreadParams!(dom, 9, { poll_max_ns: 4096 }, VIR.DOMAIN_AFFECT_LIVE);
      assert.equal((await query()).find((t) => t.id === "iothread9")!["poll-max-ns"], 4096);
      const used = await conn.domainDelIOThread!(dom, 5, VIR.DOMAIN_AFFECT_LIVE).catch((e) => e);
      assert.equal(
        used.message,
        "invalid argument: cannot remove IOThread 5 since it is being used by disk 'vda'",
      );
      await conn.domainDelIOThread!(dom, 9, VIR.DOMAIN_AFFECT_LIVE);
      assert.ok(!(await query()).some((t) => t.id === "iothread9"));
      await conn.domainDestroyFlags!(dom, 0);
    });
  },
});
