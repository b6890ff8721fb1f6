// nodedev-detach/-reattach/-reset through the QEMU driver as libvirt 9.0 serves them
// (qemu_driver.c → domain_driver.c → virhostdev.c), with the host's node-device driver reading a
// fake sysfs tree built by the test (tests/util/fake_pci_sysfs.ts) and `/dev/vfio/vfio` under the
// same temp dir: the client's calls, evsh's commands with virsh's output, libvirt's refusals in
// its order (flags, driver name, VFIO support, lookup, not a PCI device) changing nothing.
import assert from "node:assert/strict";
import { connect } from "../../../mod.ts";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { FakeLauncher, FakeTapHost } from "../../../drivers/qemu/testing/mod.ts";
import { nodeDeviceDriver } from "../../../drivers/node_device/mod.ts";
import { createRegistry } from "../../../util/registry.ts";
import type { VirError } from "../../../util/errors.ts";
import { Shell } from "../../../tools/evsh/mod.ts";
import { type FakePci, FakePciTree } from "../../util/fake_pci_sysfs.ts";

const NIC = "0000:03:00.0";
const DEVICES: FakePci[] = [
  { name: "0000:00:1c.0", driver: "pcieport", bridgeBus: 3, iommuGroup: 7 },
  { name: NIC, parent: "0000:00:1c.0", driver: "e1000e", flr: true, iommuGroup: 7 },
];
const DRIVERS = ["pcieport", "e1000e", "vfio-pci"];

/** A qemu:///embed connection over `tree`, with the node-device driver reading it. */
function open(tree: FakePciTree, launcher = new FakeLauncher()) {
  return connect(`qemu:///embed?root=${tree.root}/root`, {
    embed: createRegistry([qemuConnectDriver], [nodeDeviceDriver]),
    launcher,
    taps: new FakeTapHost([]),
    log: () => {},
    sysfsRoot: tree.sys,
    udevDataDir: `${tree.root}/udev`,
    devRoot: tree.dev,
  });
}

/** A connection and an evsh shell over a fake tree of `devices`. */
async function world(devices = DEVICES) {
  const tree = await FakePciTree.create(devices, DRIVERS);
  const conn = await open(tree);
  let out = "";
  let err = "";
  const shell = new Shell(conn, {
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    readFile: (p) => Deno.readTextFile(p),
  }, { uri: "qemu:///embed" });
  const evsh = async (line: string) => {
    out = err = "";
    const ok = await shell.runLine(line);
    return { out, err, ok };
  };
  return {
    tree,
    conn,
    evsh,
    async [Symbol.asyncDispose]() {
      await conn.close();
      await tree[Symbol.asyncDispose]();
    },
  };
}

const fail = async (p: Promise<unknown>) => (await p.then(() => undefined, (e) => e)) as VirError;
const triple = (e: VirError) => [e.codeName, e.domainName, e.message];

/** Nothing of the tree was written to. */
function untouched(tree: FakePciTree): void {
  assert.equal(tree.deviceFile(NIC, "driver_override"), "(null)\n");
  assert.equal(tree.read("bus/pci/drivers_probe"), "");
  assert.equal(tree.driverOf(NIC), "e1000e");
}

Deno.test("evsh nodedev-detach, -reattach and -reset go through the QEMU driver with virsh's output, and the host driver gets the device back", async () => {
  await using w = await world();
  assert.deepEqual(await w.evsh("nodedev-detach pci_0000_03_00_0"), {
    out: "Device pci_0000_03_00_0 detached\n\n",
    err: "",
    ok: true,
  });
  assert.equal(w.tree.deviceFile(NIC, "driver_override"), "vfio-pci");
  assert.equal(w.tree.read("bus/pci/drivers/e1000e/unbind"), NIC);
  w.tree.probe();
  assert.equal(w.tree.driverOf(NIC), "vfio-pci");
  // The node-device driver reports the new binding, as libvirt's udev backend does.
  const xml = await (await w.conn.lookupNodeDeviceByName("pci_0000_03_00_0")).getXMLDesc();
  assert.match(xml, /<driver>\s*<name>vfio-pci<\/name>/);
  const state = `${w.tree.root}/root/run/qemu/hostdevmgr/pci_inactive.json`;
  assert.deepEqual(JSON.parse(await Deno.readTextFile(state)), [NIC]);

  assert.deepEqual(await w.evsh("nodedev-reset pci_0000_03_00_0"), {
    out: "Device pci_0000_03_00_0 reset\n\n",
    err: "",
    ok: true,
  });
  assert.deepEqual(await w.evsh("nodedev-reattach pci_0000_03_00_0"), {
    out: "Device pci_0000_03_00_0 re-attached\n\n",
    err: "",
    ok: true,
  });
  assert.equal(w.tree.deviceFile(NIC, "driver_override"), "\n");
  w.tree.probe();
  assert.equal(w.tree.driverOf(NIC), "e1000e");
  assert.deepEqual(JSON.parse(await Deno.readTextFile(state)), []);

  // --driver vfio takes virNodeDeviceDetachFlags.
  assert.equal((await w.evsh("nodedev-detach pci_0000_03_00_0 --driver vfio")).ok, true);
  assert.equal(w.tree.deviceFile(NIC, "driver_override"), "vfio-pci");
});

