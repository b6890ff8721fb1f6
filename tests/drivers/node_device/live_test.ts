/**
 * The node-device and interface drivers on this machine's live sysfs, inside a network
 * namespace made here exactly as tests/tools/record_nodedev.sh made the one libvirt 9.0 was
 * recorded in (lo, a veth pair, one end in a bridge): the namespace's net devices and
 * interfaces must give libvirt's XML byte for byte; on the recording machine every device
 * too, and evsh's `nodedev-list --tree` virsh's; elsewhere every PCI device of /sys must be
 * listed with XML that parses. Hot-plug: a veth pair added and removed gives CREATED and
 * DELETED events. Needs root and iproute2 (CI has both); the namespace is always deleted.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT } from "../../paths.ts";
import { VIR } from "../../../util/constants.ts";
import { parse } from "../../../util/xml/mod.ts";
import { RECORDED } from "./recording.ts";

const NS = `evt-nd-${Deno.pid}`;
const EVSH = join(REPO_ROOT, "tools/evsh/main.ts");

async function run(cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return text;
}
const inNs = (...args: string[]) => run("ip", ["netns", "exec", NS, ...args]);

/** The namespace of the recording: same names, MACs, MTU, bridge port and addresses. */
async function withNamespace(body: () => Promise<void>): Promise<void> {
  assert.equal(Deno.uid(), 0, "this test needs root (network namespaces)");
  await run("ip", ["netns", "add", NS]);
  try {
    for (
      const cmd of [
        "link set lo up",
        "link add evr0 address 52:54:00:0e:00:01 type veth peer name evr1 address 52:54:00:0e:00:02",
        "link add evrbr0 address 52:54:00:0e:00:10 type bridge",
        "link set evr1 master evrbr0",
        "link set evr0 mtu 1400",
        "link set evr0 up",
        "link set evr1 up",
        "link set evrbr0 up",
      ]
    ) await inNs("ip", ...cmd.split(" "));
    // A bridge comes up asynchronously after its port; the recording saw both up.
    for (let i = 0; i < 100; i++) {
      const state = await inNs("cat", "/sys/class/net/evrbr0/operstate");
      if (state.trim() === "up") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await body();
  } finally {
    await run("ip", ["netns", "del", NS]);
  }
}

/** Whether this is the machine the recording was made on: the same PCI devices. */
function sameMachine(): boolean {
  const here = [...Deno.readDirSync("/sys/bus/pci/devices")]
    .map((e) => `pci_${e.name.replace(/[:.]/g, "_")}`).sort();
  return JSON.stringify(here) === JSON.stringify(RECORDED.nodedev.caps.pci);
}

Deno.test("live sysfs in a namespace: libvirt's devices, interfaces and events", async () => {
  await withNamespace(async () => {
    const probe = join(REPO_ROOT, "tests/drivers/node_device/live_probe.ts");
    const got = JSON.parse(await inNs(Deno.execPath(), "run", "-A", probe));
    const recorded = RECORDED.nodedev.devices;
    for (const name of RECORDED.nodedev.caps.net) {
      assert.equal(got.devices[name]?.xml, recorded[name].xml, name);
    }
    assert.deepEqual(got.ifaces, RECORDED.iface.xml);
    const evr2 = "net_evr2_52_54_00_0e_00_21";
    assert.deepEqual(got.events.filter((e: string) => e.startsWith("net_evr2_")), [
      `${evr2} ${VIR.NODE_DEVICE_EVENT_CREATED}`,
      `${evr2} ${VIR.NODE_DEVICE_EVENT_DELETED}`,
    ]);
    if (sameMachine()) {
      assert.deepEqual(Object.keys(got.devices).sort(), Object.keys(recorded).sort());
      for (const [name, want] of Object.entries(recorded)) {
        assert.deepEqual(got.devices[name], { xml: want.xml, parent: want.parent }, name);
      }
    } else {
      for (const e of Deno.readDirSync("/sys/bus/pci/devices")) {
        const name = `pci_${e.name.replace(/[:.]/g, "_")}`;
        assert.equal(parse(got.devices[name].xml).name, "device", name);
      }
    }
  });
});

Deno.test("evsh through qemu:///embed: nodedev-list --tree and iface-list --all as virsh", async () => {
  await withNamespace(async () => {
    const root = await Deno.makeTempDir({ prefix: "evt-nd-embed-" });
    try {
      const evsh = (cmds: string) =>
        inNs(Deno.execPath(), "run", "-A", EVSH, "-c", `qemu:///embed?root=${root}`, cmds);
      const out = await evsh("iface-list --all; nodedev-list --cap net");
      const net = RECORDED.nodedev.caps.net.join("\n");
      assert.equal(out, `${RECORDED.iface.list_all}${net}\n\n`);
      if (sameMachine()) {
        assert.equal(await evsh("nodedev-list --tree"), RECORDED.nodedev.tree);
      }
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  });
});
