/**
 * A network's `<bandwidth>` with real `tc`, in a network namespace the test makes and removes
 * (netns_helpers.ts), against libvirt 9.0's start of the same networks
 * (fixtures/bandwidth_cases/, recorded by `tests/tools/record_network_libvirt.sh --bandwidth`
 * into fixtures/libvirt_bandwidth/: the `tc` commands from libvirtd's debug log and virsh's
 * error). The driver's `tc` commands are libvirt's, in order; where the kernel lacks what they
 * need (this machine's has no sfq qdisc and no police action, as when libvirt was recorded),
 * the start fails with libvirt's words and leaves the bridge unshaped; where it has them, the
 * start gets as far as libvirt's did and on, and the stop clears the bridge.
 */
import assert from "node:assert/strict";
import { networkDriver } from "../../../drivers/network/mod.ts";
import { hostRunner } from "../../../drivers/network/runner.ts";
import { withRoot } from "../secondary_helpers.ts";
import { inNs, withNetns } from "./netns_helpers.ts";

const fixtures = new URL("./fixtures/", import.meta.url);
const read = (path: string) => Deno.readTextFile(new URL(path, fixtures));
const lines = (text: string) => text.split("\n").filter((l) => l);

for (const name of ["bridged-qos", "isolated-qos"]) {
  Deno.test({
    name: `real tc: network '${name}' shapes its bridge with libvirt 9.0's commands`,
    ignore: Deno.uid() !== 0 && !Deno.env.get("CI"),
    async fn() {
      const xml = await read(`bandwidth_cases/${name}.xml`);
      const bridge = xml.match(/<bridge name='([^']+)'/)![1];
      const theirTc = lines(await read(`libvirt_bandwidth/${name}.tc`));
      // virsh's "error: Failed to start network N" line, then "error: " and the message (tc's
      // stderr with its newline), then virsh's own newline.
      const theirError = await read(`libvirt_bandwidth/${name}.error`).then(
        (t) => t.replace(/^error: .*\nerror: /, "").replace(/\n$/, ""),
        () => undefined,
      );
      await withNetns(async (ns) => {
        // The host bridge a forward mode='bridge' network names, as in the recording.
        await inNs(ns, "ip", "link", "add", "evrbr0", "type", "bridge");
        const real = hostRunner(ns);
        const ourTc: string[] = [];
        const runner = {
          run(argv: readonly string[], env?: Record<string, string>) {
            if (argv[0] === "tc") ourTc.push(argv.join(" "));
            return real.run(argv, env);
          },
          kill: real.kill.bind(real),
        };
        await withRoot(async (root) => {
          const conn = await networkDriver.open(new URL(`qemu:///embed?root=${root}`), {
            networkRunner: runner,
          });
          try {
            const net = await conn.networkDefineXMLFlags!(xml, 0);
            const failed = await conn.networkCreate!(net).then(() => undefined, (e) => e as Error);
            if (failed) {
              assert.equal(failed.message, theirError);
              assert.deepEqual(ourTc, theirTc);
              assert.equal(await conn.networkIsActive!(net), false);
            } else {
              // This kernel shapes: libvirt's commands up to its failure are ours too.
              const upTo = theirError
                ? theirTc.findIndex((c) => theirError.includes(`(${c})`))
                : -1;
              assert.deepEqual(ourTc.slice(0, upTo + 1), theirTc.slice(0, upTo + 1));
              await conn.networkDestroy!(net);
            }
            // A virtual network's bridge is gone; a host bridge stays, unshaped.
            const links = JSON.parse(await inNs(ns, "ip", "-j", "link", "show")) as {
              ifname: string;
            }[];
            const left = links.some((l) => l.ifname === bridge);
            assert.equal(left, bridge === "evrbr0");
            if (left) {
              assert.equal(await inNs(ns, "tc", "class", "show", "dev", bridge), "");
              assert.doesNotMatch(
                await inNs(ns, "tc", "qdisc", "show", "dev", bridge),
                /htb|ingress/,
              );
            }
            await conn.networkUndefine!(net);
          } finally {
            await conn.connectClose();
          }
        });
      });
    },
  });
}
