// <cpu> defaults as libvirt 9.0's test driver prints them (answers recorded with
// the oracle's canon.sh on the inputs below).
import assert from "node:assert/strict";
import { formatDomainXML, parseDomainXML } from "../../conf/mod.ts";
import { VIR } from "../../util/constants.ts";

function cpuOf(cpu: string): string {
  const xml = `<domain type='kvm'><name>c</name><memory>1024</memory><os><type>hvm</type></os>` +
    `${cpu}</domain>`;
  const out = formatDomainXML(parseDomainXML(xml), VIR.DOMAIN_XML_INACTIVE);
  return out.split("\n").filter((l) => /^ {2}<\/?cpu|^ {4}/.test(l) && !/<type|<boot/.test(l))
    .join("\n");
}

Deno.test("a custom CPU with a model gets match='exact' and fallback='allow'", () => {
  assert.equal(
    cpuOf("<cpu><model>qemu64</model></cpu>"),
    "  <cpu mode='custom' match='exact'>\n    <model fallback='allow'>qemu64</model>\n  </cpu>",
  );
});

Deno.test("a CPU with only a topology prints no mode, whatever the input said", () => {
  assert.equal(
    cpuOf("<cpu mode='custom'><topology sockets='2' cores='1' threads='1'/></cpu>"),
    "  <cpu>\n    <topology sockets='2' dies='1' cores='1' threads='1'/>\n  </cpu>",
  );
});

Deno.test("host-model keeps its mode without match; features default to policy='require'", () => {
  assert.equal(
    cpuOf("<cpu mode='host-model'><model>qemu64</model></cpu>"),
    "  <cpu mode='host-model'>\n    <model fallback='allow'>qemu64</model>\n  </cpu>",
  );
  assert.equal(
    cpuOf(
      "<cpu match='minimum'><model fallback='forbid'>qemu64</model><feature name='sse'/></cpu>",
    ),
    "  <cpu mode='custom' match='minimum'>\n    <model fallback='forbid'>qemu64</model>\n" +
      "    <feature policy='require' name='sse'/>\n  </cpu>",
  );
});
