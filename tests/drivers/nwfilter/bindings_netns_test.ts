/**
 * The nwfilter driver with its rule backend, on a tap in a network namespace of the test's own:
 * a binding created through the driver leaves libvirt 9.0's recorded tables
 * (fixtures/rules/, tests/tools/nwfilter/record_rules.sh), a filter redefined while bound
 * rebuilds the binding into libvirt's tables for the new filter, undefining it then is refused
 * with libvirt's recorded error, a new driver state puts its bindings back on their devices, and
 * a deleted binding leaves no chain of the tap.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { withRoot } from "../secondary_helpers.ts";
import { nwfilterDriver } from "../../../drivers/nwfilter/mod.ts";
import { allTeardown } from "../../../drivers/nwfilter/tech/ebiptables.ts";
import type { SecondaryConnection } from "../../../util/contract/compose.ts";
import { canRunRules, dumpTables, nsHost, withTapNamespace } from "./rules_netns.ts";

const DIR = new URL("./fixtures/rules/", import.meta.url).pathname;
const read = (name: string) => Deno.readTextFileSync(join(DIR, name));
const TABLES = ["ebtables", "iptables", "ip6tables"] as const;

async function assertTables(ns: string, name: string) {
  const tables = await dumpTables(ns);
  for (const t of TABLES) assert.equal(tables[t], read(`${name}.${t}`), `${name}: ${t}`);
}

async function assertNoRules(ns: string) {
  const tables = await dumpTables(ns);
  for (const t of TABLES) assert.doesNotMatch(tables[t], /vnet0/, t);
}

Deno.test({
  name: "nwfilter bindings instantiate, rebuild, refuse an undefine in use and tear down",
  ignore: !canRunRules && !Deno.env.get("CI"),
  async fn() {
    assert.ok(canRunRules, "root, ebtables and iptables are required in CI");
    await withTapNamespace((ns) =>
      withRoot(async (root) => {
        const uri = new URL(`qemu:///embed?root=${root}`);
        const options = { nwfilterHost: nsHost(ns) };
        let conn: SecondaryConnection = await nwfilterDriver.open(uri, options);
        try {
          const clean = await conn.nwfilterBindingCreateXML!(read("clean-traffic.binding.xml"), 0);
          await assertTables(ns, "clean-traffic");
          await conn.nwfilterBindingDelete!(clean);
          await assertNoRules(ns);

          await conn.nwfilterDefineXMLFlags!(read("filters/gen-redef.xml"), 0);
          const ref = await conn.nwfilterBindingCreateXML!(read("redefine.binding.xml"), 0);
          const filter = await conn.nwfilterDefineXMLFlags!(
            read("redefine/redefine/gen-redef.xml"),
            0,
          );
          await assertTables(ns, "redefine");
          const e = await conn.nwfilterUndefine!(filter).then(() => undefined, (e) => e);
          assert.equal(e?.message, read("redefine.undefine-error").trim());
          await assertTables(ns, "redefine");

          // A new driver state (a restarted daemon) puts the binding back on its device.
          await conn.connectClose();
          await allTeardown("vnet0").apply(options.nwfilterHost.run);
          await assertNoRules(ns);
          conn = await nwfilterDriver.open(uri, options);
          await assertTables(ns, "redefine");
          await conn.nwfilterBindingDelete!(ref);
          await assertNoRules(ns);
          await conn.nwfilterUndefine!(filter);
        } finally {
          await conn.connectClose();
        }
      })
    );
  },
});
