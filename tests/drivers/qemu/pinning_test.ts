// vCPU and emulator pinning of the QEMU driver against a fake QEMU with a recording cgroup.
// Expected XML and errors are libvirt 9.0's (QEMU driver, TCG) for the same calls.
import assert from "node:assert/strict";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { FakeLauncher } from "../../../drivers/qemu/testing/mod.ts";
import { VIR } from "../../../util/constants.ts";
import type { DriverConnection, DriverEvent } from "../../../util/driver.ts";
import type { VirError } from "../../../util/errors.ts";

const XML = `<domain type='qemu'><name>pp</name><memory unit='MiB'>128</memory>
<vcpu placement='static' current='2'>4</vcpu><os><type arch='x86_64' machine='q35'>hvm</type></os>
<cpu mode='custom' match='exact'><model fallback='allow'>qemu64</model>
<topology sockets='4' dies='1' cores='1' threads='1'/></cpu>
<devices><memballoon model='none'/></devices></domain>`;

const { AFFECT_LIVE: LIVE, AFFECT_CONFIG: CONFIG } = {
  AFFECT_LIVE: VIR.DOMAIN_AFFECT_LIVE,
  AFFECT_CONFIG: VIR.DOMAIN_AFFECT_CONFIG,
};
const host = navigator.hardwareConcurrency;
const map = (...cpus: number[]) => Array.from({ length: host }, (_, i) => cpus.includes(i));
const all = () => map(...Array.from({ length: host }, (_, i) => i));
const cputune = (xml: string) => xml.match(/ {2}<cputune>\n[\s\S]*?<\/cputune>\n/)?.[0];
const failure = async (p: Promise<unknown>) => {
  const e = (await p.catch((e) => e)) as VirError;
  return `${e.code}/${e.domain} ${e.message}`;
};

async function open(launcher: FakeLauncher, dir?: string) {
  dir ??= await Deno.makeTempDir();
  const conn = await qemuConnectDriver.open(new URL("qemu:///session"), {
    stateDir: dir,
    launcher,
  }) as DriverConnection;
  const tunables: Record<string, unknown>[] = [];
  conn.subscribe!((ev: DriverEvent) => {
    if (ev.eventId === VIR.DOMAIN_EVENT_ID_TUNABLE) tunables.push(ev.data.params as never);
  });
  return { conn, tunables, dir };
}

