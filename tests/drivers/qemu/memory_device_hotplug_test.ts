// Memory-device hotplug of the QEMU driver against a fake QEMU, step by step against libvirt
// 9.0's recording of the same steps on real QEMU (fixtures/memory_hotplug_qmp.json, made by
// tests/tools/record_qemu_memory_hotplug.sh): the QMP each step sends, its error (code, domain,
// message), the events, and the memory devices and totals of the XML after it. What the
// recording's guest (no OS) cannot show — an acknowledged DIMM unplug, a guest that plugs
// virtio-mem memory — follows libvirt's code (qemuDomainRemoveMemoryDevice,
// processMemoryDeviceSizeChange).
import assert from "node:assert/strict";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { FakeLauncher } from "../../../drivers/qemu/testing/mod.ts";
import {
  FakeMemoryDevices,
  type FakeMemoryOptions,
} from "../../../drivers/qemu/testing/fake_memory.ts";
import { VIR } from "../../../util/constants.ts";
import type { DomainRef, DriverConnection, DriverEvent } from "../../../util/driver.ts";
import { VirError } from "../../../util/errors.ts";
import { closeDriver } from "./fake_qmp/close_driver.ts";

interface Step {
  step: string;
  error?: [number, number, string];
  qmp?: { execute: string; arguments?: Record<string, unknown> }[];
  events?: unknown[][];
  xml: string;
}

const STEPS: Step[] = JSON.parse(
  Deno.readTextFileSync(new URL("./fixtures/memory_hotplug_qmp.json", import.meta.url)),
);
const byName = (name: string) => STEPS.find((s) => s.step === name)!;

/** The recorded domain, without the QMP trace libvirt's QEMU was started with. */
const DOMAIN = `<domain type='qemu'><name>memhp</name>
<uuid>5a7e0000-0000-4000-8000-00000000d1a0</uuid>
<maxMemory slots='4' unit='MiB'>1024</maxMemory><memory unit='MiB'>384</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='q35'>hvm</type></os><features><acpi/></features>
<cpu><numa><cell id='0' cpus='0' memory='64' unit='MiB'/></numa></cpu><devices>
<memory model='dimm'><target><size unit='MiB'>64</size><node>0</node></target></memory>
<memory model='virtio-mem'><target><size unit='MiB'>256</size><node>0</node>
<block unit='MiB'>2</block><requested unit='MiB'>0</requested></target></memory>
<memballoon model='none'/></devices></domain>`;
const DIMM = "<memory model='dimm'><target><size unit='MiB'>32</size><node>0</node></target>" +
  "</memory>";

const VIRTIO_MEM = "<memory model='virtio-mem'><target><size unit='MiB'>128</size>" +
  "<node>0</node><block unit='MiB'>2</block><requested unit='MiB'>0</requested></target></memory>";

/** The memory devices and the memory totals of a domain XML. */
const memoryOf = (xml: string) =>
  [
    ...xml.matchAll(/<(?:maxMemory|memory|currentMemory) [^>]*>\d+</g),
    ...xml.matchAll(/<memory model=[\s\S]*?<\/memory>/g),
  ].map((m) => m[0].replace(/\n\s*/g, ""));

interface Harness {
  conn: DriverConnection;
  dom: DomainRef;
  memory: FakeMemoryDevices;
  launcher: FakeLauncher;
  events: DriverEvent[];
  close(): Promise<void>;
}

async function setup(options: FakeMemoryOptions = {}, xml = DOMAIN): Promise<Harness> {
  const dir = await Deno.makeTempDir({ prefix: "ev-qmem-" });
  const memory = new FakeMemoryDevices(options);
  let opened = false;
  const launcher: FakeLauncher = new FakeLauncher({
    onCommand: (execute, args) => {
      if (!opened) {
        opened = true;
        memory.bind([...launcher.instances.values()].at(-1)!);
        memory.openCommandLine(launcher.launches.at(-1)!);
      }
      return memory.handle(execute, args);
    },
  });
  const conn = await qemuConnectDriver.open(new URL("qemu:///session"), {
    stateDir: dir,
    launcher,
    unplugTimeoutMs: 50,
  }) as DriverConnection;
  const events: DriverEvent[] = [];
  conn.subscribe!((ev) => events.push(ev));
  const dom = await conn.domainCreateWithFlags!(await conn.domainDefineXMLFlags!(xml, 0), 0);
  return {
    conn,
    dom,
    memory,
    launcher,
    events,
    close: () => closeDriver(conn, dir),
  };
}

/** The QMP the fake received since `from`, without the queries (as the recording's trace). */
function qmpSince(t: Harness, from: number) {
  const fake = [...t.launcher.instances.values()].at(-1)!;
  return fake.commands.slice(from)
    .filter((c) => !/^(query-|qom-get|qom-list)/.test(c.execute))
    .map((c) =>
      c.arguments ? { execute: c.execute, arguments: c.arguments } : { execute: c.execute }
    );
}

