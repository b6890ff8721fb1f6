// Virtio RNGs and watchdogs plugged into and out of a running domain on a fake QMP peer: the QMP
// libvirt 9.0's qemuDomainAttachRNGDevice, qemuDomainRemoveRNGDevice and qemuDomainAttachWatchdog
// send, in their order, the next rng<N> alias, the rollback of a failed plug, and libvirt's
// errors for a device the domain lacks or cannot take.
import assert from "node:assert/strict";
import { FakeLauncher, type FakeQemu, type FakeReply } from "../../../drivers/qemu/testing/mod.ts";
import { VIR } from "../../../util/constants.ts";
import type { VirError } from "../../../util/errors.ts";
import { withQemuConn } from "./with_conn.ts";

const XML = "<domain type='qemu'><name>rng</name><memory unit='MiB'>64</memory>" +
  "<os><type arch='x86_64'>hvm</type></os><devices><rng model='virtio'>" +
  "<backend model='random'>/dev/urandom</backend></rng></devices></domain>";

/** A fake QEMU that takes RNG objects and devices; `failDevice` refuses the next device_add. */
function rngLauncher(state: { failDevice?: boolean }) {
  const calls: [string, Record<string, unknown>][] = [];
  const handled = new Set([
    "object-add",
    "object-del",
    "device_add",
    "device_del",
    "chardev-add",
    "set-action",
  ]);
  const launcher = new FakeLauncher({
    onCommand: (execute, args, qemu: FakeQemu): FakeReply | undefined => {
      if (!handled.has(execute) && execute !== "chardev-remove") return undefined;
      calls.push([execute, args]);
      if (execute === "device_add" && state.failDevice) {
        state.failDevice = false;
        return { error: { class: "GenericError", desc: "no slot" } };
      }
      if (execute === "device_del") {
        // The guest lets go at once.
        setTimeout(() => qemu.emit("DEVICE_DELETED", { device: args.id }), 1);
      }
      return { return: {} };
    },
  });
  return { launcher, calls };
}

Deno.test("RNG hotplug: backend object, device at the next slot, unplug, rollback", async () => {
  const state: { failDevice?: boolean } = {};
  const { launcher, calls } = rngLauncher(state);
  await withQemuConn({ launcher, unplugTimeoutMs: 2000 }, async (conn) => {
    const dom = await conn.domainCreateXML!(XML, 0);
    calls.length = 0;
    const egd = "<rng model='virtio'><rate bytes='2048'/><backend model='egd' type='unix'>" +
      "<source mode='connect' path='/run/egd.sock'/></backend></rng>";
    await conn.domainAttachDeviceFlags!(dom, egd, VIR.DOMAIN_AFFECT_LIVE);
    assert.deepEqual(calls, [
      ["chardev-add", {
        id: "charrng1",
        backend: {
          type: "socket",
          data: { addr: { type: "unix", data: { path: "/run/egd.sock" } }, server: false },
        },
      }],
      ["object-add", { "qom-type": "rng-egd", id: "objrng1", chardev: "charrng1" }],
      ["device_add", {
        driver: "virtio-rng-pci",
        rng: "objrng1",
        id: "rng1",
        "max-bytes": 2048,
        period: 1000,
        bus: "pci.0",
        addr: "0x4",
      }],
    ]);
    const live = await conn.domainGetXMLDesc!(dom, 0);
    assert.match(
      live,
      /<alias name='rng1'\/>\s*<address type='pci' domain='0x0000' bus='0x00' slot='0x04'/,
    );

    // A failed device_add takes the object and the chardev back, newest first.
    calls.length = 0;
    state.failDevice = true;
    const builtin = "<rng model='virtio'><backend model='builtin'/></rng>";
    const e = await conn.domainAttachDeviceFlags!(dom, builtin, VIR.DOMAIN_AFFECT_LIVE).then(
      () => undefined,
      (err: VirError) => err,
    );
    assert.match(String(e?.message), /no slot/);
    assert.deepEqual(calls.map(([c]) => c), ["object-add", "device_add", "object-del"]);
    assert.doesNotMatch(await conn.domainGetXMLDesc!(dom, 0), /rng-builtin|model='builtin'/);

    // Out again: device_del, then the object and the daemon's chardev once QEMU let go.
    calls.length = 0;
    await conn.domainDetachDeviceFlags!(dom, egd, VIR.DOMAIN_AFFECT_LIVE);
    assert.deepEqual(calls, [
      ["device_del", { id: "rng1" }],
      ["object-del", { id: "objrng1" }],
      ["chardev-remove", { id: "charrng1" }],
    ]);
    assert.doesNotMatch(await conn.domainGetXMLDesc!(dom, 0), /rng1/);
    const missing = await conn.domainDetachDeviceFlags!(dom, builtin, VIR.DOMAIN_AFFECT_LIVE)
      .then(() => undefined, (err: VirError) => err);
    assert.deepEqual([missing?.code, missing?.message], [
      VIR.ERR_DEVICE_MISSING,
      "device not found: no matching RNG device was found",
    ]);
    await conn.domainDestroyFlags!(dom, 0);
  });
});

