/** conf/domain's <sysinfo>, <watchdog>, <genid> and vCPU rules against libvirt 9.0's. */
import assert from "node:assert/strict";
import { formatDomainXML, parseDomainXML } from "../../conf/mod.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";

const UUID = "c7a5fdbd-cdaf-9455-926a-d65c16db1809";
const dom = (body: string) =>
  `<domain type='test'><name>s</name><uuid>${UUID}</uuid><memory>1024</memory>${body}` +
  `<os><type>hvm</type></os></domain>`;
const out = (body: string) => formatDomainXML(parseDomainXML(dom(body)), VIR.DOMAIN_XML_INACTIVE);

function error(body: string): string {
  try {
    parseDomainXML(dom(body));
  } catch (e) {
    assert.ok(e instanceof VirError);
    return `${e.code}/${e.domain} ${e.message}`;
  }
  return "accepted";
}

Deno.test("SMBIOS sections keep libvirt's entries in its order; fw_cfg keeps name, file, value", () => {
  const xml = out(
    "<sysinfo type='smbios'><bios><entry name='date'>01/02/2003</entry>" +
      "<entry name='vendor'>v</entry><entry name='bogus'>x</entry></bios><chassis/>" +
      "<oemStrings><entry>a</entry></oemStrings></sysinfo>" +
      "<sysinfo type='fwcfg'><entry name='opt/a' file='/f//x'/><entry name='opt/b'>v</entry></sysinfo>",
  );
  const expected = [
    "  <sysinfo type='smbios'>",
    "    <bios>",
    "      <entry name='vendor'>v</entry>",
    "      <entry name='date'>01/02/2003</entry>",
    "    </bios>",
    "    <oemStrings>",
    "      <entry>a</entry>",
    "    </oemStrings>",
    "  </sysinfo>",
    "  <sysinfo type='fwcfg'>",
    "    <entry name='opt/a' file='/f/x'/>",
    "    <entry name='opt/b'>v</entry>",
    "  </sysinfo>",
  ].join("\n");
  assert.ok(xml.includes(expected), xml);
});

Deno.test("sysinfo errors are libvirt's", () => {
  assert.equal(
    error("<sysinfo type='smbios'><bios><entry name='date'>13/01/2000</entry></bios></sysinfo>"),
    "35/20 Invalid BIOS 'date' format",
  );
  assert.equal(
    error(
      "<sysinfo type='smbios'><system><entry name='uuid'>" +
        "00000000-0000-0000-0000-000000000001</entry></system></sysinfo>",
    ),
    "35/20 UUID mismatch between <uuid> and <sysinfo>",
  );
  assert.equal(
    error("<sysinfo type='fwcfg'><entry name='x'/></sysinfo>"),
    "27/20 XML error: Firmware entry must have either value or 'file' attribute",
  );
});

Deno.test("watchdog action defaults to reset; cpuset is ignored with placement='auto'", () => {
  const xml = out(
    "<vcpu placement='auto' cpuset='0-1'>2</vcpu><devices><watchdog model='ib700'/></devices>",
  );
  assert.match(xml, /<vcpu placement='auto'>2<\/vcpu>/);
  assert.match(xml, /<watchdog model='ib700' action='reset'\/>/);
  assert.equal(
    error("<devices><watchdog model='x'/></devices>"),
    "67/20 unsupported configuration: unknown watchdog model 'x'",
  );
  // iTCO came with libvirt 9.1: 9.0 answers as for any unknown model (canon.sh).
  assert.equal(
    error("<devices><watchdog model='itco'/></devices>"),
    "67/20 unsupported configuration: unknown watchdog model 'itco'",
  );
});

Deno.test("an empty <genid/> is generated; thread pool bounds are checked", () => {
  assert.match(out("<genid/>"), /<genid>[0-9a-f-]{36}<\/genid>/);
  assert.equal(
    error("<defaultiothread thread_pool_min='2'/>"),
    "67/20 unsupported configuration: thread_pool_min must be smaller or equal to thread_pool_max",
  );
});
