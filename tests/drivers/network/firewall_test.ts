// The iptables rules of every network of libvirt 9.0's networkxml2firewalltest, compared with
// the commands libvirt's test expects (copied into tests/fixtures/libvirt/), and the private
// chain setup with base.args.
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES } from "../../paths.ts";
import { parseNetworkXML } from "../../../conf/network/mod.ts";
import {
  addFirewallRules,
  chainSetupRules,
  removeFirewallRules,
} from "../../../drivers/network/firewall.ts";

const DIR = join(FIXTURES, "libvirt/networkxml2firewalldata");

/** The commands of a `.args` file (one argument a line, `\` continued, shell-quoted). */
function commands(text: string): string[][] {
  return text.replace(/ \\\n/g, " ").trimEnd().split("\n").map((line) =>
    line.split(" ").filter(Boolean).map((a) => a.replace(/^'(.*)'$/, "$1"))
  );
}

const names = [...Deno.readDirSync(DIR)].map((e) => e.name).filter((n) => n.endsWith(".xml"))
  .map((n) => n.slice(0, -4)).sort();

Deno.test("the corpus is there", () => assert.equal(names.length, 7));

for (const name of names) {
  Deno.test(`firewall rules of ${name} are libvirt's`, () => {
    const def = parseNetworkXML(Deno.readTextFileSync(join(DIR, `${name}.xml`)));
    const plan = addFirewallRules(def);
    const want = commands(Deno.readTextFileSync(join(DIR, `${name}-linux.args`)));
    assert.deepEqual([...plan.rules, ...plan.optional], want);
  });

  Deno.test(`removing the rules of ${name} deletes each added rule once`, () => {
    const def = parseNetworkXML(Deno.readTextFileSync(join(DIR, `${name}.xml`)));
    const plan = addFirewallRules(def);
    const added = [...plan.rules, ...plan.optional].map((r) => r.join(" "));
    const removed = removeFirewallRules(def).map((r) =>
      r.join(" ").replace("--delete", "--insert")
    );
    assert.deepEqual([...removed].sort(), [...added].sort());
    assert.deepEqual(
      plan.rollback.map((r) => r.join(" ")),
      removed.slice(plan.optional.length)
        .map((r) => r.replace("--insert", "--delete")),
    );
  });
}

Deno.test("the private chains of an empty table are created and hooked as libvirt's base.args", () => {
  const want = commands(Deno.readTextFileSync(join(DIR, "base.args")))
    .filter((c) => !c.includes("--list-rules"));
  const empty = { filter: "", nat: "", mangle: "" };
  assert.deepEqual(
    [...chainSetupRules("iptables", empty), ...chainSetupRules("ip6tables", empty)],
    want,
  );
});

Deno.test("chains already there and hooked are left alone", () => {
  const filter = [
    "-P INPUT ACCEPT",
    "-N LIBVIRT_INP",
    "-N LIBVIRT_OUT",
    "-N LIBVIRT_FWO",
    "-N LIBVIRT_FWI",
    "-N LIBVIRT_FWX",
    "-A INPUT -j LIBVIRT_INP",
    "-A OUTPUT -j LIBVIRT_OUT",
    "-A FORWARD -j LIBVIRT_FWX",
    "-A FORWARD -j LIBVIRT_FWI",
    "-A FORWARD -j LIBVIRT_FWO",
  ].join("\n");
  const prt = "-N LIBVIRT_PRT\n-A POSTROUTING -j LIBVIRT_PRT";
  assert.deepEqual(chainSetupRules("iptables", { filter, nat: prt, mangle: "" }), [
    ["iptables", "-w", "--table", "mangle", "--new-chain", "LIBVIRT_PRT"],
    ["iptables", "-w", "--table", "mangle", "--insert", "POSTROUTING", "--jump", "LIBVIRT_PRT"],
  ]);
});
