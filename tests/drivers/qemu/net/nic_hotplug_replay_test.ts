// NIC hotplug against libvirt 9.0's own answers: fixtures/nic_hotplug.json was run step by
// step on a root libvirtd with real QEMU (no guest OS) by fixtures/record_nic_hotplug.py
// (through record_nic_argv.sh), with the bridge br0 and the NAT network 'lan' on virbr7; here
// the same steps run on a fake QEMU whose guest never finishes an unplug (as no OS does), a
// fake network driver and fake taps. Each step's error (code, domain, message) or, after it,
// every <interface> of the live and the persistent XML must be libvirt's; MACs libvirt
// generated and port UUIDs are masked in both.
import assert from "node:assert/strict";
import { FakeNics } from "../../../../drivers/qemu/testing/mod.ts";
import { VIR } from "../../../../util/constants.ts";
import type { VirError } from "../../../../util/errors.ts";
import { world } from "./nic_world.ts";

const fixtures = new URL("../fixtures/", import.meta.url);
const spec: {
  domain: string;
  steps: { name: string; op: "attach" | "detach" | "update"; xml: string; flags: string[] }[];
} = JSON.parse(await Deno.readTextFile(new URL("nic_hotplug.json", fixtures)));
const expected: Record<string, unknown>[] = JSON.parse(
  await Deno.readTextFile(new URL("nic_hotplug.expected.json", fixtures)),
);

/** The MACs the steps name: any other is one the parser generated. */
const named = new Set(JSON.stringify(spec).match(/52:54:00(?::[0-9a-f]{2}){3}/g));

function mask(text: string): string {
  return text.replace(/portid='[0-9a-f-]+'/g, "portid='PORTID'")
    .replace(/52:54:00(?::[0-9a-f]{2}){3}/g, (m) => named.has(m) ? m : "MAC");
}

const interfaces = (xml: string) =>
  [...xml.matchAll(/<interface .*?<\/interface>/gs)].map((m) => mask(m[0]));

Deno.test("NIC attach, detach and update answer as libvirt 9.0's, step by step", async () => {
  const nics = new FakeNics({ unplug: "hold" });
  await using w = await world({
    lan: { uuid: "1a2b3c4d-0000-4000-8000-000000000007", active: true, bridge: "virbr7" },
  }, { nics, bridges: ["virbr7", "br0"] });
  const dom = await w.conn.domainDefineXMLFlags!(spec.domain, 0);
  await w.conn.domainCreateWithFlags!(dom, 0);
  nics.bind([...w.launcher.instances.values()].at(-1)!);
  const calls = {
    attach: w.conn.domainAttachDeviceFlags!,
    detach: w.conn.domainDetachDeviceFlags!,
    update: w.conn.domainUpdateDeviceFlags!,
  };
  const ours = [];
  for (const step of spec.steps) {
    const flags = step.flags.reduce(
      (f, name) => f | (name === "live" ? VIR.DOMAIN_AFFECT_LIVE : VIR.DOMAIN_AFFECT_CONFIG),
      0,
    );
    const e = await calls[step.op].call(w.conn, dom, step.xml, flags).then(
      () => undefined,
      (e) => e as VirError,
    );
    ours.push(
      e ? { name: step.name, code: e.code, domain: e.domain, message: mask(e.message) } : {
        name: step.name,
        live: interfaces(await w.conn.domainGetXMLDesc!(dom, 0)),
        config: interfaces(await w.conn.domainGetXMLDesc!(dom, VIR.DOMAIN_XML_INACTIVE)),
      },
    );
  }
  assert.equal(ours.length, 25);
  for (const [i, step] of ours.entries()) assert.deepEqual(step, expected[i], step.name);
});
