// Shutdown, reboot and reset against the fake QEMU: -no-shutdown, QMP SHUTDOWN/RESET/STOP,
// the fake reboot and the lifecycle actions, with the events and states libvirt 9.0 shows (each
// sequence was recorded from the real daemon with a tiny guest that powers off on the ACPI
// button, see known_differences.md).
import assert from "node:assert/strict";
import { waitFor } from "../../wait.ts";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { FakeLauncher, type FakeQemu } from "../../../drivers/qemu/testing/mod.ts";
import type { FakeQemuOptions } from "../../../drivers/qemu/testing/fake_qemu.ts";
import { VIR } from "../../../util/constants.ts";
import type { DomainRef, DriverConnection, DriverEvent } from "../../../util/driver.ts";
import type { VirError } from "../../../util/errors.ts";

const E = VIR;
const NAMES: Record<number, string> = {
  2: "STARTED",
  3: "SUSPENDED",
  4: "RESUMED",
  5: "STOPPED",
  6: "SHUTDOWN",
  8: "CRASHED",
};

function xml(extra = "", devices = ""): string {
  return `<domain type='qemu'><name>p1</name><uuid>0b7c1f52-3f5e-4d0c-9a43-5d3c2c1e0a01</uuid><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='q35'>hvm</type></os>${extra}
<devices><memballoon model='none'/>${devices}</devices></domain>`;
}

/** Another domain (name and uuid of its own). */
const other = (extra: string) => xml(extra).replace("p1", "p2").replace("0a01<", "0a02<");

interface Setup {
  conn: DriverConnection;
  dom: DomainRef;
  fake: FakeQemu;
  launcher: FakeLauncher;
  /** Lifecycle events as NAME/detail and REBOOT events, after the start. */
  events: string[];
}

