// The QEMU guest agent as libvirt 9.0's QEMU driver runs it (qemu_agent.c, qemu_driver.c,
// qemu_process.c): the fake QMP peer plays QEMU (query-chardev, VSERPORT_CHANGE, SHUTDOWN) and a
// fake agent listens on the channel's socket and speaks qemu-ga's JSON. Each call is checked for
// the agent commands it sends and the result in libvirt's shape.
import assert from "node:assert/strict";
import { FakeLauncher, type FakeQemu } from "../../../drivers/qemu/testing/mod.ts";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { connect } from "../../../host.ts";
import type { VirError } from "../../../util/errors.ts";
import { VIR } from "../../../util/constants.ts";
import type { DomainRef, DriverConnection } from "../../../util/driver.ts";
import { FakeAgent, type FakeAgentOptions } from "./fake_agent.ts";
import { waitFor } from "./fake_qmp/harness.ts";
import { rejectsWith } from "./rejects_with.ts";
import { withQemuConn } from "./with_conn.ts";
import { AGENT_CHANNEL, domainXml, withDomain } from "./agent_harness.ts";

const E = VIR;

Deno.test("the agent's channel: socket in the run's channel folder, state from query-chardev", async () => {
  await withDomain(AGENT_CHANNEL, async ({ dir, xml, lifecycle, qemu }) => {
    const live = await xml();
    const path = `${dir}/run/channel/target/domain-1-ga/org.qemu.guest_agent.0`;
    assert.match(live, new RegExp(`<source mode='bind' path='${path}'/>`));
    assert.match(
      live,
      /<target type='virtio' name='org.qemu.guest_agent.0' state='disconnected'\/>/,
    );
    assert.match(live, /<address type='virtio-serial' controller='0' bus='0' port='1'\/>/);
    assert.match(
      live,
      /<controller type='virtio-serial' index='0'>\s*<alias name='virtio-serial0'\/>/,
    );
    // The start reports the channel's state with reason domain-started.
    assert.deepEqual(lifecycle, [[
      E.CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_DISCONNECTED,
      E.CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_REASON_DOMAIN_STARTED,
    ]]);
    assert.ok((await Deno.stat(`${dir}/run/channel/target/domain-1-ga`)).isDirectory);
    assert.ok(qemu.commands.some((c) => c.execute === "query-chardev"));
  });
});

Deno.test("a pty virtio channel gets the pty QEMU picked, as a pty serial does", async () => {
  const pty = "<channel type='pty'><target type='virtio' name='org.example.pty'/></channel>";
  await withDomain(AGENT_CHANNEL + pty, async ({ xml }) => {
    const live = await xml();
    assert.match(live, /<channel type='pty'>\s*<source path='\/dev\/pts\/\d+'\/>/);
    assert.match(live, /name='org.example.pty' state='disconnected'\/>/);
    assert.match(live, /<address type='virtio-serial' controller='0' bus='0' port='2'\/>/);
  });
});

Deno.test("the inactive XML keeps neither the generated path nor the state", async () => {
  await withQemuConn({ launcher: new FakeLauncher() }, async (conn) => {
    const xml = domainXml("def", AGENT_CHANNEL.replace("/>", " state='connected'/>"));
    const dom = await conn.domainDefineXMLFlags!(xml, 0);
    const saved = await conn.domainGetXMLDesc!(dom, E.DOMAIN_XML_INACTIVE);
    assert.match(saved, /<target type='virtio' name='org.qemu.guest_agent.0'\/>/);
    assert.doesNotMatch(saved, /<source mode=/);
    await conn.domainUndefineFlags!(dom, 0);
  });
});

Deno.test("before the guest opens the port every agent call says 'not connected'", async () => {
  await withDomain(AGENT_CHANNEL, async ({ conn, dom }) => {
    const notConnected = "Guest agent is not responding: QEMU guest agent is not connected";
    for (
      const call of [
        () => conn.domainGetTime!(dom, 0),
        () => conn.domainFSFreeze!(dom, [], 0),
        () => conn.domainGetGuestInfo!(dom, 0, 0),
        () => conn.domainInterfaceAddresses!(dom, E.DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT, 0),
        () => conn.domainShutdownFlags!(dom, E.DOMAIN_SHUTDOWN_GUEST_AGENT),
      ]
    ) await rejectsWith(call, "VIR_ERR_AGENT_UNRESPONSIVE", notConnected);
  });
});

