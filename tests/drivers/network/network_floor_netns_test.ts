/**
 * The floor recording (floor_replay.ts) replayed with real `tc` on real bridges, in a network
 * namespace the test makes and removes (netns_helpers.ts): besides libvirt's commands, errors,
 * port XML and status, the classes and filters the kernel holds after each step
 * (`tc class show`, `tc filter show` of the bridge) must be those it held under libvirt.
 *
 * This kernel has no sfq qdisc and no fw classifier, so a network with inbound QoS cannot
 * start here, for libvirt as for this driver (network_bandwidth_netns_test.ts). The recording's
 * `tc` stood pfifo in for sfq (except where a step wants the kernel's refusal, which then fails
 * the port's plug with libvirt's error and its cleanup) and took the fw filter as done; the
 * runner here does the same between the driver and the real `tc`.
 */
import assert from "node:assert/strict";
import { hostRunner } from "../../../drivers/network/runner.ts";
import { withRoot } from "../secondary_helpers.ts";
import { bridgeOf, replayFloor } from "./floor_replay.ts";
import { inNs, withNetns } from "./netns_helpers.ts";

/** What `tc … show dev BRIDGE` prints, empty when the bridge is gone (as the recorder saw). */
const show = (ns: string, what: string, bridge: string) =>
  inNs(ns, "tc", what, "show", "dev", bridge).catch(() => "");

Deno.test({
  name: "real tc: floor ports plug, update and unplug their classes as under libvirt 9.0",
  ignore: Deno.uid() !== 0 && !Deno.env.get("CI"),
  async fn(t) {
    await withNetns(async (ns) => {
      const real = hostRunner(ns);
      const ran: string[] = [];
      let realSfq = false;
      const host = {
        run(argv: readonly string[], env?: Record<string, string>) {
          ran.push(argv.join(" "));
          if (argv[0] !== "tc") return real.run(argv, env);
          if (argv.join(" ").includes(" fw flowid ")) {
            return Promise.resolve({ code: 0, stdout: "", stderr: "" });
          }
          const i = argv.indexOf("sfq");
          const args = i < 0 || realSfq
            ? argv
            : [...argv.slice(0, i), "pfifo", ...argv.slice(i + 3)];
          return real.run(args, env);
        },
        kill: real.kill.bind(real),
      };
      await withRoot(async (root) => {
        await replayFloor(t, root, {
          host,
          take: () => ran.splice(0),
          before(step) {
            realSfq = step.realSfq ?? false;
          },
          async after(step, want) {
            const bridge = await bridgeOf(step.network);
            assert.equal(await show(ns, "class", bridge), want.class);
            assert.equal(await show(ns, "filter", bridge), want.filter);
          },
        });
      });
      // Every network was destroyed: no bridge is left in the namespace.
      const links = JSON.parse(await inNs(ns, "ip", "-j", "link", "show")) as { ifname: string }[];
      assert.deepEqual(links.map((l) => l.ifname), ["lo"]);
    });
  },
});
