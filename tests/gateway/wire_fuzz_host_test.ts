/**
 * The wire fuzzer's slice against the host's secondary drivers as the gateway serves them beside
 * `qemu:///session` (issue 14): storage, secret, network, node device and interface, each family
 * attacked with its own calls, REST resources and streams (`wire_fuzz_inputs.ts`), on the host
 * target of `wire_fuzz_host.ts` — every driver file under one state directory, pools under the
 * fuzz scratch directory, devices and interfaces read from a recorded sysfs, and the network
 * driver's bridges, dnsmasq and firewall rules inside a network namespace this test makes and
 * removes (so it runs as root, as CI does). Besides the fuzzer's invariants (no 500, no hang, no
 * dropped socket, no change by a caller who may not, no crash), nothing outside changes: the
 * host's own interfaces and firewall rules, `/`, the checkout, the host's edgevirt state.
 * EDGEVIRT_FUZZ_N (inputs per family) and EDGEVIRT_FUZZ_SEED change the slice;
 * `tests/bench/wire_fuzz.ts --uri host` is the long run.
 */
import assert from "node:assert/strict";
import { withNetns } from "../drivers/network/netns_helpers.ts";
import { withRecordedSysfs } from "../drivers/node_device/recording.ts";
import { HOST_FAMILIES, hostFuzzTarget, outsideChanges, outsideState } from "./wire_fuzz_host.ts";
import { hostXml } from "./wire_fuzz_inputs.ts";
import { assertNoFindings, fuzzSlice } from "./wire_fuzz_run.ts";

Deno.test({
  name: "wire fuzz on the host's secondary drivers: 5 × 200 seeded inputs, no 500, hang, " +
    "crash, forbidden change or change outside",
  // Streams a fuzzed download leaves half-read are the gateway's to time out, after the test.
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const n = Number(Deno.env.get("EDGEVIRT_FUZZ_N") ?? 200);
    const seed = Number(Deno.env.get("EDGEVIRT_FUZZ_SEED") ?? 14);
    const before = await outsideState();
    await withNetns((netns) =>
      withRecordedSysfs(async (sysfsRoot) => {
        for (const family of HOST_FAMILIES) {
          await t.step(family, async () => {
            const target = await hostFuzzTarget({ sysfsRoot, netns });
            try {
              const { tally, crashes } = await fuzzSlice({
                gateway: target.gateway,
                uri: "qemu:///session",
                n,
                seed,
                hostState: target.hostState,
                family,
                xml: hostXml,
              });
              console.log(
                `wire fuzz host ${family} (seed ${seed}): ${tally.inputs} inputs ` +
                  `${JSON.stringify(tally.byVia)}, answers ${JSON.stringify(tally.byStatus)}`,
              );
              assert.equal(tally.inputs, n);
              assertNoFindings(tally, crashes);
            } finally {
              await target.close();
            }
          });
        }
      })
    );
    assert.deepEqual(outsideChanges(before, await outsideState()), []);
  },
});