Deno.test("a domain without the channel: 'not configured'; the button still works", async () => {
  await withDomain("", async ({ conn, dom, qemu }) => {
    await rejectsWith(
      () => conn.domainGetHostname!(dom, 0),
      "VIR_ERR_ARGUMENT_UNSUPPORTED",
      "argument unsupported: QEMU guest agent is not configured",
    );
    await conn.domainShutdownFlags!(
      dom,
      E.DOMAIN_SHUTDOWN_GUEST_AGENT | E.DOMAIN_SHUTDOWN_ACPI_POWER_BTN,
    );
    assert.ok(qemu.commands.some((c) => c.execute === "system_powerdown"));
  });
});

Deno.test("VSERPORT_CHANGE connects the agent: state, event, then each call", async () => {
  const replies: FakeAgentOptions["replies"] = {
    "guest-get-host-name": () => ({ return: { "host-name": "guest1" } }),
    // 1.7e18 ns is beyond 2^53: the seconds and nanoseconds must come out exact.
    "guest-get-time": () => `{"return": 1700000000123456789}`,
    "guest-set-time": () => ({ return: {} }),
    "guest-fsfreeze-freeze": () => ({ return: 2 }),
    "guest-fsfreeze-freeze-list": (a) => ({ return: (a.mountpoints as string[]).length }),
    "guest-fsfreeze-thaw": () => ({ return: 2 }),
    "guest-fstrim": () => ({ return: { paths: [] } }),
    "guest-set-user-password": () => ({ return: {} }),
    "guest-get-fsinfo": () => ({
      return: [
        { name: "vda2", mountpoint: "/boot", type: "ext4", disk: [] },
        {
          name: "vda1",
          mountpoint: "/",
          type: "ext4",
          "used-bytes": 100,
          "total-bytes": 1000,
          disk: [{
            "bus-type": "virtio",
            bus: 0,
            target: 0,
            unit: 0,
            serial: "S1",
            dev: "/dev/vda1",
            "pci-controller": { domain: 0, bus: 0, slot: 3, function: 0 },
          }],
        },
      ],
    }),
    "guest-network-get-interfaces": () => ({
      return: [
        {
          name: "eth0",
          "hardware-address": "52:54:00:aa:bb:cc",
          "ip-addresses": [{ "ip-address-type": "ipv4", "ip-address": "10.0.0.5", prefix: 24 }],
        },
        {
          name: "eth0:1",
          "ip-addresses": [{ "ip-address-type": "ipv6", "ip-address": "fe80::1", prefix: 64 }],
        },
      ],
    }),
  };
  await withDomain(AGENT_CHANNEL, async ({ conn, dom, xml, lifecycle, plugAgent }) => {
    const agent = await plugAgent({ replies });
    assert.deepEqual(lifecycle.at(-1), [
      E.CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_CONNECTED,
      E.CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_REASON_CHANNEL,
    ]);
    assert.match(await xml(), /name='org.qemu.guest_agent.0' state='connected'\/>/);
    assert.equal(await conn.domainGetHostname!(dom, 0), "guest1");
    assert.deepEqual(await conn.domainGetTime!(dom, 0), {
      seconds: 1700000000,
      nseconds: 123456789,
    });
    await conn.domainSetTime!(dom, 1700000001, 5, 0);
    await conn.domainSetTime!(dom, 0, 0, E.DOMAIN_TIME_SYNC);
    assert.equal(await conn.domainFSFreeze!(dom, [], 0), 2);
    assert.equal(await conn.domainFSFreeze!(dom, ["/"], 0), 1);
    assert.equal(await conn.domainFSThaw!(dom, [], 0), 2);
    await conn.domainFSTrim!(dom, null, 4096, 0);
    await conn.domainSetUserPassword!(dom, "root", "pässword", E.DOMAIN_PASSWORD_ENCRYPTED);
    // Mount order (the agent lists the newest mount first); vda1's disk is the one at 00:03.0.
    assert.deepEqual(await conn.domainGetFSInfo!(dom, 0), [
      { mountpoint: "/", name: "vda1", fstype: "ext4", devAliases: ["vda"] },
      { mountpoint: "/boot", name: "vda2", fstype: "ext4", devAliases: [] },
    ]);
    assert.deepEqual(
      await conn.domainInterfaceAddresses!(dom, E.DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT, 0),
      [{
        name: "eth0",
        hwaddr: "52:54:00:aa:bb:cc",
        addrs: [
          { type: E.IP_ADDR_TYPE_IPV4, addr: "10.0.0.5", prefix: 24 },
          { type: E.IP_ADDR_TYPE_IPV6, addr: "fe80::1", prefix: 64 },
        ],
      }],
    );
    const args = (name: string) => agent.commands.find((c) => c.execute === name)?.arguments;
    assert.deepEqual(
      agent.commands.filter((c) => c.execute === "guest-set-time").map((c) => c.arguments),
      [{ time: 1700000001000000005 }, undefined],
    );
    assert.deepEqual(args("guest-fsfreeze-freeze-list"), { mountpoints: ["/"] });
    assert.deepEqual(args("guest-fstrim"), { minimum: 4096 });
    assert.deepEqual(args("guest-set-user-password"), {
      crypted: true,
      username: "root",
      password: btoa(String.fromCharCode(...new TextEncoder().encode("pässword"))),
    });
    // One handshake for the whole session: in sync until something goes wrong.
    assert.equal(agent.commands.filter((c) => c.execute === "guest-sync").length, 1);
  });
});

