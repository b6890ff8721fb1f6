// The dnsmasq files of every network of libvirt 9.0's networkxml2conftest, compared byte for
// byte with the files libvirt's test expects (copied into tests/fixtures/libvirt/).
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES } from "../../paths.ts";
import { parseNetworkXML, readDnsmasqNamespace } from "../../../conf/network/mod.ts";
import { dnsmasqContents, escapeName } from "../../../drivers/network/dnsmasq_conf.ts";

const DIR = join(FIXTURES, "libvirt/networkxml2confdata");

const names = [...Deno.readDirSync(DIR)].map((e) => e.name).filter((n) => n.endsWith(".xml"))
  .map((n) => n.slice(0, -4)).sort();

Deno.test("the corpus is there", () => assert.ok(names.length >= 26, String(names.length)));

for (const name of names) {
  Deno.test(`dnsmasq conf of ${name} is libvirt's`, () => {
    // As the network driver parses it: with its dnsmasq namespace (dnsmasq-options).
    const def = parseNetworkXML(
      Deno.readTextFileSync(join(DIR, `${name}.xml`)),
      0,
      readDnsmasqNamespace,
    );
    const base = `/var/lib/libvirt/dnsmasq/${escapeName(def.name)}`;
    const got = dnsmasqContents(def, {
      hostsFile: `${base}.hostsfile`,
      addnHostsFile: `${base}.addnhosts`,
    });
    assert.equal(got.conf, Deno.readTextFileSync(join(DIR, `${name}.conf`)));
    let hosts = "";
    try {
      hosts = Deno.readTextFileSync(join(DIR, `${name}.hostsfile`));
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    assert.equal(got.hosts, hosts);
  });
}
