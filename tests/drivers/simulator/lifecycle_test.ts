// Expected values below were recorded from libvirt 9.0's test driver through python3-libvirt
// (/usr/bin/python3, test:///default) and the oracle scenarios lifecycle/errors/vcpus.
import { assertEquals } from "./assert.ts";
import { expectError } from "./helpers.ts";
import { connect } from "../../../host.ts";
import { VIR } from "../../../mod.ts";
import type { ConnectionEvent } from "../../../mod.ts";

const VM1 = "<domain type='test'><name>vm1</name><uuid>11111111-2222-3333-4444-555555555555" +
  "</uuid><memory unit='MiB'>512</memory><vcpu current='2'>4</vcpu><os><type arch='x86_64'>" +
  "hvm</type></os></domain>";

function collect(conn: Awaited<ReturnType<typeof connect>>): [string, number, number][] {
  const seen: [string, number, number][] = [];
  conn.eventRegisterAny({ family: "domain", eventId: 0 }, (ev: ConnectionEvent) => {
    seen.push([
      (ev.object as { name: string }).name,
      ev.data.event as number,
      ev.data.detail as number,
    ]);
  });
  return seen;
}

const tick = () => new Promise((r) => setTimeout(r, 5));

Deno.test("default node: domain test running as id 1, reason unknown", async () => {
  const conn = await connect("test:///default");
  try {
    const dom = await conn.lookupDomainByName("test");
    assertEquals(await dom.getState(0), [VIR.DOMAIN_RUNNING, 0]);
    const info = await dom.getInfo();
    assertEquals([info.state, info.maxMem, info.memory, info.nrVirtCpu], [1, 8388608, 2097152, 2]);
    assertEquals(await conn.getNodeInfo(), {
      model: "i686",
      memory: 3145728,
      cpus: 16,
      mhz: 1400,
      nodes: 2,
      sockets: 2,
      cores: 2,
      threads: 2,
    });
    assertEquals(await conn.getCellsFreeMemory(0, 10), [2097152, 4194304]);
    assertEquals(await conn.getFreeMemory(), 3145728);
    assertEquals(await conn.getVersion(), 2);
    assertEquals(await conn.getLibVersion(), 9000000);
    assertEquals(await conn.getMaxVcpus(null), 32);
  } finally {
    await conn.close();
  }
});

Deno.test("lifecycle scenario: define, start, pause, shutdown, reboot, destroy, undefine", async () => {
  const conn = await connect("test:///default");
  try {
    const events = collect(conn);
    const vm = await conn.defineXML(VM1);
    assertEquals(await vm.getState(0), [5, 0]);
    await vm.create();
    assertEquals((await conn.lookupDomainByName("vm1")).id, 2);
    await vm.suspend();
    await expectError(vm.suspend(), 1, 12, "internal error: domain 'vm1' not running");
    await vm.resume();
    await vm.shutdown();
    assertEquals(await vm.getState(0), [5, VIR.DOMAIN_SHUTOFF_SHUTDOWN]);
    await vm.create();
    await vm.reboot(0);
    await vm.destroy();
    await expectError(
      vm.createWithFlags(VIR.DOMAIN_START_PAUSED),
      8,
      12,
      "unsupported flags (0x1) in function testDomainCreateWithFlags",
    );
    await vm.create();
    assertEquals((await conn.lookupDomainByName("vm1")).id, 4);
    await vm.undefine();
    assertEquals(await vm.isPersistent(), false);
    await vm.destroy();
    await expectError(conn.lookupDomainByName("vm1"), 42, 12, "Domain not found");
    await tick();
    const E = VIR;
    assertEquals(events, [
      ["vm1", E.DOMAIN_EVENT_DEFINED, E.DOMAIN_EVENT_DEFINED_ADDED],
      ["vm1", E.DOMAIN_EVENT_STARTED, E.DOMAIN_EVENT_STARTED_BOOTED],
      ["vm1", E.DOMAIN_EVENT_SUSPENDED, E.DOMAIN_EVENT_SUSPENDED_PAUSED],
      ["vm1", E.DOMAIN_EVENT_RESUMED, E.DOMAIN_EVENT_RESUMED_UNPAUSED],
      ["vm1", E.DOMAIN_EVENT_STOPPED, E.DOMAIN_EVENT_STOPPED_SHUTDOWN],
      ["vm1", E.DOMAIN_EVENT_STARTED, E.DOMAIN_EVENT_STARTED_BOOTED],
      ["vm1", E.DOMAIN_EVENT_STOPPED, E.DOMAIN_EVENT_STOPPED_DESTROYED],
      ["vm1", E.DOMAIN_EVENT_STARTED, E.DOMAIN_EVENT_STARTED_BOOTED],
      ["vm1", E.DOMAIN_EVENT_UNDEFINED, E.DOMAIN_EVENT_UNDEFINED_REMOVED],
      ["vm1", E.DOMAIN_EVENT_STOPPED, E.DOMAIN_EVENT_STOPPED_DESTROYED],
    ]);
  } finally {
    await conn.close();
  }
});