Deno.test("the exact nanoseconds of guest-set-time", async () => {
  let raw = "";
  await withDomain(AGENT_CHANNEL, async ({ conn, dom, plugAgent }) => {
    await plugAgent({
      replies: {
        "guest-set-time": (a) => {
          raw = String(a.time);
          return { return: {} };
        },
      },
    });
    await conn.domainSetTime!(dom, 1700000001, 999999999, 0);
    await rejectsWith(
      () => conn.domainSetTime!(dom, 9223372037, 0, 0),
      "VIR_ERR_INVALID_ARG",
      "invalid argument: Time '9223372037' is too big for guest agent",
    );
  });
  // JSON.parse in the fake rounds beyond 2^53: the driver sent the exact digits.
  assert.equal(raw, String(1700000001999999999));
});

Deno.test("guest info: every type by default, libvirt's parameter names", async () => {
  const replies: FakeAgentOptions["replies"] = {
    "guest-get-users": () => ({ return: [{ user: "root", "login-time": 1700000000.5 }] }),
    "guest-get-osinfo": () => ({
      return: { id: "debian", name: "Debian GNU/Linux", "kernel-release": "6.1.0" },
    }),
    "guest-get-timezone": () => ({ return: { zone: "UTC", offset: 0 } }),
    "guest-get-host-name": () => ({ return: { "host-name": "guest1" } }),
    "guest-get-disks": () => ({
      return: [{ name: "/dev/vda", partition: false, dependencies: [], alias: "root-disk" }],
    }),
  };
  await withDomain(AGENT_CHANNEL, async ({ conn, dom, plugAgent }) => {
    await plugAgent({ replies });
    // Without types, what the agent lacks (fsinfo, interfaces here) is left out.
    assert.deepEqual(await conn.domainGetGuestInfo!(dom, 0, 0), {
      "user.count": 1,
      "user.0.name": "root",
      "user.0.login-time": 1700000000500,
      "os.id": "debian",
      "os.name": "Debian GNU/Linux",
      "os.kernel-release": "6.1.0",
      "timezone.name": "UTC",
      "timezone.offset": 0,
      hostname: "guest1",
      "disk.count": 1,
      "disk.0.name": "/dev/vda",
      "disk.0.partition": false,
      "disk.0.guest_alias": "root-disk",
    });
    // Asked for, a missing command is an error.
    await rejectsWith(
      () => conn.domainGetGuestInfo!(dom, E.DOMAIN_GUEST_INFO_FILESYSTEM, 0),
      "VIR_ERR_INTERNAL_ERROR",
      "internal error: unable to execute QEMU agent command 'guest-get-fsinfo': " +
        "The command guest-get-fsinfo has not been found",
    );
    await rejectsWith(
      () => conn.domainGetGuestInfo!(dom, 0x80, 0),
      "VIR_ERR_INVALID_ARG",
      "invalid argument: unsupported guest information types '0x80'",
    );
  });
});

