// QMP events the QEMU driver turns into libvirt's domain events (qemu_process.c's
// qemuProcessHandle*): each event id with its callback's arguments, the state changes and the
// lifecycle events that come with them, in libvirt's order. The fake QMP peer sends the events
// with the payloads QEMU 7.2 gives them.
import assert from "node:assert/strict";
import { FakeLauncher, type FakeQemu, type FakeReply } from "../../../drivers/qemu/testing/mod.ts";
import { SystemLauncher } from "../../../drivers/qemu/process/mod.ts";
import { realQemuTest } from "./real_qemu.ts";
import { withQemuConn } from "./with_conn.ts";
import { VIR } from "../../../util/constants.ts";
import type { DomainRef, DriverConnection, DriverEvent } from "../../../util/driver.ts";
import { IMG } from "./images.ts";

const E = VIR;

const XML = `<domain type='qemu'>
  <name>ev</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <clock offset='variable' adjustment='100' basis='utc'/>
  <devices>
    <disk type='file' device='disk'>
      <source file='${IMG}/d.img'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='cdrom'>
      <target dev='hdc' bus='ide'/>
      <readonly/>
    </disk>
    <memballoon model='virtio'/>
  </devices>
</domain>`;

/** `query-block` as QEMU 7.2 answers it for the two drives of {@link XML}. */
function answers(execute: string): FakeReply | undefined {
  if (execute !== "query-block") return undefined;
  return {
    return: [
      {
        device: "drive0",
        qdev: "/machine/peripheral/virtio-disk0/virtio-backend",
        inserted: { "node-name": "#block123" },
      },
      { device: "drive1", qdev: "ide0-1-0" },
    ],
  };
}

interface Setup {
  conn: DriverConnection;
  dom: DomainRef;
  qemu: FakeQemu;
  events: [number, Record<string, unknown>][];
}

/** Runs `fn` with {@link XML} started on a fake QEMU, every domain event after the start kept. */
function withDomain(fn: (s: Setup) => Promise<void>): Promise<void> {
  const launcher = new FakeLauncher({ onCommand: answers });
  return withQemuConn({ launcher }, async (conn) => {
    const dom = await conn.domainCreateXML!(XML, 0);
    const qemu = [...launcher.instances.values()][0];
    const events: [number, Record<string, unknown>][] = [];
    conn.subscribe!((ev: DriverEvent) => events.push([ev.eventId, ev.data]));
    await fn({ conn, dom, qemu, events });
    await conn.domainDestroyFlags!(dom, 0);
  });
}

/** Lets the driver read what the fake sent (and answer its own queries). */
const settle = () => new Promise((r) => setTimeout(r, 30));

const lifecycle = (event: number, detail: number): [number, Record<string, unknown>] => [
  E.DOMAIN_EVENT_ID_LIFECYCLE,
  { event, detail },
];

Deno.test("I/O error with action stop: IO_ERROR, IO_ERROR_REASON, SUSPENDED/IOERROR", () =>
  withDomain(async (s) => {
    s.qemu.emit("BLOCK_IO_ERROR", {
      device: "drive0",
      "node-name": "#block123",
      operation: "write",
      action: "stop",
      nospace: true,
      reason: "No space left on device",
    });
    // QEMU stops the guest right after: that STOP must not add a second SUSPENDED.
    s.qemu.emit("STOP");
    await settle();
    const err = { srcPath: `${IMG}/d.img`, devAlias: "virtio-disk0", action: 1 };
    assert.deepEqual(s.events, [
      [E.DOMAIN_EVENT_ID_IO_ERROR, err],
      [E.DOMAIN_EVENT_ID_IO_ERROR_REASON, { ...err, reason: "enospc" }],
      lifecycle(E.DOMAIN_EVENT_SUSPENDED, E.DOMAIN_EVENT_SUSPENDED_IOERROR),
    ]);
    assert.deepEqual(await s.conn.domainGetState!(s.dom, 0), [
      E.DOMAIN_PAUSED,
      E.DOMAIN_PAUSED_IOERROR,
    ]);
    // An error reported to the guest changes nothing; an unknown drive has empty names.
    s.events.length = 0;
    s.qemu.emit("BLOCK_IO_ERROR", { device: "nosuch", action: "report", nospace: false });
    await settle();
    const unknown = { srcPath: "", devAlias: "", action: 2 };
    assert.deepEqual(s.events, [
      [E.DOMAIN_EVENT_ID_IO_ERROR, unknown],
      [E.DOMAIN_EVENT_ID_IO_ERROR_REASON, { ...unknown, reason: "" }],
    ]);
  }));

