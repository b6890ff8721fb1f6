// Real macvtaps under real QEMU (TCG), as root in a network namespace the test makes and
// deletes, on veth links made there (this kernel has no dummy links): each direct NIC is a macvtapN on its parent in its mode
// with the guest's MAC, QEMU holds its /dev/tapIFINDEX open on descriptors 3 and 4 (carrier up),
// a passthrough parent carries the guest's MAC while the domain runs and its own after, a live
// attach is refused, and the destroy deletes the macvtaps. Without root or QEMU the test is
// ignored on a developer machine and fails in CI.
import assert from "node:assert/strict";
import { EMULATOR, haveQemu } from "../real_qemu.ts";
import { inNamespace, runChild } from "./netns_child.ts";
import { runHost } from "../../../host_command.ts";

const root = Deno.uid() === 0;

const run = runHost;

interface Link {
  ifname: string;
  ifindex: number;
  address?: string;
  link?: string;
  flags?: string[];
  linkinfo?: { info_kind?: string; info_data?: { mode?: string } };
}

Deno.test({
  name: "real QEMU: direct NICs are macvtaps QEMU holds open, gone after the destroy",
  ignore: (!haveQemu || !root) && !Deno.env.get("CI"),
  async fn() {
    assert.ok(haveQemu, `${EMULATOR} is required in CI`);
    assert.ok(root, "root is required in CI (macvtaps and network namespaces)");
    await inNamespace("evt-qmvt", async (ns, dir) => {
      for (const [dev, mac] of [["par0", "02:00:00:00:0a:01"], ["par1", "02:00:00:00:0a:02"]]) {
        await run(
          "ip",
          "-n",
          ns,
          "link",
          "add",
          dev,
          "address",
          mac,
          "type",
          "veth",
          "peer",
          "name",
          `${dev}p`,
        );
        await run("ip", "-n", ns, "link", "set", dev, "up");
      }
      const report = await runChild(ns, new URL("./real_macvtap_child.ts", import.meta.url), dir);
      const running = report.running as Link[];
      const byName = (n: string) => running.find((l) => l.ifname === n);
      const macvtaps = running.filter((l) => l.linkinfo?.info_kind === "macvtap");
      assert.deepEqual(
        macvtaps.map((l) => [l.ifname, l.link, l.linkinfo?.info_data?.mode, l.address]),
        [
          ["macvtap0", "par0", "bridge", "52:54:00:e3:00:01"],
          ["macvtap1", "par1", "passthru", "52:54:00:e3:00:02"],
        ],
      );
      assert.equal(byName("par1")?.address, "52:54:00:e3:00:02", "passthrough parent");
      // QEMU holds each macvtap's own device, in NIC order from descriptor 3.
      assert.deepEqual(report.held, {
        3: `/dev/tap${byName("macvtap0")!.ifindex}`,
        4: `/dev/tap${byName("macvtap1")!.ifindex}`,
      });
      for (const l of macvtaps) assert.ok(l.flags?.includes("UP"), JSON.stringify(l));
      assert.match(
        report.live,
        /<source dev='par0' mode='bridge'\/>\s*<target dev='macvtap0'\/>/,
      );
      assert.equal(
        report.attach,
        "Operation not supported: hotplug of interface type of direct is not implemented yet",
      );
      const stopped = report.stopped as Link[];
      assert.deepEqual(
        stopped.filter((l) => l.linkinfo?.info_kind === "macvtap"),
        [],
        "the destroy deleted the macvtaps",
      );
      assert.equal(
        stopped.find((l) => l.ifname === "par1")?.address,
        "02:00:00:00:0a:02",
        "the passthrough parent has its own MAC back",
      );
    });
  },
});
