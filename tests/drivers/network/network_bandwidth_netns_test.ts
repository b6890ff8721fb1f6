/**
 * A network's `<bandwidth>` with real `tc`, in a network namespace the test makes and removes
 * (netns_helpers.ts): a `forward mode='bridge'` network on a bridge made there gets libvirt's
 * hierarchical HTB classes (1:1 and its default 1:2) on the bridge, cleared at stop. Where the
 * kernel lacks the sfq qdisc (this machine's), the start fails at it as libvirt 9.0's own start
 * did (its recorded words for the same command on a tap) and leaves the bridge unshaped.
 */
import assert from "node:assert/strict";
import { hostRunner } from "../../../drivers/network/runner.ts";
import { inNs, withDriverIn, withNetns } from "./netns_helpers.ts";

const QOS = `<network><name>evtqos</name><forward mode='bridge'/><bridge name='br0'/>
<bandwidth><inbound average='1000' peak='2000' burst='64'/></bandwidth></network>`;

/** Whether the kernel of `ns` has sfq (tried on a bridge made and removed there). */
async function haveSfq(ns: string): Promise<boolean> {
  const tc = (...a: string[]) => hostRunner(ns).run(["tc", ...a]);
  await inNs(ns, "ip", "link", "add", "probe0", "type", "bridge");
  try {
    await tc("qdisc", "add", "dev", "probe0", "root", "handle", "1:", "htb");
    return (await tc("qdisc", "add", "dev", "probe0", "parent", "1:", "handle", "2:", "sfq"))
      .code === 0;
  } finally {
    await inNs(ns, "ip", "link", "del", "probe0");
  }
}

const recorded = JSON.parse(
  await Deno.readTextFile(
    new URL("../qemu/fixtures/nic_bandwidth.expected.json", import.meta.url),
  ),
) as { name: string; message?: string }[];

Deno.test({
  name: "real tc: a network's bandwidth is its bridge's HTB hierarchy, cleared at stop",
  ignore: Deno.uid() !== 0 && !Deno.env.get("CI"),
  async fn() {
    await withNetns(async (ns) => {
      await inNs(ns, "ip", "link", "add", "br0", "type", "bridge");
      await inNs(ns, "ip", "link", "set", "br0", "up");
      const sfq = await haveSfq(ns);
      await withDriverIn(ns, async (conn) => {
        const net = await conn.networkDefineXMLFlags!(QOS, 0);
        const started = await conn.networkCreate!(net).then(() => undefined, (e) => e as Error);
        const classes = await inNs(ns, "tc", "class", "show", "dev", "br0");
        if (sfq) {
          assert.equal(started, undefined);
          // 1000 KiB/s is tc's 8Mbit, the 2000 KiB/s peak 16Mbit.
          assert.match(classes, /class htb 1:1 root rate 8Mbit ceil 16Mbit/);
          assert.match(classes, /class htb 1:2 parent 1:1 leaf 2: .*rate 8Mbit ceil 16Mbit/);
          await conn.networkDestroy!(net);
        } else {
          // libvirt's words for the same sfq command on a tap, the device name aside.
          const theirs = recorded.find((s) => s.name === "start with bandwidth")!.message!;
          assert.equal(
            started?.message,
            theirs.replace(/dev vnet\d+ parent 1:1/, "dev br0 parent 1:2"),
          );
          assert.equal(await conn.networkIsActive!(net), false);
        }
        assert.equal(await inNs(ns, "tc", "class", "show", "dev", "br0"), "");
        assert.doesNotMatch(await inNs(ns, "tc", "qdisc", "show", "dev", "br0"), /htb/);
        await conn.networkUndefine!(net);
      });
    });
  },
});