Deno.test("guest vCPUs through the agent: count, bitmaps, and the switches sent", async () => {
  const cpus = [
    { "logical-id": 0, online: true, "can-offline": false },
    { "logical-id": 1, online: true, "can-offline": true },
  ];
  const replies: FakeAgentOptions["replies"] = {
    "guest-get-vcpus": () => ({ return: cpus }),
    "guest-set-vcpus": (a) => {
      for (const v of a.vcpus as { "logical-id": number; online: boolean }[]) {
        cpus[v["logical-id"]].online = v.online;
      }
      return { return: (a.vcpus as unknown[]).length };
    },
  };
  await withDomain(AGENT_CHANNEL, async ({ conn, dom, plugAgent }) => {
    const agent = await plugAgent({ replies });
    const GUEST = E.DOMAIN_VCPU_GUEST;
    assert.equal(await conn.domainGetVcpusFlags!(dom, GUEST), 2);
    assert.deepEqual(await conn.domainGetGuestVcpus!(dom, 0), {
      vcpus: "0-1",
      online: "0-1",
      offlinable: "1",
    });
    await conn.domainSetVcpusFlags!(dom, 1, GUEST);
    assert.deepEqual(agent.commands.at(-1)?.arguments, {
      vcpus: [{ "logical-id": 1, online: false }],
    });
    assert.equal(await conn.domainGetVcpusFlags!(dom, GUEST), 1);
    assert.equal(await conn.domainGetVcpusFlags!(dom, GUEST | E.DOMAIN_VCPU_MAXIMUM), 2);
    await conn.domainSetGuestVcpus!(dom, "1", 1, 0);
    assert.deepEqual(agent.commands.at(-1)?.arguments, {
      vcpus: [{ "logical-id": 1, online: true }],
    });
    await rejectsWith(
      () => conn.domainSetGuestVcpus!(dom, "0", 0, 0),
      "VIR_ERR_OPERATION_UNSUPPORTED",
      "Operation not supported: vCPU '0' is not offlinable",
    );
    await rejectsWith(
      () => conn.domainSetGuestVcpus!(dom, "1-3", 1, 0),
      "VIR_ERR_INVALID_ARG",
      "invalid argument: guest is missing vCPUs '2-3'",
    );
    await rejectsWith(
      () => conn.domainSetVcpusFlags!(dom, 0, GUEST),
      "VIR_ERR_INVALID_ARG",
      "invalid argument: Cannot offline enough CPUs",
    );
    await rejectsWith(
      () => conn.domainSetVcpusFlags!(dom, 3, GUEST),
      "VIR_ERR_INVALID_ARG",
      "invalid argument: requested vcpu count is greater than the count of enabled vcpus " +
        "in the domain: 3 > 2",
    );
  });
});

Deno.test("shutdown and reboot through the agent end with QEMU's event, not a reply", async () => {
  await withDomain(AGENT_CHANNEL, async ({ conn, dom, qemu, plugAgent }) => {
    let reboots = 0;
    const agent = await plugAgent({
      replies: {
        "guest-shutdown": (a) => {
          // qemu-ga answers nothing: the guest goes down, QEMU reports it.
          if (a.mode === "reboot") {
            reboots++;
            setTimeout(() => qemu.guestReset(), 5);
          } else setTimeout(() => qemu.guestPoweroff(), 5);
          return null;
        },
      },
    });
    await conn.domainReboot!(dom, E.DOMAIN_REBOOT_GUEST_AGENT);
    assert.equal(reboots, 1);
    // With no flag and an agent there, the agent is preferred.
    await conn.domainShutdownFlags!(dom, 0);
    assert.deepEqual(
      agent.commands.filter((c) => c.execute === "guest-shutdown").map((c) => c.arguments),
      [{ mode: "reboot" }, { mode: "powerdown" }],
    );
    assert.ok(!qemu.commands.some((c) => c.execute === "system_powerdown"));
  });
});

