// A filtered bridge NIC under real QEMU (TCG), as root in a network namespace the test makes and
// deletes, with the host nwfilter driver: while the domain runs, the namespace's ebtables,
// iptables and ip6tables tables are exactly those libvirt 9.0 made for the same binding
// (tests/drivers/nwfilter/fixtures/rules/clean-traffic.*, recorded by
// tests/tools/nwfilter/record_rules.sh), and after a live update of the NIC's filter those of
// the new filter (no-mac-spoofing.*); a hotplugged filtered NIC gets chains of its own; after
// the destroy no chain of either tap is left and the bindings are gone. Without root, QEMU or the firewall tools the test is ignored on a developer
// machine and fails in CI.
import assert from "node:assert/strict";
import { EMULATOR, haveQemu } from "../real_qemu.ts";
import { inNamespace, runChild } from "./netns_child.ts";
import { runHost } from "../../../host_command.ts";
import { canRunRules } from "../../nwfilter/rules_netns.ts";

const FIXTURES = new URL("../../nwfilter/fixtures/rules/", import.meta.url);

Deno.test({
  name: "real QEMU: a filtered tap carries libvirt's rules while the domain runs",
  ignore: (!haveQemu || !canRunRules) && !Deno.env.get("CI"),
  async fn() {
    assert.ok(haveQemu, `${EMULATOR} is required in CI`);
    assert.ok(canRunRules, "root, ebtables and iptables are required in CI");
    await inNamespace("evt-qnwf", async (ns, dir) => {
      await runHost("ip", "-n", ns, "link", "add", "br0", "type", "bridge");
      await runHost("ip", "-n", ns, "link", "set", "br0", "up");
      const report = await runChild(ns, new URL("./real_nwfilter_child.ts", import.meta.url), dir);
      for (const t of ["ebtables", "iptables", "ip6tables"]) {
        const libvirt = (name: string) => Deno.readTextFile(new URL(`${name}.${t}`, FIXTURES));
        assert.equal(report.running[t], await libvirt("clean-traffic"), t);
        assert.equal(report.updated[t], await libvirt("no-mac-spoofing"), `${t} after the update`);
        assert.doesNotMatch(report.stopped[t], /vnet[01]/, `${t} after the destroy`);
      }
      // The attached NIC's chains are those of the update's filter for its own MAC.
      assert.match(
        report.attached.ebtables,
        /Bridge chain: I-vnet1-mac, entries: 2, policy: RETURN\n-s 52:54:00:12:34:57 -j RETURN\n-j DROP\n/,
      );
      assert.match(report.attached.ebtables, /-i vnet1 -j libvirt-I-vnet1\n/);
      assert.deepEqual(report.bindings, [{ portdev: "vnet0", filtername: "clean-traffic" }]);
      assert.deepEqual(report.bindingsAttached, [
        { portdev: "vnet0", filtername: "no-mac-spoofing" },
        { portdev: "vnet1", filtername: "no-mac-spoofing" },
      ]);
      assert.deepEqual(report.bindingsAfter, []);
    });
  },
});
