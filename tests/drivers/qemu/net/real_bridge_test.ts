// Real taps on a real bridge under real QEMU (TCG), as root in a network namespace the test
// makes and deletes: the bridge NIC's and the network NIC's taps are ports of the bridge with
// the guest's MAC behind 0xfe, QEMU holds them (carrier up), and the destroy removes them.
// Without root or QEMU the test is ignored on a developer machine and fails in CI.
import assert from "node:assert/strict";
import { EMULATOR, haveQemu } from "../real_qemu.ts";
import { inNamespace, runChild } from "./netns_child.ts";
import { runHost } from "../../../host_command.ts";

const root = Deno.uid() === 0;

const run = runHost;

interface Link {
  ifname: string;
  address?: string;
  master?: string;
  flags?: string[];
}

Deno.test({
  name: "real QEMU: bridge and network NICs are taps on the bridge while the domain runs",
  ignore: (!haveQemu || !root) && !Deno.env.get("CI"),
  async fn() {
    assert.ok(haveQemu, `${EMULATOR} is required in CI`);
    assert.ok(root, "root is required in CI (taps, bridges and network namespaces)");
    await inNamespace("evt-qnic", async (ns, dir) => {
      await run("ip", "-n", ns, "link", "add", "br0", "type", "bridge");
      await run("ip", "-n", ns, "link", "set", "br0", "up");
      const report = await runChild(ns, new URL("./real_bridge_child.ts", import.meta.url), dir);
      const ports = (report.running as Link[]).filter((l) => l.master === "br0");
      assert.deepEqual(
        ports.map((l) => [l.ifname, l.address]),
        [["vnet0", "fe:54:00:e1:00:01"], ["vnet1", "fe:54:00:e1:00:02"]],
      );
      // A tap has carrier only while a process holds it: QEMU opened both.
      for (const l of ports) assert.ok(l.flags?.includes("LOWER_UP"), JSON.stringify(l));
      assert.match(report.live, /<source bridge='br0'\/>\s*<target dev='vnet0'\/>/);
      assert.match(
        report.live,
        /<source network='lan' portid='[0-9a-f-]{36}' bridge='br0'\/>\s*<target dev='vnet1'\/>/,
      );
      assert.equal(report.ports, 1);
      assert.deepEqual(
        (report.stopped as Link[]).map((l) => l.ifname).filter((n) => n.startsWith("vnet")),
        [],
        "the destroy removed the taps",
      );
      assert.equal(report.portsAfter, 0);
    });
  },
});