Deno.test("detach refuses in qemuNodeDeviceDetachFlags's order: flags, driver name, 'kvm', VFIO support; nothing is written", async () => {
  await using w = await world();
  const dev = await w.conn.lookupNodeDeviceByName("pci_0000_03_00_0");
  assert.deepEqual(triple(await fail(dev.detachFlags("xen", 1))), [
    "VIR_ERR_INVALID_ARG",
    "VIR_FROM_QEMU",
    "unsupported flags (0x1) in function qemuNodeDeviceDetachFlags",
  ]);
  assert.deepEqual(triple(await fail(dev.detachFlags("xen", 0))), [
    "VIR_ERR_INVALID_ARG",
    "VIR_FROM_QEMU",
    "invalid argument: unknown driver name 'xen'",
  ]);
  assert.deepEqual(triple(await fail(dev.detachFlags("kvm", 0))), [
    "VIR_ERR_ARGUMENT_UNSUPPORTED",
    "VIR_FROM_QEMU",
    "argument unsupported: KVM device assignment is no longer supported on this system",
  ]);
  // No /dev/vfio/vfio (the vfio module is not loaded).
  await Deno.remove(`${w.tree.dev}/vfio/vfio`);
  const noVfio = [
    "VIR_ERR_ARGUMENT_UNSUPPORTED",
    "VIR_FROM_QEMU",
    "argument unsupported: VFIO device assignment is currently not supported on this system",
  ];
  assert.deepEqual(triple(await fail(dev.dettach())), noVfio);
  const shown = await w.evsh("nodedev-detach pci_0000_03_00_0");
  assert.deepEqual(shown, {
    out: "\n",
    err: `error: Failed to detach device pci_0000_03_00_0\nerror: ${noVfio[2]}\n`,
    ok: false,
  });
  untouched(w.tree);
});

Deno.test("without an IOMMU detach is VFIO's refusal, but reattach and reset still reach the device", async () => {
  await using w = await world(DEVICES.map(({ iommuGroup: _, ...d }) => d));
  const dev = await w.conn.lookupNodeDeviceByName("pci_0000_03_00_0");
  assert.equal(
    (await fail(dev.dettach())).message,
    "argument unsupported: VFIO device assignment is currently not supported on this system",
  );
  untouched(w.tree);
  await dev.reset(); // FLR: left to KVM, nothing to write
  untouched(w.tree);
  await dev.reAttach();
  assert.equal(w.tree.deviceFile(NIC, "driver_override"), "\n");
});

Deno.test("a device that is not PCI, or not there, is refused with libvirt's errors", async () => {
  await using w = await world();
  const computer = await w.conn.lookupNodeDeviceByName("computer");
  const notPci = [
    "VIR_ERR_INVALID_ARG",
    "VIR_FROM_DOMAIN",
    "invalid argument: device computer is not a PCI device",
  ];
  assert.deepEqual(triple(await fail(computer.dettach())), notPci);
  assert.deepEqual(triple(await fail(computer.reAttach())), notPci);
  assert.deepEqual(triple(await fail(computer.reset())), notPci);
  assert.deepEqual(await w.evsh("nodedev-reset computer"), {
    out: "\n",
    err: `error: Failed to reset device computer\nerror: ${notPci[2]}\n`,
    ok: false,
  });
  assert.deepEqual(await w.evsh("nodedev-reattach nosuch"), {
    out: "\n",
    err: "error: Could not find matching device 'nosuch'\n" +
      "error: Node device not found: no node device with matching name 'nosuch'\n",
    ok: false,
  });
  untouched(w.tree);
});

Deno.test("a PCI device of a running domain is in use by driver QEMU: detach and reattach are refused, reset too", async () => {
  await using tree = await FakePciTree.create(DEVICES, DRIVERS);
  const launcher = new FakeLauncher();
  let conn = await open(tree, launcher);
  const dom = await conn.defineXML(
    `<domain type='qemu'><name>web</name><memory unit='MiB'>128</memory>
<os><type arch='x86_64' machine='q35'>hvm</type></os>
<devices><memballoon model='none'/></devices></domain>`,
  );
  await dom.create();
  await conn.close();
  // This QEMU driver refuses to start a domain with a <hostdev>: the domain gets one in the live
  // XML its restarted driver reconnects to, as a domain assigned the NIC elsewhere would have.
  const status = `${tree.root}/root/run/qemu/web.status.json`;
  const st = JSON.parse(await Deno.readTextFile(status));
  st.liveXml = st.liveXml.replace(
    "</devices>",
    "<hostdev mode='subsys' type='pci' managed='yes'><source>" +
      "<address domain='0x0000' bus='0x03' slot='0x00' function='0x0'/></source></hostdev></devices>",
  );
  await Deno.writeTextFile(status, JSON.stringify(st));
  conn = await open(tree, launcher);
  try {
    assert.equal(await (await conn.lookupDomainByName("web")).isActive(), true);
    const nic = await conn.lookupNodeDeviceByName("pci_0000_03_00_0");
    const inUse = [
      "VIR_ERR_OPERATION_INVALID",
      "VIR_FROM_NONE",
      `Requested operation is not valid: PCI device ${NIC} is in use by driver QEMU, domain web`,
    ];
    assert.deepEqual(triple(await fail(nic.dettach())), inUse);
    assert.deepEqual(triple(await fail(nic.reAttach())), inUse);
    assert.equal(
      (await fail(nic.reset())).message,
      `internal error: Not resetting active device ${NIC}`,
    );
    untouched(tree);
    // Once the domain is gone the device is free again.
    await (await conn.lookupDomainByName("web")).destroy();
    await nic.dettach();
    assert.equal(tree.deviceFile(NIC, "driver_override"), "vfio-pci");
  } finally {
    await conn.close();
  }
});
