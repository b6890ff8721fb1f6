import assert from "node:assert/strict";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { FakeLauncher } from "../../../drivers/qemu/testing/mod.ts";
import { VIR } from "../../../util/constants.ts";
import type { DriverConnection, DriverEvent } from "../../../util/driver.ts";
import { VirError } from "../../../util/errors.ts";
import type { QemuProcess } from "../../../drivers/qemu/process/launcher.ts";

const XML = `<domain type='qemu'><name>q1</name><uuid>33333333-2222-3333-4444-555555555555</uuid>
<memory unit='MiB'>128</memory><vcpu placement='static' current='1'>4</vcpu>
<os><type arch='x86_64' machine='q35'>hvm</type></os>
<cpu mode='custom' match='exact'><model fallback='allow'>qemu64</model>
<topology sockets='4' dies='1' cores='1' threads='1'/></cpu>
<devices><memballoon model='none'/></devices></domain>`;

const NAMES: Record<number, string> = {
  0: "DEFINED",
  1: "UNDEFINED",
  2: "STARTED",
  3: "SUSPENDED",
  4: "RESUMED",
  5: "STOPPED",
  6: "SHUTDOWN",
};

async function open(dir: string, launcher: FakeLauncher) {
  const conn = await qemuConnectDriver.open(new URL("qemu:///session"), {
    stateDir: dir,
    launcher,
    unplugTimeoutMs: 50,
  }) as DriverConnection;
  const events: string[] = [];
  conn.subscribe!((ev: DriverEvent) => {
    if (ev.eventId === 0) events.push(`${NAMES[ev.data.event as number]}/${ev.data.detail}`);
  });
  return { conn, events };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

Deno.test("driver lifecycle and live vCPUs against a fake QEMU", async () => {
  const dir = await Deno.makeTempDir();
  const launcher = new FakeLauncher({ unplug: "hold" });
  const { conn, events } = await open(dir, launcher);
  const dom = await conn.domainDefineXMLFlags!(XML, 0);
  assert.ok((await Deno.readTextFile(`${dir}/config/q1.xml`)).includes("pc-q35-7.2"));

  const err = await conn.domainSetVcpusFlags!(dom, 2, VIR.DOMAIN_AFFECT_LIVE).catch((e) => e);
  assert.equal(
    (err as VirError).message,
    "Requested operation is not valid: domain is not running",
  );

  const running = await conn.domainCreateWithFlags!(dom, 0);
  await tick();
  assert.deepEqual(events, ["DEFINED/0", "RESUMED/0", "STARTED/0"]);
  assert.deepEqual(await conn.domainGetState!(running, 0), [
    VIR.DOMAIN_RUNNING,
    VIR.DOMAIN_RUNNING_BOOTED,
  ]);
  const argv = launcher.launches[0];
  assert.equal(argv[argv.indexOf("-smp") + 1], "1,maxcpus=4,sockets=4,dies=1,cores=1,threads=1");

  await conn.domainSetVcpusFlags!(running, 4, VIR.DOMAIN_AFFECT_LIVE);
  assert.equal(await conn.domainGetVcpusFlags!(running, VIR.DOMAIN_AFFECT_LIVE), 4);
  assert.equal(await conn.domainGetVcpusFlags!(running, VIR.DOMAIN_AFFECT_CONFIG), 1);
  const live = await conn.domainGetXMLDesc!(running, 0);
  assert.match(live, /<vcpu id='3' enabled='yes' hotpluggable='yes' order='4'\/>/);
  assert.equal((await conn.domainGetVcpus!(running)).info.length, 4);

  const msg = async (p: Promise<unknown>) => ((await p.catch((e) => e)) as VirError).message;
  assert.equal(
    await msg(conn.domainSetVcpusFlags!(running, 5, VIR.DOMAIN_AFFECT_LIVE)),
    "invalid argument: requested vcpus is greater than max allowable vcpus for the live domain: 5 > 4",
  );
  assert.equal(
    await msg(conn.domainSetVcpusFlags!(running, 2, VIR.DOMAIN_VCPU_GUEST)),
    "argument unsupported: QEMU guest agent is not configured",
  );
  assert.equal(
    await msg(conn.domainSetVcpu!(running, "0", 0, VIR.DOMAIN_AFFECT_CONFIG)),
    "invalid argument: vCPU '0' can't be modified",
  );
  assert.equal(
    await msg(
      conn.domainSetVcpusFlags!(running, 6, VIR.DOMAIN_AFFECT_CONFIG | VIR.DOMAIN_VCPU_MAXIMUM),
    ),
    "invalid argument: CPU topology doesn't match the desired vcpu count",
  );

  // Unplug: no DEVICE_DELETED within the timeout, then a late one.
  const timeout =
    (await conn.domainSetVcpu!(running, "3", 0, VIR.DOMAIN_AFFECT_LIVE).catch((e) =>
      e
    )) as VirError;
  assert.equal(timeout.codeName, "VIR_ERR_OPERATION_TIMEOUT");
  assert.equal(await conn.domainGetVcpusFlags!(running, VIR.DOMAIN_AFFECT_LIVE), 4);
  const fake = [...launcher.instances.values()][0];
  fake.releaseUnplug("vcpu3");
  for (let i = 0; i < 100; i++) {
    if (await conn.domainGetVcpusFlags!(running, VIR.DOMAIN_AFFECT_LIVE) === 3) break;
    await tick();
  }
  assert.equal(await conn.domainGetVcpusFlags!(running, VIR.DOMAIN_AFFECT_LIVE), 3);

  await conn.domainSuspend!(running);
  assert.deepEqual(await conn.domainGetState!(running, 0), [
    VIR.DOMAIN_PAUSED,
    VIR.DOMAIN_PAUSED_USER,
  ]);
  await conn.domainResume!(running);

  // A driver restart re-attaches to the running QEMU and keeps the vCPU state.
  await conn.connectClose();
  const again = await open(dir, launcher);
  const ref = await again.conn.domainLookupByName!("q1");
  assert.equal(ref.id, running.id);
  assert.equal(await again.conn.domainGetVcpusFlags!(ref, VIR.DOMAIN_AFFECT_LIVE), 3);

  // QEMU dies on its own: shut off, crashed, STOPPED/FAILED.
  fake.crash();
  for (
    let i = 0;
    i < 100 && (await again.conn.domainGetState!(ref, 0))[0] !== VIR.DOMAIN_SHUTOFF;
    i++
  ) {
    await tick();
  }
  await tick();
  assert.deepEqual(await again.conn.domainGetState!(ref, 0), [
    VIR.DOMAIN_SHUTOFF,
    VIR.DOMAIN_SHUTOFF_CRASHED,
  ]);
  assert.deepEqual(again.events, [`STOPPED/${VIR.DOMAIN_EVENT_STOPPED_FAILED}`]);

  await again.conn.domainCreateWithFlags!(ref, 0);
  await again.conn.domainDestroyFlags!(await again.conn.domainLookupByName!("q1"), 0);
  await tick();
  assert.deepEqual(again.events.slice(-2), ["SHUTDOWN/2", "STOPPED/1"]);
  assert.deepEqual(await again.conn.domainGetState!(ref, 0), [
    VIR.DOMAIN_SHUTOFF,
    VIR.DOMAIN_SHUTOFF_DESTROYED,
  ]);
  await again.conn.domainUndefineFlags!(ref, 0);
  await again.conn.connectClose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("undefining a running domain makes it transient; it is gone once stopped", async () => {
  const dir = await Deno.makeTempDir();
  const launcher = new FakeLauncher();
  const { conn, events } = await open(dir, launcher);
  const dom = await conn.domainDefineXMLFlags!(XML, 0);
  await conn.domainCreateWithFlags!(dom, 0);
  await conn.domainUndefineFlags!(dom, 0);
  assert.equal(await conn.domainIsActive!(dom), true);
  assert.equal(await conn.domainIsPersistent!(dom), false);
  await assert.rejects(Deno.stat(`${dir}/config/q1.xml`), Deno.errors.NotFound);
  const err = await conn.domainUndefineFlags!(dom, 0).catch((e) => e) as VirError;
  assert.equal(err.message, "Requested operation is not valid: cannot undefine transient domain");
  await conn.domainDestroyFlags!(dom, 0);
  await tick();
  const gone = await conn.domainLookupByName!("q1").catch((e) => e) as VirError;
  assert.equal(gone.codeName, "VIR_ERR_NO_DOMAIN");
  assert.deepEqual(events.slice(-3), ["UNDEFINED/0", "SHUTDOWN/2", "STOPPED/1"]);
  await conn.connectClose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("createXML of a defined domain runs the new definition and keeps the config aside", async () => {
  const dir = await Deno.makeTempDir();
  const { conn, events } = await open(dir, new FakeLauncher());
  const dom = await conn.domainDefineXMLFlags!(XML, 0);
  const bigger = XML.replace("<memory unit='MiB'>128", "<memory unit='MiB'>256");
  const live = await conn.domainCreateXML!(bigger, 0);
  assert.equal(live.uuid, dom.uuid);
  const memory = async (flags: number) =>
    /<memory unit='KiB'>(\d+)</.exec(await conn.domainGetXMLDesc!(live, flags))?.[1];
  assert.deepEqual([await memory(0), await memory(VIR.DOMAIN_XML_INACTIVE)], ["262144", "131072"]);
  const again = await conn.domainCreateXML!(bigger, 0).catch((e) => e) as VirError;
  assert.equal(again.message, "Requested operation is not valid: domain 'q1' is already active");

  const names = async (flags: number) =>
    (await conn.connectListAllDomains!(flags)).map((d) => d.name);
  const L = VIR;
  assert.deepEqual(await names(L.CONNECT_LIST_DOMAINS_ACTIVE | L.CONNECT_LIST_DOMAINS_INACTIVE), [
    "q1",
  ]);
  assert.deepEqual(await names(L.CONNECT_LIST_DOMAINS_INACTIVE), []);
  assert.deepEqual(await names(L.CONNECT_LIST_DOMAINS_PERSISTENT), ["q1"]);
  assert.deepEqual(await names(L.CONNECT_LIST_DOMAINS_TRANSIENT), []);
  const bad = await conn.connectListAllDomains!(1 << 30).catch((e) => e) as VirError;
  assert.equal(bad.codeName, "VIR_ERR_INVALID_ARG");

  await conn.domainDestroyFlags!(live, 0);
  await tick();
  assert.equal(await memory(0), "131072");
  assert.deepEqual(events, ["DEFINED/0", "RESUMED/0", "STARTED/0", "SHUTDOWN/2", "STOPPED/1"]);
  await conn.connectClose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a transient domain whose QEMU fails to start leaves nothing behind", async () => {
  const dir = await Deno.makeTempDir();
  class Failing extends FakeLauncher {
    override launch(): Promise<QemuProcess> {
      return Promise.reject(new Error("cannot execute QEMU"));
    }
  }
  const { conn } = await open(dir, new Failing());
  for (let i = 0; i < 2; i++) {
    const err = await conn.domainCreateXML!(XML, 0).catch((e) => e) as Error;
    assert.equal(err.message, "cannot execute QEMU");
  }
  const gone = await conn.domainLookupByName!("q1").catch((e) => e) as VirError;
  assert.equal(gone.message, "Domain not found: no domain with matching name 'q1'");
  await conn.connectClose();
  await Deno.remove(dir, { recursive: true });
});
