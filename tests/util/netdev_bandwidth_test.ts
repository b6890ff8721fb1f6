// util/netdev_bandwidth.ts against libvirt 9.0's own expectations of virNetDevBandwidthSet
// (fixtures/virnetdevbandwidth_set.json, copied from libvirt's tests/virnetdevbandwidthtest.c):
// the same tc commands, in the same order, for the same <bandwidth>.
import assert from "node:assert/strict";
import { parseBandwidth } from "../../conf/common/bandwidth.ts";
import { parse } from "../../util/xml/mod.ts";
import { bandwidthSetCommands, setBandwidth } from "../../util/netdev_bandwidth.ts";

const fixture = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/virnetdevbandwidth_set.json", import.meta.url)),
) as { cases: { bandwidth: string; tc: string[] }[] };

for (const c of fixture.cases) {
  Deno.test(`virNetDevBandwidthSet: ${c.bandwidth}`, async () => {
    const bw = parseBandwidth(parse(c.bandwidth), true);
    const ran: string[] = [];
    const tc = (args: readonly string[]) => {
      ran.push(["tc", ...args].join(" "));
      return Promise.resolve({ code: 0, stderr: "" });
    };
    // libvirt's parser gives no bandwidth at all for one without a direction.
    const given = bw.inbound || bw.outbound ? bw : undefined;
    await setBandwidth(tc, "eth0", given, { privileged: true, swapped: true });
    assert.deepEqual(ran, c.tc);
  });
}

Deno.test("a failing tc stops the set with libvirt's child-process error, its stderr kept", async () => {
  const ran: string[] = [];
  const tc = (args: readonly string[]) => {
    ran.push(args.join(" "));
    return Promise.resolve(
      args.includes("sfq")
        ? { code: 2, stderr: "Error: Specified qdisc kind is unknown.\n" }
        : { code: 0, stderr: "" },
    );
  };
  await assert.rejects(
    setBandwidth(tc, "vnet0", { inbound: { average: 8 } }, { privileged: true, swapped: true }),
    {
      message:
        "internal error: Child process (tc qdisc add dev vnet0 parent 1:1 handle 2: sfq perturb 10) unexpected exit status 2: Error: Specified qdisc kind is unknown.\n",
    },
  );
  assert.equal(ran.at(-1), "qdisc add dev vnet0 parent 1:1 handle 2: sfq perturb 10");
});

Deno.test("a hierarchical class (a network's bridge) puts 1:1 above the 1:2 default", () => {
  const cmds = bandwidthSetCommands(
    "virbr0",
    { inbound: { average: 1000, peak: 2000 } },
    true,
    true,
  )
    .map((a) => a.join(" "));
  assert.deepEqual(cmds, [
    "qdisc add dev virbr0 root handle 1: htb default 2",
    "class add dev virbr0 parent 1: classid 1:1 htb rate 1000kbps ceil 2000kbps quantum 85",
    "class add dev virbr0 parent 1:1 classid 1:2 htb rate 1000kbps ceil 2000kbps quantum 85",
    "qdisc add dev virbr0 parent 1:2 handle 2: sfq perturb 10",
    "filter add dev virbr0 parent 1:0 protocol all prio 1 handle 1 fw flowid 1",
  ]);
});