const commandCount = (t: Harness) => [...t.launcher.instances.values()].at(-1)!.commands.length;

/** Runs one recorded step and compares it with libvirt's. */
async function replay(t: Harness, name: string, call: () => Promise<unknown>, flags = 0) {
  const want = byName(name);
  const from = commandCount(t);
  t.events.length = 0;
  const error = await call().then(() => undefined, (e) => e);
  if (want.error) {
    assert.ok(error instanceof VirError, `${name}: ${error}`);
    assert.deepEqual([error.code, error.domain, error.message], want.error, name);
  } else if (error) throw error;
  assert.deepEqual(qmpSince(t, from), want.qmp, name);
  const events = t.events.filter((e) => e.eventId === VIR.DOMAIN_EVENT_ID_DEVICE_ADDED)
    .map((e) => ["device-added", e.data.devAlias]);
  assert.deepEqual(events, want.events, name);
  assert.deepEqual(
    memoryOf(await t.conn.domainGetXMLDesc!(t.dom, flags)),
    memoryOf(want.xml),
    name,
  );
}

const liveXml = (t: Harness) => t.conn.domainGetXMLDesc!(t.dom, 0);
const deviceOf = (xml: string, pattern: RegExp) => xml.match(pattern)![0];

Deno.test("memory hotplug replayed against libvirt 9.0: attach, update, refusals, detach, config", async () => {
  const t = await setup();
  try {
    assert.deepEqual(memoryOf(await liveXml(t)), memoryOf(byName("start").xml));
    const live = VIR.DOMAIN_AFFECT_LIVE;
    const config = VIR.DOMAIN_AFFECT_CONFIG;
    await replay(t, "attach-dimm-live", () => t.conn.domainAttachDeviceFlags!(t.dom, DIMM, live));
    const virtioMem = deviceOf(await liveXml(t), /<memory model='virtio-mem'>[\s\S]*?<\/memory>/);
    await replay(t, "update-virtio-mem-requested", () =>
      t.conn.domainUpdateDeviceFlags!(
        t.dom,
        virtioMem.replace(
          "<requested unit='KiB'>0</requested>",
          "<requested unit='KiB'>65536</requested>",
        ),
        live,
      ));
    const dimm = deviceOf(await liveXml(t), /<memory model='dimm'>[\s\S]*?<\/memory>/);
    await replay(
      t,
      "update-dimm-refused",
      () => t.conn.domainUpdateDeviceFlags!(t.dom, dimm, live),
    );
    await replay(
      t,
      "attach-node-refused",
      () =>
        t.conn.domainAttachDeviceFlags!(
          t.dom,
          DIMM.replace("<node>0</node>", "<node>3</node>"),
          live,
        ),
    );
    await replay(t, "attach-space-refused", () =>
      t.conn.domainAttachDeviceFlags!(
        t.dom,
        DIMM.replace("<size unit='MiB'>32</size>", "<size unit='MiB'>2048</size>"),
        live,
      ));
    // The guest never acknowledges the unplug: the detach returns, the DIMM stays.
    const dimm1 = deviceOf(
      await liveXml(t),
      /<memory model='dimm'>(?:(?!<\/memory>)[\s\S])*dimm1[\s\S]*?<\/memory>/,
    );
    await replay(t, "detach-dimm-live", () => t.conn.domainDetachDeviceFlags!(t.dom, dimm1, live));
    await replay(
      t,
      "attach-virtio-mem-live",
      () => t.conn.domainAttachDeviceFlags!(t.dom, VIRTIO_MEM, live),
    );
    const virtioMem1 = deviceOf(
      await liveXml(t),
      /<memory model='virtio-mem'>(?:(?!<\/memory>)[\s\S])*virtiomem1[\s\S]*?<\/memory>/,
    );
    await replay(
      t,
      "detach-virtio-mem-live",
      () => t.conn.domainDetachDeviceFlags!(t.dom, virtioMem1, live),
    );
    const inactive = VIR.DOMAIN_XML_INACTIVE;
    await replay(
      t,
      "attach-dimm-config",
      () => t.conn.domainAttachDeviceFlags!(t.dom, DIMM, config),
      inactive,
    );
    await replay(t, "attach-config-slots-refused", async () => {
      for (let i = 0; i < 2; i++) await t.conn.domainAttachDeviceFlags!(t.dom, DIMM, config);
    }, inactive);
    await replay(
      t,
      "detach-dimm-config",
      () => t.conn.domainDetachDeviceFlags!(t.dom, DIMM, config),
      inactive,
    );
    await replay(t, "detach-missing-config", () =>
      t.conn.domainDetachDeviceFlags!(
        t.dom,
        DIMM.replace("<size unit='MiB'>32</size>", "<size unit='MiB'>16</size>"),
        config,
      ), inactive);
  } finally {
    await t.close();
  }
});