Deno.test("agent errors, a hung agent's timeout, late replies dropped and the resync", async () => {
  let answer = true;
  await withDomain(AGENT_CHANNEL, async ({ conn, dom, plugAgent }) => {
    const agent = await plugAgent({
      // A restarted agent may still flush bytes that are no JSON: the first sync skips them.
      garbageBeforeFirstSync: new Uint8Array([0xff, 0x7b]),
      replies: {
        "guest-get-time": () =>
          answer ? { return: 5_000_000_000 } : { error: { class: "GenericError", desc: "boom" } },
        "guest-fsfreeze-thaw": () => ({ error: { class: "QgaCommandFailed" } }),
      },
    });
    assert.deepEqual(await conn.domainGetTime!(dom, 0), { seconds: 5, nseconds: 0 });
    answer = false;
    await rejectsWith(
      () => conn.domainGetTime!(dom, 0),
      "VIR_ERR_INTERNAL_ERROR",
      "internal error: unable to execute QEMU agent command 'guest-get-time': boom",
    );
    // No desc: libvirt's text for the class.
    await rejectsWith(
      () => conn.domainFSThaw!(dom, [], 0),
      "VIR_ERR_INTERNAL_ERROR",
      "internal error: unable to execute QEMU agent command 'guest-fsfreeze-thaw': " +
        "Guest agent command failed",
    );
    await rejectsWith(
      () => conn.domainAgentSetResponseTimeout!(dom, -3, 0),
      "VIR_ERR_INVALID_ARG",
      "invalid argument: guest agent timeout '-3' is less than the minimum '-2'",
    );
    // NOWAIT: the command fails at once; its reply, when it comes, belongs to no one.
    answer = true;
    await conn.domainAgentSetResponseTimeout!(dom, E.DOMAIN_AGENT_RESPONSE_TIMEOUT_NOWAIT, 0);
    await rejectsWith(
      () => conn.domainGetTime!(dom, 0),
      "VIR_ERR_AGENT_UNRESPONSIVE",
      "Guest agent is not responding: Guest agent not available for now",
    );
    await conn.domainAgentSetResponseTimeout!(dom, E.DOMAIN_AGENT_RESPONSE_TIMEOUT_BLOCK, 0);
    const syncs = agent.commands.filter((c) => c.execute === "guest-sync").length;
    assert.deepEqual(await conn.domainGetTime!(dom, 0), { seconds: 5, nseconds: 0 });
    // The timeout put the agent out of sync: the next command synchronised again.
    assert.ok(agent.commands.filter((c) => c.execute === "guest-sync").length > syncs);
  });
});

Deno.test("the guest closes the port: a waiting command ends, the agent goes, the event says so", async () => {
  await withDomain(AGENT_CHANNEL, async ({ conn, dom, qemu, lifecycle, xml, plugAgent }) => {
    const agent = await plugAgent();
    agent.silent = true;
    const waiting = conn.domainGetTime!(dom, 0).then(() => undefined, (e) => e);
    await waitFor(() => agent.executed.includes("guest-get-time"));
    qemu.guestOpenPort("channel0", false);
    const err = await waiting;
    assert.equal(
      err?.message,
      "Guest agent is not responding: Guest agent disappeared while executing command",
    );
    await waitFor(() => lifecycle.length === 3);
    assert.deepEqual(lifecycle.at(-1), [
      E.CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_DISCONNECTED,
      E.CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_REASON_CHANNEL,
    ]);
    assert.match(await xml(), /state='disconnected'/);
    await rejectsWith(
      () => conn.domainGetTime!(dom, 0),
      "VIR_ERR_AGENT_UNRESPONSIVE",
      "Guest agent is not responding: QEMU guest agent is not connected",
    );
  });
});

Deno.test("the agent's socket closes: the agent is dropped, a later call says 'not connected'", async () => {
  await withDomain(AGENT_CHANNEL, async ({ conn, dom, plugAgent }) => {
    const agent = await plugAgent({ replies: { "guest-ping": () => ({ return: {} }) } });
    agent.silent = true;
    const waiting = conn.domainGetTime!(dom, 0).then(() => undefined, (e) => e);
    await waitFor(() => agent.executed.includes("guest-get-time"));
    agent.hangUp();
    const err = await waiting;
    assert.equal(err?.message, "internal error: Error while processing agent IO");
    await rejectsWith(
      () => conn.domainGetTime!(dom, 0),
      "VIR_ERR_AGENT_UNRESPONSIVE",
      "Guest agent is not responding: QEMU guest agent is not connected",
    );
  });
});