Deno.test("connections share test:///default until the last one closes", async () => {
  const a = await connect("test:///default");
  const b = await connect("test:///default");
  await (await a.lookupDomainByName("test")).destroy();
  assertEquals(await (await b.lookupDomainByName("test")).getState(0), [5, 2]);
  await a.close();
  await b.close();
  const c = await connect("test:///default");
  assertEquals(await (await c.lookupDomainByName("test")).getState(0), [1, 0]);
  await c.close();
});

Deno.test("errors scenario: duplicates, inactive operations, transient undefine", async () => {
  const conn = await connect("test:///default");
  try {
    const test = await conn.lookupDomainByName("test");
    await expectError(test.create(), 1, 12, "internal error: Domain 'test' is already running");
    await expectError(test.resume(), 1, 12, "internal error: domain 'test' not paused");
    await test.shutdown();
    await expectError(
      test.destroy(),
      55,
      20,
      "Requested operation is not valid: domain is not running",
    );
    await expectError(test.shutdown(), 1, 12, "internal error: domain 'test' not running");
    await expectError(
      test.reboot(0),
      55,
      20,
      "Requested operation is not valid: domain is not running",
    );
    await expectError(
      conn.defineXML(
        "<domain type='test'><name>test</name><memory>1024</memory><os><type>hvm</type></os></domain>",
      ),
      9,
      20,
      "operation failed: domain 'test' already exists with uuid 6695eb01-f6a4-8304-79aa-97f2502e193f",
    );
    await expectError(
      conn.defineXML(
        "<domain type='test'><name>dup</name><uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>" +
          "<memory>1024</memory><os><type>hvm</type></os></domain>",
      ),
      9,
      20,
      "operation failed: domain 'test' is already defined with uuid 6695eb01-f6a4-8304-79aa-97f2502e193f",
    );
    const xml = "<domain type='test'><name>test</name><uuid>6695eb01-f6a4-8304-79aa-97f2502e193f" +
      "</uuid><memory>1024</memory><os><type>hvm</type></os></domain>";
    await conn.createXML(xml, 0);
    const live = await conn.lookupDomainByName("test");
    assertEquals(live.id, 2);
    assertEquals((await live.getInfo()).maxMem, 1024);
    await expectError(
      conn.createXML(xml, 0),
      55,
      20,
      "Requested operation is not valid: domain 'test' is already active",
    );
    await live.undefine();
    await live.undefine();
    await live.destroy();
    assertEquals((await conn.listAllDomains()).length, 0);
    await expectError(
      conn.lookupNetworkByName("nosuchnet"),
      43,
      12,
      "Network not found: no network with matching name 'nosuchnet'",
    );
  } finally {
    await conn.close();
  }
});

Deno.test("vcpus scenario: config/live counts, maximum clamps, limits", async () => {
  const conn = await connect("test:///default");
  try {
    const v = await conn.defineXML(
      "<domain type='test'><name>v</name><uuid>22222222-2222-3333-4444-555555555555</uuid>" +
        "<memory unit='MiB'>256</memory><vcpu placement='static' current='2'>4</vcpu>" +
        "<os><type arch='x86_64'>hvm</type></os></domain>",
    );
    const C = VIR.DOMAIN_AFFECT_CONFIG, L = VIR.DOMAIN_AFFECT_LIVE, M = VIR.DOMAIN_VCPU_MAXIMUM;
    assertEquals(await v.getVcpusFlags(C | M), 4);
    await expectError(
      v.getVcpusFlags(L),
      55,
      20,
      "Requested operation is not valid: domain is not running",
    );
    await v.setVcpusFlags(3, C);
    await expectError(
      v.setVcpusFlags(5, C),
      8,
      12,
      "invalid argument: requested cpu amount exceeds maximum (5 > 4)",
    );
    await v.setVcpusFlags(8, C | M);
    await v.setVcpusFlags(6, C);
    await v.setVcpusFlags(4, C | M);
    assertEquals(await v.getVcpusFlags(C), 4);
    await expectError(
      v.setVcpusFlags(33, C | M),
      8,
      12,
      "invalid argument: requested cpu amount exceeds maximum supported amount (33 > 32)",
    );
    await v.setVcpusFlags(2, C);
    await v.create();
    const { info, cpumaps } = await v.getVcpus();
    assertEquals(info.map((i) => [i.number, i.state, i.cpu]), [[0, 1, 15], [1, 1, 15]]);
    assertEquals(cpumaps[0].slice(0, 8), [true, true, true, true, true, true, true, true]);
    await v.setVcpusFlags(4, L);
    await expectError(
      v.setVcpusFlags(2, VIR.DOMAIN_VCPU_GUEST),
      8,
      12,
      "unsupported flags (0x8) in function testDomainSetVcpusFlags",
    );
    await v.suspend();
    await v.setVcpusFlags(3, L);
    assertEquals((await v.getInfo()).nrVirtCpu, 3);
    await v.destroy();
    assertEquals((await v.getInfo()).nrVirtCpu, 2);
    await v.undefine();
  } finally {
    await conn.close();
  }
});