Deno.test("watchdog pause, RTC change of a variable clock, balloon change", () =>
  withDomain(async (s) => {
    s.qemu.emit("RTC_CHANGE", { offset: 10 });
    s.qemu.emit("RTC_CHANGE", { offset: 20 });
    s.qemu.emit("BALLOON_CHANGE", { actual: 100 * 1024 * 1024 + 1 });
    s.qemu.emit("WATCHDOG", { action: "pause" });
    s.qemu.emit("STOP");
    await settle();
    assert.deepEqual(s.events, [
      // QEMU counts from the start's base: libvirt adds the adjustment the domain started with.
      [E.DOMAIN_EVENT_ID_RTC_CHANGE, { utcoffset: 110 }],
      [E.DOMAIN_EVENT_ID_RTC_CHANGE, { utcoffset: 120 }],
      [E.DOMAIN_EVENT_ID_BALLOON_CHANGE, { actual: 102401 }],
      [E.DOMAIN_EVENT_ID_WATCHDOG, { action: E.DOMAIN_EVENT_WATCHDOG_PAUSE }],
      lifecycle(E.DOMAIN_EVENT_SUSPENDED, E.DOMAIN_EVENT_SUSPENDED_WATCHDOG),
    ]);
    assert.deepEqual(await s.conn.domainGetState!(s.dom, 0), [
      E.DOMAIN_PAUSED,
      E.DOMAIN_PAUSED_WATCHDOG,
    ]);
    const xml = await s.conn.domainGetXMLDesc!(s.dom, 0);
    assert.match(xml, /<clock offset='variable' adjustment='120' basis='utc'\/>/);
    assert.match(xml, /<currentMemory unit='KiB'>102401<\/currentMemory>/);
    assert.equal((await s.conn.domainGetInfo!(s.dom)).memory, 102401);
    // A reset watchdog only reports.
    s.events.length = 0;
    s.qemu.emit("WATCHDOG", { action: "reset" });
    await settle();
    assert.deepEqual(s.events, [[E.DOMAIN_EVENT_ID_WATCHDOG, { action: 2 }]]);
  }));