Deno.test("a paused domain: 'domain is not running' before the agent is asked", async () => {
  await withDomain(AGENT_CHANNEL, async ({ conn, dom }) => {
    await rejectsWith(
      () => conn.domainFSFreeze!(dom, [], 0),
      "VIR_ERR_OPERATION_INVALID",
      "Requested operation is not valid: domain is not running",
    );
  }, E.DOMAIN_START_PAUSED);
});

Deno.test("destroy removes the run's channel folder", async () => {
  await withDomain(AGENT_CHANNEL, async ({ conn, dom, dir }) => {
    await conn.domainDestroyFlags!(dom, 0);
    await assert.rejects(() => Deno.stat(`${dir}/run/channel/target/domain-1-ga`));
  });
});

Deno.test("a daemon restart: the agent of an open port is connected again, its timeout kept", async () => {
  const launcher = new FakeLauncher();
  const dir = await Deno.makeTempDir({ prefix: "ev-qemu-" });
  const open = () =>
    qemuConnectDriver.open(new URL("qemu:///session"), { stateDir: dir, launcher }) as Promise<
      DriverConnection
    >;
  let agent: FakeAgent | undefined;
  try {
    let conn = await open();
    const dom = await conn.domainCreateXML!(domainXml("ga", AGENT_CHANNEL), 0);
    const path =
      (await conn.domainGetXMLDesc!(dom, 0)).match(/<source mode='bind' path='([^']+)'/)![1];
    let hostname = "before";
    agent = FakeAgent.listen(path, {
      replies: { "guest-get-host-name": () => ({ return: { "host-name": hostname } }) },
    });
    let connected = false;
    conn.subscribe!((ev) => {
      if (ev.eventId === E.DOMAIN_EVENT_ID_AGENT_LIFECYCLE) connected = true;
    });
    [...launcher.instances.values()][0].guestOpenPort("channel0", true);
    await waitFor(() => connected);
    await conn.domainAgentSetResponseTimeout!(dom, 7, 0);
    assert.equal(await conn.domainGetHostname!(dom, 0), "before");
    await conn.connectClose();
    hostname = "after";
    conn = await open();
    try {
      assert.equal(await conn.domainGetHostname!(dom, 0), "after");
      const status = JSON.parse(await Deno.readTextFile(`${dir}/run/ga.status.json`));
      assert.equal(status.agentTimeout, 7);
    } finally {
      await conn.domainDestroyFlags!(dom, 0);
      await conn.connectClose();
    }
  } finally {
    await agent?.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("virDomainQemuAgentCommand: the command as given, the whole reply as JSON", async () => {
  await withDomain(AGENT_CHANNEL, async ({ conn, dom, plugAgent }) => {
    const agent = await plugAgent({
      replies: {
        "guest-ping": () => ({ return: {} }),
        "guest-get-time": () => `{"return": 1700000000123456789}`,
      },
    });
    const run = (cmd: string, timeout = -1) => conn.domainQemuAgentCommand!(dom, cmd, timeout, 0);
    assert.deepEqual(await conn.domainGetMessages!(dom, 0), []);
    assert.equal(await run(`{"execute":"guest-ping"}`), `{"return":{}}`);
    // qemuDomainQemuAgentCommand taints the domain once (libvirt 9.0's qemuDomainObjTaint).
    assert.deepEqual(await conn.domainGetMessages!(dom, 0), [
      "tainted: custom guest agent control commands issued",
    ]);
    // Integers beyond 2^53 pass both ways exactly.
    assert.equal(await run(`{"execute":"guest-get-time"}`, -2), `{"return":1700000000123456789}`);
    await run(`{"execute":"guest-ping","arguments":{"n":1700000000123456789}}`);
    assert.deepEqual(agent.executed, ["guest-ping", "guest-get-time", "guest-ping"]);
    await rejectsWith(
      () => run(`{"execute":"guest-ping"}`, -3),
      "VIR_ERR_INVALID_ARG",
      "invalid argument: guest agent timeout '-3' is less than the minimum '-2'",
    );
    await rejectsWith(
      () => run(`{"execute":"guest-nope"}`),
      "VIR_ERR_INTERNAL_ERROR",
      "internal error: unable to execute QEMU agent command 'guest-nope': " +
        "The command guest-nope has not been found",
    );
  });
});

Deno.test("read-only connections: the agent calls refused as libvirt's public API does", async () => {
  // Recorded from libvirt 9.0 (python-libvirt, read-only and read-write test+unix:///default):
  // libvirt-qemu's call reports VIR_FROM_NONE.
  const conn = await connect("test:///default", { readonly: true });
  try {
    const dom = await conn.lookupDomainByName("test");
    await assert.rejects(() => dom.qemuAgentCommand("x", 1, 0), (e: VirError) => {
      assert.deepEqual([e.code, e.domain, e.message], [
        29,
        0,
        "operation forbidden: read only access prevents virDomainQemuAgentCommand",
      ]);
      return true;
    });
    await assert.rejects(() => dom.agentSetResponseTimeout(1, 0), (e: VirError) => {
      assert.deepEqual([e.code, e.domain, e.message], [
        29,
        20,
        "operation forbidden: read only access prevents virDomainAgentSetResponseTimeout",
      ]);
      return true;
    });
  } finally {
    await conn.close();
  }
});

Deno.test("PM suspend through the agent ends with QEMU's SUSPEND; PM wakeup brings it back", async () => {
  const launcher = new FakeLauncher();
  await withQemuConn({ launcher }, async (conn) => {
    const xml = (name: string, pm: string) =>
      domainXml(name, AGENT_CHANNEL).replace(
        "<devices>",
        `<features><acpi/></features>${pm}<devices>`,
      );
    const dom = await conn.domainCreateXML!(xml("s3", ""), 0);
    const noS3 = await conn.domainCreateXML!(
      xml("nos3", "<pm><suspend-to-mem enabled='no'/></pm>"),
      0,
    );
    const noAcpi = await conn.domainCreateXML!(domainXml("noacpi", AGENT_CHANNEL), 0);
    const [qemu, qemuNoS3, qemuNoAcpi] = [...launcher.instances.values()];
    const agents: FakeAgent[] = [];
    try {
      const plug = async (d: DomainRef, q: FakeQemu) => {
        const path =
          (await conn.domainGetXMLDesc!(d, 0)).match(/<source mode='bind' path='([^']+)'/)![1];
        const agent = FakeAgent.listen(path, {
          replies: {
            "guest-suspend-ram": () => {
              setTimeout(() => q.guestSuspend(), 5);
              return null;
            },
          },
        });
        agents.push(agent);
        let connected = false;
        const off = conn.subscribe!((ev) => {
          if (ev.eventId === E.DOMAIN_EVENT_ID_AGENT_LIFECYCLE) connected = true;
        });
        q.guestOpenPort("channel0", true);
        await waitFor(() => connected);
        off();
        return agent;
      };
      const agent = await plug(dom, qemu);
      await conn.domainPMSuspendForDuration!(dom, E.NODE_SUSPEND_TARGET_MEM, 0, 0);
      assert.deepEqual(agent.executed, ["guest-suspend-ram"]);
      assert.deepEqual(await conn.domainGetState!(dom, 0), [
        E.DOMAIN_PMSUSPENDED,
        E.DOMAIN_PMSUSPENDED_UNKNOWN,
      ]);
      await conn.domainPMWakeup!(dom, 0);
      await waitFor(() => qemu.commands.some((c) => c.execute === "system_wakeup"));
      for (let i = 0; i < 500; i++) {
        if ((await conn.domainGetState!(dom, 0))[0] === E.DOMAIN_RUNNING) break;
        await new Promise((r) => setTimeout(r, 2));
      }
      assert.equal((await conn.domainGetState!(dom, 0))[0], E.DOMAIN_RUNNING);
      await plug(noS3, qemuNoS3);
      await rejectsWith(
        () => conn.domainPMSuspendForDuration!(noS3, E.NODE_SUSPEND_TARGET_HYBRID, 0, 0),
        "VIR_ERR_INTERNAL_ERROR",
        "internal error: S3 state is disabled for this domain",
      );
      await plug(noAcpi, qemuNoAcpi);
      await rejectsWith(
        () => conn.domainPMSuspendForDuration!(noAcpi, E.NODE_SUSPEND_TARGET_MEM, 0, 0),
        "VIR_ERR_OPERATION_UNSUPPORTED",
        "Operation not supported: Domain does not have suspend support",
      );
    } finally {
      for (const d of [dom, noS3, noAcpi]) await conn.domainDestroyFlags!(d, 0);
      for (const a of agents) await a.close();
    }
  });
});
