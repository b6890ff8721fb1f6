// Real ethernet NICs under real QEMU (TCG), as root in a network namespace the test makes and
// deletes: the NIC's own tap vnet0 exists with the host-side MAC (the guest's with 0xfe first),
// its <mtu>, up, its address and route, its <script> run with its name; QEMU holds it and the
// unmanaged tapx (made here beforehand, left as it was), and the unmanaged macvtap mvx's device
// open; a live attach gives QEMU another tap; after the destroy the driver's taps are gone and
// tapx and mvx are still there. Without root or QEMU
// the test is ignored on a developer machine and fails in CI.
import assert from "node:assert/strict";
import { EMULATOR, haveQemu } from "../real_qemu.ts";
import { inNamespace, runChild } from "./netns_child.ts";
import { runHost } from "../../../host_command.ts";

const root = Deno.uid() === 0;

const run = runHost;

interface Link {
  ifname: string;
  address?: string;
  mtu?: number;
  flags?: string[];
  addr_info?: { family: string; local: string; prefixlen: number; broadcast?: string }[];
}

Deno.test({
  name: "real QEMU: ethernet NICs get their own taps with the host MAC, MTU, address and route",
  ignore: (!haveQemu || !root) && !Deno.env.get("CI"),
  async fn() {
    assert.ok(haveQemu, `${EMULATOR} is required in CI`);
    assert.ok(root, "root is required in CI (taps and network namespaces)");
    await inNamespace("evt-qeth", async (ns, dir) => {
      // QEMU runs as root here, and the script's marker is written by the daemon's child.
      await Deno.chmod(dir, 0o755);
      await run("ip", "-n", ns, "tuntap", "add", "dev", "tapx", "mode", "tap");
      // An unmanaged macvtap on a veth (this kernel has no dummy links).
      await run("ip", "-n", ns, "link", "add", "par0", "type", "veth", "peer", "name", "par0p");
      await run("ip", "-n", ns, "link", "set", "par0", "up");
      await run("ip", "-n", ns, "link", "add", "link", "par0", "name", "mvx", "type", "macvtap");
      const mvxIndex = JSON.parse(await run("ip", "-n", ns, "-j", "link", "show", "mvx"))[0]
        .ifindex;
      const report = await runChild(ns, new URL("./real_ethernet_child.ts", import.meta.url), dir);
      const running = report.running as Link[];
      const vnet0 = running.find((l) => l.ifname === "vnet0");
      assert.ok(vnet0, JSON.stringify(running.map((l) => l.ifname)));
      assert.equal(vnet0.address, "fe:54:00:e4:00:01");
      assert.equal(vnet0.mtu, 1400);
      assert.ok(vnet0.flags?.includes("UP"), JSON.stringify(vnet0.flags));
      assert.deepEqual(
        vnet0.addr_info?.filter((a) => a.family === "inet").map((
          a,
        ) => [a.local, a.prefixlen, a.broadcast]),
        [["10.44.0.1", 24, "10.44.0.255"]],
      );
      const routes = report.routes as { dst: string; gateway?: string; dev: string }[];
      assert.ok(
        routes.some((r) =>
          r.dst === "10.45.0.0/16" && r.gateway === "10.44.0.2" && r.dev === "vnet0"
        ),
        JSON.stringify(routes),
      );
      assert.equal(report.script, "vnet0\n", "the script ran with the tap's name");
      // The unmanaged tap is as it was made: libvirt neither gives it a MAC nor sets it up.
      const tapx = running.find((l) => l.ifname === "tapx");
      assert.ok(tapx && !tapx.flags?.includes("UP"), JSON.stringify(tapx));
      assert.deepEqual(report.held, ["tapx", "vnet0"]);
      assert.deepEqual(report.heldDevices, [`/dev/tap${mvxIndex}`]);
      assert.deepEqual(report.attached, ["tapx", "vnet0", "vnet1"]);
      assert.match(report.live, /<target dev='vnet0'\/>/);
      assert.match(report.live, /<target dev='tapx' managed='no'\/>/);
      assert.match(
        report.liveAfterAttach,
        /<mac address='52:54:00:e4:00:03'\/>\s*<target dev='vnet1'\/>/,
      );
      const left = (report.stopped as Link[]).map((l) => l.ifname);
      assert.ok(!left.includes("vnet0") && !left.includes("vnet1"), JSON.stringify(left));
      assert.ok(left.includes("tapx") && left.includes("mvx"), "the unmanaged taps stay");
    });
  },
});