Deno.test("pinning: config and live pins, cgroup placement, <cputune> as libvirt prints it", async () => {
  const launcher = new FakeLauncher();
  const { conn, tunables, dir } = await open(launcher);
  const dom = await conn.domainDefineXMLFlags!(XML, 0);

  await conn.domainPinVcpuFlags!(dom, 3, [false, true], CONFIG);
  assert.equal(
    await failure(conn.domainPinVcpuFlags!(dom, 4, [false, true], CONFIG)),
    "8/10 invalid argument: vcpu 4 is out of range of persistent cpu count 2",
  );
  assert.equal(
    await failure(conn.domainPinVcpuFlags!(dom, 1, [false, false], CONFIG)),
    "8/10 invalid argument: Empty cpu list for pinning",
  );
  assert.equal(
    await failure(conn.domainPinVcpuFlags!(dom, 1, [false, true], LIVE)),
    "55/20 Requested operation is not valid: domain is not running",
  );
  assert.equal(
    await failure(conn.domainPinVcpuFlags!(dom, 1, [false, true], 4)),
    "8/10 unsupported flags (0x4) in function qemuDomainPinVcpuFlags",
  );
  await conn.domainPinEmulator!(dom, [true, false], CONFIG);
  assert.equal(
    await failure(conn.domainPinEmulator!(dom, [false, false], CONFIG)),
    "8/10 invalid argument: Empty cpu list for pinning",
  );
  assert.deepEqual(await conn.domainGetVcpuPinInfo!(dom, CONFIG), [all(), all(), all(), map(1)]);
  assert.deepEqual(await conn.domainGetEmulatorPinInfo!(dom, CONFIG), map(0));
  const defined = "  <cputune>\n    <vcpupin vcpu='3' cpuset='1'/>\n" +
    "    <emulatorpin cpuset='0'/>\n  </cputune>\n";
  assert.equal(cputune(await conn.domainGetXMLDesc!(dom, 0)), defined);
  assert.equal(cputune(await Deno.readTextFile(`${dir}/config/pp.xml`)), defined);
  assert.deepEqual(tunables, [], "config-only pins emit no event");

  const running = await conn.domainCreateWithFlags!(dom, 0);
  const fake = [...launcher.instances.values()][0];
  const calls = launcher.cgroups.get(fake.pid)!.calls;
  const [tid0, tid1] = [fake.pid + 1, fake.pid + 2];
  assert.deepEqual(calls, [`setup 0 ${tid0}`, `setup 1 ${tid1}`, "emulator cpus=0"]);
  calls.length = 0;

  await conn.domainPinVcpuFlags!(running, 0, [true, false], LIVE);
  await conn.domainPinVcpuFlags!(running, 3, [true, false], LIVE); // offline: kept for its plug
  assert.equal(
    await failure(conn.domainPinVcpuFlags!(running, 5, [true, false], LIVE)),
    "8/10 invalid argument: vcpu 5 is out of range of live cpu count 4",
  );
  await conn.domainPinVcpuFlags!(running, 1, [true, true], LIVE | CONFIG);
  await conn.domainPinEmulator!(running, [false, true], LIVE);
  assert.deepEqual(calls, [
    `setup 0 ${tid0} cpus=0`,
    `setup 1 ${tid1} cpus=0-1`,
    "emulator cpus=1",
  ]);
  await new Promise((r) => setTimeout(r, 5)); // events are delivered asynchronously
  assert.deepEqual(tunables, [
    { "cputune.vcpupin0": "0" },
    { "cputune.vcpupin3": "0" },
    { "cputune.vcpupin1": "0-1" },
    { "cputune.emulatorpin": "1" },
  ]);
  assert.deepEqual(await conn.domainGetVcpuPinInfo!(running, LIVE), [
    map(0),
    map(0, 1),
    all(),
    map(0),
  ]);
  assert.deepEqual(await conn.domainGetEmulatorPinInfo!(running, 0), map(1));

  calls.length = 0;
  await conn.domainSetVcpusFlags!(running, 4, LIVE);
  assert.deepEqual(calls, [
    `setup 2 ${fake.tidOf("vcpu2")}`,
    `setup 3 ${fake.tidOf("vcpu3")} cpus=0`,
  ]);

  assert.equal(
    cputune(await conn.domainGetXMLDesc!(running, 0)),
    "  <cputune>\n    <vcpupin vcpu='0' cpuset='0'/>\n    <vcpupin vcpu='1' cpuset='0-1'/>\n" +
      "    <vcpupin vcpu='3' cpuset='0'/>\n    <emulatorpin cpuset='1'/>\n  </cputune>\n",
  );
  assert.equal(
    cputune(await conn.domainGetXMLDesc!(running, VIR.DOMAIN_XML_INACTIVE)),
    "  <cputune>\n    <vcpupin vcpu='1' cpuset='0-1'/>\n    <vcpupin vcpu='3' cpuset='1'/>\n" +
      "    <emulatorpin cpuset='0'/>\n  </cputune>\n",
  );
  // The live pins survive a driver restart through the status file.
  await conn.connectClose();
  const again = await open(launcher, dir);
  const ref = await again.conn.domainLookupByName!("pp");
  assert.deepEqual(await again.conn.domainGetVcpuPinInfo!(ref, LIVE), [
    map(0),
    map(0, 1),
    all(),
    map(0),
  ]);
  await again.conn.domainDestroyFlags!(ref, 0);
  await again.conn.connectClose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("pinning: without distinct vCPU threads (TCG without MTTCG) affinity is refused", async () => {
  const launcher = new FakeLauncher({ tids: "shared" });
  const { conn, dir } = await open(launcher);
  const dom = await conn.domainDefineXMLFlags!(XML, 0);
  const running = await conn.domainCreateWithFlags!(dom, 0);
  assert.equal(
    await failure(conn.domainPinVcpuFlags!(running, 0, [true], LIVE)),
    "55/10 Requested operation is not valid: cpu affinity is not supported",
  );
  await conn.domainDestroyFlags!(running, 0);
  await conn.domainPinVcpuFlags!(dom, 0, [true], CONFIG);
  assert.equal(
    await failure(conn.domainCreateWithFlags!(dom, 0)),
    "55/10 Requested operation is not valid: cpu affinity is not supported",
  );
  assert.deepEqual(await conn.domainGetState!(dom, 0), [
    VIR.DOMAIN_SHUTOFF,
    VIR.DOMAIN_SHUTOFF_FAILED,
  ]);
  await conn.connectClose();
  await Deno.remove(dir, { recursive: true });
});
