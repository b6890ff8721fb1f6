/**
 * The ebiptables backend against libvirt 9.0's own tables: for each binding recorded by
 * tests/tools/nwfilter/record_rules.sh (fixtures/rules/: the binding, and libvirt's
 * `ebtables -t nat -L --Lmac2`, `iptables-save` and `ip6tables-save`, or its error), edgevirt's
 * backend instantiates the binding on a tap in a fresh network namespace and must leave the same
 * three tables, or refuse with libvirt's error; for the generated filters, its teardown then
 * leaves no chain of the tap. A case recorded after redefining filters
 * (fixtures/rules/redefine/NAME/) uses their new text.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseNWFilterBindingXML, parseNWFilterXML } from "../../../conf/nwfilter/mod.ts";
import type { NWFilterDef } from "../../../conf/nwfilter/mod.ts";
import { BUILTIN_FILTERS } from "../../../drivers/nwfilter/builtin_filters.ts";
import { bindingRules } from "../../../drivers/nwfilter/tech/instantiate.ts";
import {
  allTeardown,
  applyNewRules,
  tearOldRules,
} from "../../../drivers/nwfilter/tech/ebiptables.ts";
import { VirError } from "../../../util/errors.ts";
import { canRunRules, dumpTables, nsRunner, withTapNamespace } from "./rules_netns.ts";

const DIR = new URL("./fixtures/rules/", import.meta.url).pathname;
const filters = new Map<string, NWFilterDef>();
for (const xml of Object.values(BUILTIN_FILTERS)) {
  const def = parseNWFilterXML(xml);
  filters.set(def.name, def);
}
for (const e of Deno.readDirSync(join(DIR, "filters"))) {
  const def = parseNWFilterXML(Deno.readTextFileSync(join(DIR, "filters", e.name)));
  filters.set(def.name, def);
}
const cases = [...Deno.readDirSync(DIR)].filter((e) => e.name.endsWith(".binding.xml"))
  .map((e) => e.name.replace(/\.binding\.xml$/, "")).sort();
/** The files of a folder, none when it does not exist. */
const filesIn = (dir: string) => {
  try {
    return [...Deno.readDirSync(dir)].map((e) => join(dir, e.name));
  } catch {
    return [];
  }
};
const read = (name: string) => {
  try {
    return Deno.readTextFileSync(join(DIR, name));
  } catch {
    return undefined;
  }
};

Deno.test("the recorded cases cover the builtin filters and every rule protocol", () => {
  assert.ok(cases.length >= 25, String(cases.length));
  const protocols = new Set<string>();
  for (const def of filters.values()) {
    for (const e of def.entries) if ("rule" in e && e.rule.protocol) protocols.add(e.rule.protocol);
  }
  for (
    const p of ["mac", "vlan", "stp", "arp", "rarp", "ip", "ipv6", "tcp", "udp", "icmp", "all"]
  ) {
    assert.ok(protocols.has(p), p);
  }
});

for (const name of cases) {
  Deno.test({
    name: `ebiptables: ${name} makes libvirt 9.0's tables`,
    ignore: !canRunRules && !Deno.env.get("CI"),
    async fn() {
      assert.ok(canRunRules, "root, ebtables and iptables are required in CI");
      const binding = parseNWFilterBindingXML(read(`${name}.binding.xml`)!);
      // A case recorded after redefining filters is replayed with their new definitions.
      const redefined = new Map(filters);
      for (const file of filesIn(join(DIR, "redefine", name))) {
        const def = parseNWFilterXML(Deno.readTextFileSync(file));
        redefined.set(def.name, def);
      }
      const error = read(`${name}.error`);
      if (error !== undefined) {
        // libvirt refuses while it resolves the variables or builds the commands: before any
        // command runs.
        assert.throws(
          () => applyNewRules("vnet0", bindingRules(binding, (n) => redefined.get(n))),
          (e) => e instanceof VirError && e.message === error.trim(),
        );
        return;
      }
      await withTapNamespace(async (ns) => {
        const run = nsRunner(ns);
        const rules = bindingRules(binding, (n) => redefined.get(n));
        await applyNewRules("vnet0", rules).apply(run);
        await tearOldRules("vnet0").apply(run);
        const tables = await dumpTables(ns);
        for (const t of ["ebtables", "iptables", "ip6tables"] as const) {
          assert.equal(tables[t], read(`${name}.${t}`), `${name}: ${t}`);
        }
        // The teardown is the same for every case: the generated filters' cases, which have
        // sub-chains, iptables and ip6tables rules between them, check it (each command costs
        // ~20 ms).
        if (!name.startsWith("gen-")) return;
        await allTeardown("vnet0").apply(run);
        const after = await dumpTables(ns);
        for (const t of ["ebtables", "iptables", "ip6tables"] as const) {
          assert.doesNotMatch(after[t], /vnet0/, `${name}: ${t} after the teardown`);
        }
      });
    },
  });
}