Deno.test("tray moves, VNC phases, PM suspend and wake-up, crash-loaded, memory failure", () =>
  withDomain(async (s) => {
    s.qemu.emit("DEVICE_TRAY_MOVED", { device: "drive1", id: "ide0-1-0", "tray-open": true });
    await settle();
    assert.match(
      await s.conn.domainGetXMLDesc!(s.dom, 0),
      /<target dev='hdc' bus='ide' tray='open'\/>/,
    );
    s.qemu.emit("DEVICE_TRAY_MOVED", { device: "", id: "ide0-1-0", "tray-open": false });
    const vnc = {
      server: {
        host: "127.0.0.1",
        service: "5900",
        family: "ipv4",
        websocket: false,
        auth: "none",
      },
      client: { host: "127.0.0.1", service: "41234", family: "ipv4", websocket: false },
    };
    s.qemu.emit("VNC_CONNECTED", vnc);
    s.qemu.emit("VNC_INITIALIZED", {
      ...vnc,
      client: { ...vnc.client, x509_dname: "CN=me", sasl_username: "me" },
    });
    s.qemu.emit("VNC_DISCONNECTED", { client: vnc.client });
    s.qemu.emit("SUSPEND");
    s.qemu.emit("WAKEUP");
    s.qemu.emit("GUEST_CRASHLOADED", { action: "run" });
    s.qemu.emit("MEMORY_FAILURE", {
      recipient: "guest",
      action: "inject",
      flags: { "action-required": true, recursive: false },
    });
    s.qemu.emit("MEMORY_FAILURE", { recipient: "nobody", action: "inject" });
    await settle();
    const local = { family: 0, node: "127.0.0.1", service: "5900" };
    const remote = { family: 0, node: "127.0.0.1", service: "41234" };
    assert.deepEqual(s.events, [
      [E.DOMAIN_EVENT_ID_TRAY_CHANGE, { devAlias: "ide0-1-0", reason: 0 }],
      [E.DOMAIN_EVENT_ID_TRAY_CHANGE, { devAlias: "ide0-1-0", reason: 1 }],
      [E.DOMAIN_EVENT_ID_GRAPHICS, { phase: 0, local, remote, authScheme: "none", subject: [] }],
      [E.DOMAIN_EVENT_ID_GRAPHICS, {
        phase: 1,
        local,
        remote,
        authScheme: "none",
        subject: [{ type: "x509dname", name: "CN=me" }, { type: "saslUsername", name: "me" }],
      }],
      // The disconnect without its server end is dropped, as libvirt drops it.
      [E.DOMAIN_EVENT_ID_PMSUSPEND, { reason: 0 }],
      lifecycle(E.DOMAIN_EVENT_PMSUSPENDED, E.DOMAIN_EVENT_PMSUSPENDED_MEMORY),
      [E.DOMAIN_EVENT_ID_PMWAKEUP, { reason: 0 }],
      lifecycle(E.DOMAIN_EVENT_STARTED, E.DOMAIN_EVENT_STARTED_WAKEUP),
      lifecycle(E.DOMAIN_EVENT_CRASHED, E.DOMAIN_EVENT_CRASHED_CRASHLOADED),
      [E.DOMAIN_EVENT_ID_MEMORY_FAILURE, { recipient: 1, action: 1, flags: 1 }],
    ]);
    assert.doesNotMatch(await s.conn.domainGetXMLDesc!(s.dom, 0), /tray=/);
    assert.deepEqual(await s.conn.domainGetState!(s.dom, 0), [
      E.DOMAIN_RUNNING,
      E.DOMAIN_RUNNING_WAKEUP,
    ]);
  }));

realQemuTest({
  name: "real QEMU: a VNC client's connect and disconnect are GRAPHICS events",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withQemuConn({ launcher: new SystemLauncher() }, async (conn) => {
      const events: [number, Record<string, unknown>][] = [];
      conn.subscribe!((ev: DriverEvent) => {
        if (ev.eventId === E.DOMAIN_EVENT_ID_GRAPHICS) events.push([ev.eventId, ev.data]);
      });
      const dom = await conn.domainCreateXML!(
        `<domain type='qemu'><name>vnc</name><memory unit='MiB'>64</memory>
        <os><type arch='x86_64' machine='pc'>hvm</type></os>
        <devices><graphics type='vnc' port='-1' autoport='yes'/><memballoon model='none'/>
        </devices></domain>`,
        0,
      );
      const xml = await conn.domainGetXMLDesc!(dom, 0);
      const port = Number(xml.match(/<graphics type='vnc' port='(\d+)'/)![1]);
      const sock = await Deno.connect({ hostname: "127.0.0.1", port });
      const banner = new Uint8Array(12);
      await sock.read(banner);
      assert.equal(new TextDecoder().decode(banner), "RFB 003.008\n");
      sock.close();
      for (let i = 0; i < 100 && events.length < 2; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const phases = events.map(([, d]) => d.phase);
      assert.deepEqual(phases, [
        E.DOMAIN_EVENT_GRAPHICS_CONNECT,
        E.DOMAIN_EVENT_GRAPHICS_DISCONNECT,
      ]);
      const first = events[0][1] as { local: { service: string; node: string }; remote: unknown };
      assert.equal(first.local.service, String(port));
      assert.equal(first.local.node, "127.0.0.1");
      await conn.domainDestroyFlags!(dom, 0);
    }),
});