Deno.test("watchdog hotplug: an i6300esb and its action; unplugged only when named exactly", async () => {
  const { launcher, calls } = rngLauncher({});
  await withQemuConn({ launcher, unplugTimeoutMs: 2000 }, async (conn) => {
    const dom = await conn.domainCreateXML!(XML, 0);
    const failure = async (p: Promise<unknown>) => {
      const e = await p.then(() => undefined, (err: VirError) => err);
      return [e?.code, e?.message];
    };
    calls.length = 0;
    const live = VIR.DOMAIN_AFFECT_LIVE;
    assert.deepEqual(
      await failure(conn.domainAttachDeviceFlags!(dom, "<watchdog model='ib700'/>", live)),
      [
        VIR.ERR_OPERATION_UNSUPPORTED,
        "Operation not supported: hotplug of watchdog of model ib700 is not supported",
      ],
    );
    const watchdog = "<watchdog model='i6300esb' action='dump'/>";
    await conn.domainAttachDeviceFlags!(dom, watchdog, live);
    // QEMU has no dump action: it pauses, and the driver dumps.
    assert.deepEqual(calls, [
      ["set-action", { watchdog: "pause" }],
      ["device_add", { driver: "i6300esb", id: "watchdog0", bus: "pci.0", addr: "0x4" }],
    ]);
    assert.deepEqual(await failure(conn.domainAttachDeviceFlags!(dom, watchdog, live)), [
      VIR.ERR_OPERATION_INVALID,
      "Requested operation is not valid: domain already has a watchdog",
    ]);
    // libvirt compares the address too: one left out names another watchdog.
    assert.deepEqual(await failure(conn.domainDetachDeviceFlags!(dom, watchdog, live)), [
      VIR.ERR_DEVICE_MISSING,
      "device not found: model 'i6300esb' watchdog device not present in domain configuration",
    ]);
    const address = (await conn.domainGetXMLDesc!(dom, 0)).match(
      /<watchdog model='i6300esb' action='dump'>\s*<alias name='watchdog0'\/>\s*(<address [^>]*\/>)/,
    )![1];
    calls.length = 0;
    await conn.domainDetachDeviceFlags!(
      dom,
      `<watchdog model='i6300esb' action='dump'>${address}</watchdog>`,
      live,
    );
    assert.deepEqual(calls, [["device_del", { id: "watchdog0" }]]);
    assert.doesNotMatch(await conn.domainGetXMLDesc!(dom, 0), /<watchdog/);
    assert.deepEqual(await failure(conn.domainDetachDeviceFlags!(dom, watchdog, live)), [
      VIR.ERR_DEVICE_MISSING,
      "device not found: watchdog device not present in domain configuration",
    ]);
    await conn.domainDestroyFlags!(dom, 0);
  });
});