Deno.test("a DIMM QEMU refuses: its backend taken back, the definition unchanged", async () => {
  const t = await setup({ deviceAddError: "slot 1 is busy" });
  try {
    const before = await liveXml(t);
    const from = commandCount(t);
    await assert.rejects(
      () => t.conn.domainAttachDeviceFlags!(t.dom, DIMM, VIR.DOMAIN_AFFECT_LIVE),
      (e: unknown) => e instanceof VirError && e.message.endsWith("slot 1 is busy"),
    );
    assert.deepEqual(qmpSince(t, from).map((c) => [c.execute, c.arguments?.id]), [
      ["object-add", "memdimm1"],
      ["device_add", "dimm1"],
      ["object-del", "memdimm1"],
    ]);
    assert.equal(await liveXml(t), before);
    assert.ok(!t.memory.backends.has("memdimm1"));
  } finally {
    await t.close();
  }
});

Deno.test("a late DIMM unplug: object-del of its backend, DEVICE_REMOVED, the total shrinks", async () => {
  const t = await setup({ unplug: "hold" });
  try {
    await t.conn.domainAttachDeviceFlags!(t.dom, DIMM, VIR.DOMAIN_AFFECT_LIVE);
    await t.conn.domainDetachDeviceFlags!(t.dom, DIMM, VIR.DOMAIN_AFFECT_LIVE);
    assert.match(await liveXml(t), /dimm1/);
    const from = commandCount(t);
    t.events.length = 0;
    t.memory.releaseUnplugs();
    const removed = () =>
      t.events.find((e) => e.eventId === VIR.DOMAIN_EVENT_ID_DEVICE_REMOVED)?.data;
    for (let i = 0; i < 500 && !removed(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(removed(), { devAlias: "dimm1" });
    assert.deepEqual(qmpSince(t, from), [{ execute: "object-del", arguments: { id: "memdimm1" } }]);
    const xml = await liveXml(t);
    assert.doesNotMatch(xml, /dimm1/);
    assert.match(xml, /<memory unit='KiB'>393216<\/memory>/);
    assert.match(xml, /<currentMemory unit='KiB'>393216<\/currentMemory>/);
    assert.ok(!t.memory.backends.has("memdimm1"));
  } finally {
    await t.close();
  }
});

Deno.test("a guest that plugs virtio-mem memory: <current>, current memory and libvirt's event", async () => {
  const t = await setup({ virtioMemDriver: true });
  try {
    const virtioMem = deviceOf(await liveXml(t), /<memory model='virtio-mem'>[\s\S]*?<\/memory>/);
    await t.conn.domainUpdateDeviceFlags!(
      t.dom,
      virtioMem.replace(
        "<requested unit='KiB'>0</requested>",
        "<requested unit='KiB'>65536</requested>",
      ),
      VIR.DOMAIN_AFFECT_LIVE,
    );
    const changed = () =>
      t.events.find((e) => e.eventId === VIR.DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE)?.data;
    for (let i = 0; i < 500 && !changed(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(changed(), { alias: "virtiomem0", size: 65536 });
    const xml = await liveXml(t);
    assert.match(
      xml,
      /<requested unit='KiB'>65536<\/requested>\s*<current unit='KiB'>65536<\/current>/,
    );
    // Without a balloon, libvirt's XML shows the total as the current memory
    // (qemuDomainUpdateCurrentMemorySize), whatever the device plugged.
    assert.match(xml, /<currentMemory unit='KiB'>393216<\/currentMemory>/);
  } finally {
    await t.close();
  }
});

for (const name of ["mem-pc-dimm", "mem-pc-dimm-align", "mem-pc-nvdimm", "mem-q35-virtio"]) {
  Deno.test(`${name}: the live memory devices and totals as libvirt 9.0 shows them`, async () => {
    // The start recorded by fixtures/record_argv.sh (LIVE=1), QEMU's answers modelled.
    const fixture = (ext: string) =>
      Deno.readTextFileSync(new URL(`./fixtures/${name}${ext}`, import.meta.url));
    const t = await setup({}, fixture(".xml"));
    try {
      const ours = memoryOf(await liveXml(t));
      assert.ok(ours.some((m) => m.startsWith("<memory model=")));
      // The current memory is the balloon's figure, which no fake guest reports alike.
      const totals = (m: string[]) => m.filter((l) => !l.startsWith("<currentMemory"));
      assert.deepEqual(totals(ours), totals(memoryOf(fixture(".live.xml"))));
    } finally {
      await t.close();
    }
  });
}
