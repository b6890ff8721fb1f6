// The QEMU driver's defaults (default devices, their PCI addresses, the default CPU model)
// against the inactive XML libvirt 9.0's QEMU driver printed for the same input
// (fixtures/*.expected.xml, recorded with the oracle's `canon.sh --driver qemu`).
import assert from "node:assert/strict";
import { formatDomainXML, parseDomainXML } from "../../../conf/domain/mod.ts";
import { qemuPostParse } from "../../../drivers/qemu/postparse.ts";
import { VIR } from "../../../util/constants.ts";

const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(`./fixtures/${name}`, import.meta.url));

Deno.test("i440fx with VNC: USB, PCI root, PS/2, audio, primary video, memballoon, qemu64", () => {
  const def = parseDomainXML(fixture("pc-vnc.xml"));
  qemuPostParse(def);
  assert.equal(formatDomainXML(def, VIR.DOMAIN_XML_INACTIVE), fixture("pc-vnc.expected.xml"));
});