async function start(
  extra = "",
  options: FakeQemuOptions = {},
  devices = "",
): Promise<Setup> {
  const launcher = new FakeLauncher(options);
  const conn = await qemuConnectDriver.open(new URL("qemu:///session"), {
    stateDir: await Deno.makeTempDir({ prefix: "ev-power-" }),
    launcher,
  }) as DriverConnection;
  const events: string[] = [];
  conn.subscribe!((ev: DriverEvent) => {
    if (ev.eventId === E.DOMAIN_EVENT_ID_REBOOT) events.push("REBOOT");
    else if (ev.eventId === E.DOMAIN_EVENT_ID_LIFECYCLE) {
      events.push(`${NAMES[ev.data.event as number] ?? ev.data.event}/${ev.data.detail}`);
    }
  });
  const dom = await conn.domainCreateXML!(xml(extra, devices), 0);
  await settle();
  events.length = 0;
  const fake = [...launcher.instances.values()].at(-1)!;
  return { conn, dom, fake, launcher, events };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

/** Waits for `cond`, then lets events that would follow it arrive before the test checks. */
async function until(cond: () => boolean | Promise<boolean>) {
  await waitFor(cond);
  await settle();
}

const commands = (fake: FakeQemu) =>
  fake.commands.map((c) => c.execute).filter((c) => !c.startsWith("query-"));

async function stateOf(s: Setup): Promise<[number, number]> {
  try {
    return await s.conn.domainGetState!(s.dom, 0);
  } catch {
    return [-1, -1];
  }
}

async function error(p: Promise<unknown>): Promise<string> {
  const e = (await p.then(() => undefined, (e) => e)) as VirError | undefined;
  return e ? `${e.code}/${e.domain} ${e.message}` : "ok";
}

Deno.test("QEMU runs with -no-shutdown; set-action reboot=shutdown only for on_reboot destroy", async () => {
  const plain = await start();
  assert.ok(plain.launcher.launches[0].includes("-no-shutdown"));
  assert.ok(!commands(plain.fake).includes("set-action"));
  await plain.conn.connectClose();

  const destroy = await start("<on_reboot>destroy</on_reboot>");
  const set = destroy.fake.commands.find((c) => c.execute === "set-action");
  assert.deepEqual(set?.arguments, { reboot: "shutdown" });
  // Before the vCPUs run, as libvirt sets it up during the launch.
  assert.ok(commands(destroy.fake).indexOf("set-action") < commands(destroy.fake).indexOf("cont"));
  await destroy.conn.connectClose();
});

Deno.test("a guest power-off: SHUTDOWN/GUEST, QEMU is ended, STOPPED/SHUTDOWN", async () => {
  const s = await start();
  s.fake.guestPoweroff();
  await until(() => !s.fake.alive);
  await until(async () => (await stateOf(s))[0] === -1);
  // The transient domain is gone; the pause QEMU reported in between was never shown.
  assert.deepEqual(s.events, ["SHUTDOWN/1", "STOPPED/0"]);
  await s.conn.connectClose();
});

Deno.test("a persistent domain after a guest power-off is shut off, reason shutdown", async () => {
  const s = await start();
  await s.conn.domainDefineXMLFlags!(xml(), 0);
  await settle();
  s.events.length = 0;
  // The QEMU without a `guest` field (older QEMU): the detail is FINISHED.
  s.fake.emit("SHUTDOWN", {});
  await until(async () => (await stateOf(s))[0] === E.DOMAIN_SHUTOFF);
  assert.deepEqual(await stateOf(s), [E.DOMAIN_SHUTOFF, E.DOMAIN_SHUTOFF_SHUTDOWN]);
  assert.deepEqual(s.events, ["SHUTDOWN/0", "STOPPED/0"]);
  await s.conn.connectClose();
});

Deno.test("shutdown presses the power button; a guest that powers off is stopped", async () => {
  const s = await start("", { powerButton: "poweroff" });
  await s.conn.domainShutdownFlags!(s.dom, 0);
  await until(() => !s.fake.alive);
  assert.deepEqual(s.events, ["SHUTDOWN/1", "STOPPED/0"]);
  assert.deepEqual(commands(s.fake).slice(-1), ["system_powerdown"]);
  await s.conn.connectClose();
});

Deno.test("shutdown and reboot without a guest OS: accepted, nothing happens", async () => {
  const s = await start();
  await s.conn.domainShutdownFlags!(s.dom, E.DOMAIN_SHUTDOWN_ACPI_POWER_BTN);
  await s.conn.domainReboot!(s.dom, 0);
  await settle();
  assert.deepEqual(s.events, []);
  assert.deepEqual(await stateOf(s), [E.DOMAIN_RUNNING, E.DOMAIN_RUNNING_BOOTED]);
  assert.deepEqual(commands(s.fake).slice(-2), ["system_powerdown", "system_powerdown"]);
  await s.conn.connectClose();
});

Deno.test("reboot: the guest's power-off becomes system_reset + cont (fake reboot)", async () => {
  const s = await start("", { powerButton: "poweroff" });
  await s.conn.domainReboot!(s.dom, 0);
  await until(() => s.events.includes("REBOOT") && s.fake.running);
  assert.ok(s.fake.alive);
  assert.deepEqual(commands(s.fake).slice(-3), ["system_powerdown", "system_reset", "cont"]);
  // No SHUTDOWN, SUSPENDED or RESUMED: the domain never stopped running, for libvirt.
  assert.deepEqual(s.events, ["REBOOT"]);
  assert.deepEqual(await stateOf(s), [E.DOMAIN_RUNNING, E.DOMAIN_RUNNING_BOOTED]);

  // The reboot was used up: the next power-off ends the domain.
  s.fake.guestPoweroff();
  await until(() => !s.fake.alive);
  assert.deepEqual(s.events, ["REBOOT", "SHUTDOWN/1", "STOPPED/0"]);
  await s.conn.connectClose();
});

Deno.test("reboot with on_reboot destroy is a shutdown", async () => {
  const s = await start("<on_reboot>destroy</on_reboot>", { powerButton: "poweroff" });
  await s.conn.domainReboot!(s.dom, E.DOMAIN_REBOOT_ACPI_POWER_BTN);
  await until(() => !s.fake.alive);
  assert.deepEqual(s.events, ["SHUTDOWN/1", "STOPPED/0"]);
  await s.conn.connectClose();
});

Deno.test("shutdown with on_poweroff restart reboots", async () => {
  const s = await start("<on_poweroff>restart</on_poweroff>", { powerButton: "poweroff" });
  await s.conn.domainShutdownFlags!(s.dom, 0);
  await until(() => s.events.includes("REBOOT") && s.fake.running);
  assert.deepEqual(s.events, ["REBOOT"]);
  // A power-off by the guest itself restarts too.
  s.fake.guestPoweroff();
  await until(() => s.events.length === 2 && s.fake.running);
  assert.deepEqual(s.events, ["REBOOT", "REBOOT"]);
  assert.deepEqual(await stateOf(s), [E.DOMAIN_RUNNING, E.DOMAIN_RUNNING_BOOTED]);
  await s.conn.connectClose();
});

Deno.test("a guest reset: REBOOT; with on_reboot destroy: SHUTDOWN/GUEST and STOPPED", async () => {
  const s = await start();
  s.fake.guestReset();
  await until(() => s.events.length > 0);
  assert.deepEqual(s.events, ["REBOOT"]);
  assert.deepEqual(await stateOf(s), [E.DOMAIN_RUNNING, E.DOMAIN_RUNNING_BOOTED]);
  await s.conn.connectClose();

  const d = await start("<on_reboot>destroy</on_reboot>");
  d.fake.guestReset();
  await until(() => !d.fake.alive);
  assert.deepEqual(d.events, ["SHUTDOWN/1", "STOPPED/0"]);
  await d.conn.connectClose();
});

Deno.test("reset: system_reset and REBOOT; with on_reboot destroy QEMU shuts down (host)", async () => {
  const s = await start();
  await s.conn.domainReset!(s.dom, 0);
  await until(() => s.events.length > 0);
  assert.deepEqual(s.events, ["REBOOT"]);
  assert.deepEqual(commands(s.fake).slice(-1), ["system_reset"]);
  // Paused, the reset is accepted as well and the domain stays paused.
  await s.conn.domainSuspend!(s.dom);
  await s.conn.domainReset!(s.dom, 0);
  await until(() => s.events.length === 3);
  assert.deepEqual(s.events, ["REBOOT", "SUSPENDED/0", "REBOOT"]);
  assert.deepEqual(await stateOf(s), [E.DOMAIN_PAUSED, E.DOMAIN_PAUSED_USER]);
  await s.conn.connectClose();

  const d = await start("<on_reboot>destroy</on_reboot>");
  await d.conn.domainReset!(d.dom, 0);
  await until(() => !d.fake.alive);
  assert.deepEqual(d.events, ["SHUTDOWN/2", "STOPPED/0"]);
  await d.conn.connectClose();
});

Deno.test("a reset while a reboot waits for the guest cancels the fake reboot", async () => {
  const s = await start();
  await s.conn.domainReboot!(s.dom, 0);
  await s.conn.domainReset!(s.dom, 0);
  await until(() => s.events.length > 0);
  s.fake.guestPoweroff();
  await until(() => !s.fake.alive);
  assert.deepEqual(s.events, ["REBOOT", "SHUTDOWN/1", "STOPPED/0"]);
  await s.conn.connectClose();
});

Deno.test("shutdown/reboot/reset errors and flags as libvirt 9.0", async () => {
  const s = await start();
  const { conn, dom } = s;
  const agentMissing = "74/10 argument unsupported: QEMU guest agent is not configured";
  assert.equal(await error(conn.domainReboot!(dom, E.DOMAIN_REBOOT_GUEST_AGENT)), agentMissing);
  assert.equal(
    await error(conn.domainShutdownFlags!(dom, E.DOMAIN_SHUTDOWN_GUEST_AGENT)),
    agentMissing,
  );
  // Agent or ACPI: without an agent, the power button.
  const before = commands(s.fake).length;
  assert.equal(await error(conn.domainReboot!(dom, 3)), "ok");
  assert.deepEqual(commands(s.fake).slice(before), ["system_powerdown"]);
  for (
    const [flag, fn] of [[8, "qemuDomainReboot"], [4, "qemuDomainReboot"], [
      0x40,
      "qemuDomainReboot",
    ]] as const
  ) {
    assert.equal(
      await error(conn.domainReboot!(dom, flag)),
      `8/10 unsupported flags (0x${flag.toString(16)}) in function ${fn}`,
    );
  }
  assert.equal(
    await error(conn.domainShutdownFlags!(dom, E.DOMAIN_SHUTDOWN_SIGNAL)),
    "8/10 unsupported flags (0x8) in function qemuDomainShutdownFlags",
  );
  assert.equal(
    await error(conn.domainReset!(dom, 1)),
    "8/10 unsupported flags (0x1) in function qemuDomainReset",
  );

  // Paused: a shutdown is refused (by the QEMU driver), a reboot and a reset are not.
  await conn.domainSuspend!(dom);
  assert.equal(
    await error(conn.domainShutdownFlags!(dom, 0)),
    "55/10 Requested operation is not valid: domain is not running",
  );
  assert.equal(await error(conn.domainReboot!(dom, 0)), "ok");
  assert.equal(await error(conn.domainReset!(dom, 0)), "ok");
  await conn.domainDestroyFlags!(dom, 0);

  const def = await conn.domainDefineXMLFlags!(xml(), 0);
  assert.equal(
    await error(conn.domainReboot!(def, 0)),
    "55/20 Requested operation is not valid: domain is not running",
  );
  assert.equal(
    await error(conn.domainShutdownFlags!(def, 0)),
    "55/10 Requested operation is not valid: domain is not running",
  );
  await conn.connectClose();
});

Deno.test("lifecycle actions the QEMU driver refuses, with libvirt's messages", async () => {
  const s = await start();
  const cases: [string, string][] = [
    [
      "<on_poweroff>preserve</on_poweroff>",
      "qemu driver doesn't support the 'preserve' action for 'on_reboot'/'on_poweroff'",
    ],
    [
      "<on_reboot>preserve</on_reboot>",
      "qemu driver doesn't support the 'preserve' action for 'on_reboot'/'on_poweroff'",
    ],
    [
      "<on_crash>rename-restart</on_crash>",
      "qemu driver doesn't support the 'rename-restart' action for 'on_reboot'/'on_poweroff'/'on_crash'",
    ],
    [
      "<on_poweroff>restart</on_poweroff><on_reboot>destroy</on_reboot>",
      "qemu driver doesn't support 'onReboot' set to 'destroy and 'onPoweroff' set to 'reboot'",
    ],
  ];
  for (const [extra, message] of cases) {
    assert.equal(
      await error(s.conn.domainDefineXMLFlags!(other(extra), 0)),
      `67/10 unsupported configuration: ${message}`,
    );
  }
  // on_crash preserve is accepted (libvirt 9.0 too).
  await s.conn.domainDefineXMLFlags!(other("<on_crash>preserve</on_crash>"), 0);
  await s.conn.connectClose();
});

Deno.test("<panic> gives QEMU a pvpanic device only for the isa model (the x86 default)", async () => {
  const pvpanic = (argv: string[]) =>
    argv.filter((a, i) => argv[i - 1] === "-device" && /^pvpanic/.test(a));
  const isa = await start(
    "",
    {},
    "<panic model='isa'><address type='isa' iobase='0x505'/></panic>",
  );
  assert.deepEqual(pvpanic(isa.launcher.launches[0]), ["pvpanic,ioport=1285"]);
  await isa.conn.connectClose();

  const plain = await start("", {}, "<panic/>");
  assert.deepEqual(pvpanic(plain.launcher.launches[0]), ["pvpanic"]);
  assert.match(await plain.conn.domainGetXMLDesc!(plain.dom, 0), /<panic model='isa'/);

  // hyperv is a CPU feature edgevirt does not give QEMU: the start is refused, not faked.
  const hyperv = xml("", "<panic model='hyperv'/>").replace("p1", "p2").replace("0a01<", "0a02<");
  assert.equal(
    await error(plain.conn.domainCreateXML!(hyperv, 0)),
    "67/10 unsupported configuration: The 'pvpanic' device is not supported by this QEMU binary",
  );
  assert.equal(plain.launcher.launches.length, 1);
  await plain.conn.connectClose();
});

// QEMU pauses a panicked guest (its STOP comes right behind GUEST_PANICKED), so SUSPENDED/PAUSED
// precedes CRASHED/PANICKED, as libvirt's monitor thread handles the STOP before its worker
// thread gets to the panic. coredump-* first dump the guest's memory; this fake QEMU has no
// dump-guest-memory, so the dump fails and the guest stays crashed, as libvirt leaves it
// (state_dump_test.ts has the dumps that work).
const crashCases: [string, string[], [number, number], boolean][] = [
  [
    "",
    ["SUSPENDED/0", "CRASHED/0", "STOPPED/2"],
    [E.DOMAIN_SHUTOFF, E.DOMAIN_SHUTOFF_CRASHED],
    false,
  ],
  ["destroy", ["SUSPENDED/0", "CRASHED/0", "STOPPED/2"], [
    E.DOMAIN_SHUTOFF,
    E.DOMAIN_SHUTOFF_CRASHED,
  ], false],
  ["coredump-destroy", ["SUSPENDED/0", "CRASHED/0"], [
    E.DOMAIN_CRASHED,
    E.DOMAIN_CRASHED_PANICKED,
  ], true],
  ["restart", ["SUSPENDED/0", "CRASHED/0", "REBOOT", "RESUMED/0"], [
    E.DOMAIN_RUNNING,
    E.DOMAIN_RUNNING_CRASHED,
  ], true],
  ["coredump-restart", ["SUSPENDED/0", "CRASHED/0"], [
    E.DOMAIN_CRASHED,
    E.DOMAIN_CRASHED_PANICKED,
  ], true],
  ["preserve", ["SUSPENDED/0", "CRASHED/0"], [E.DOMAIN_CRASHED, E.DOMAIN_CRASHED_PANICKED], true],
];

for (const [action, events, state, alive] of crashCases) {
  Deno.test(`a guest panic with on_crash ${action || "(default)"}`, async () => {
    const extra = action ? `<on_crash>${action}</on_crash>` : "";
    const s = await start(extra, {}, "<panic model='isa'/>");
    // Persistent, so the domain outlives its QEMU and its state can be read.
    await s.conn.domainDefineXMLFlags!(xml(extra, "<panic model='isa'/>"), 0);
    await settle();
    s.events.length = 0;
    const before = commands(s.fake).length;
    // A restart is libvirt's fake reboot: reset, then resume; a coredump-* asks for the dump
    // (after the CRASHED event and the status file: waited for); the others send QEMU nothing.
    const sent = action.startsWith("coredump-")
      ? ["dump-guest-memory"]
      : alive && events.includes("REBOOT")
      ? ["system_reset", "cont"]
      : [];
    s.fake.guestPanic();
    await until(() =>
      s.events.length === events.length && commands(s.fake).length - before >= sent.length
    );
    assert.deepEqual(s.events, events);
    assert.deepEqual(await stateOf(s), state);
    assert.equal(s.fake.alive, alive);
    assert.deepEqual(commands(s.fake).slice(before), sent);
    await s.conn.connectClose();
  });
}

Deno.test("a preserved crashed guest can be resumed or destroyed", async () => {
  const s = await start("<on_crash>preserve</on_crash>", {}, "<panic model='isa'/>");
  s.fake.guestPanic();
  await until(() => s.events.length === 2);
  await s.conn.domainResume!(s.dom);
  await until(() => s.events.length === 3);
  assert.deepEqual(await stateOf(s), [E.DOMAIN_RUNNING, E.DOMAIN_RUNNING_UNPAUSED]);

  s.fake.guestPanic();
  await until(() => s.events.length === 5);
  await s.conn.domainDestroyFlags!(s.dom, 0);
  await until(() => s.events.length >= 7);
  assert.deepEqual(s.events, [
    "SUSPENDED/0",
    "CRASHED/0",
    "RESUMED/0",
    "SUSPENDED/0",
    "CRASHED/0",
    // As for any destroy: QEMU announces the SIGTERM as a host shutdown.
    "SHUTDOWN/2",
    "STOPPED/1",
  ]);
  await s.conn.connectClose();
});
