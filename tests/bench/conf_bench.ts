// deno bench: parse + test-driver post-parse + format of every accepted domain and network
// document of the libvirt corpus, per document. libvirt's own time for the same work is measured
// by tests/bench/conf_vs_libvirt.sh in the same run (ratio printed there).
import { join } from "node:path";
import {
  formatDomainXML,
  formatNetworkXML,
  parseDomainXML,
  parseNetworkXML,
} from "../../conf/mod.ts";
import {
  testDomainGenerateIfnames,
  testDomainPostParse,
} from "../../drivers/simulator/domain_postparse.ts";
import { VIR } from "../../util/constants.ts";
import { FIXTURES } from "../paths.ts";

function accepted(kind: string): string[] {
  const dir = join(FIXTURES, "libvirt-xml", kind);
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    if (!e.name.endsWith(".expected.xml")) continue;
    out.push(Deno.readTextFileSync(join(dir, e.name.replace(/\.expected\.xml$/, ".xml"))));
  }
  return out;
}

const domains = accepted("domain");
const networks = accepted("network");

Deno.bench(`domain corpus: parse + post-parse + format (${domains.length} docs)`, () => {
  for (const xml of domains) {
    const def = parseDomainXML(xml, 0);
    testDomainPostParse(def);
    testDomainGenerateIfnames(def);
    formatDomainXML(def, VIR.DOMAIN_XML_INACTIVE);
  }
});

Deno.bench(`network corpus: parse + format (${networks.length} docs)`, () => {
  for (const xml of networks) formatNetworkXML(parseNetworkXML(xml, 0), VIR.NETWORK_XML_INACTIVE);
});
