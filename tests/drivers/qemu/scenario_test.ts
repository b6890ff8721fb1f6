// The oracle's qemu-vcpus scenario, the migration tunables and the block threshold ones
// (tests/tools/record_qemu_scenario.sh; real libvirt 9.0 + QEMU 7.2, TCG) replayed through the public
// API on the QEMU driver with real QEMU, line by line against the recorded output; the driver
// runs in this process on an embedded root (qemu:///session would go to the session daemon).
// Without QEMU this test is ignored on a developer machine but FAILS in CI (CI set).
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES } from "../../paths.ts";
import { scenarioLines } from "../../tools/scenario/runner.ts";
import { realQemuTest } from "./real_qemu.ts";

const SCENARIOS = join(FIXTURES, "oracle/scenarios");

for (const name of ["qemu-vcpus", "qemu-migration-tunables", "qemu-block-threshold"]) {
  realQemuTest({
    name: `${name} scenario through connect('qemu:///embed?root=DIR') matches libvirt 9.0`,
    async fn() {
      const dir = await Deno.makeTempDir({ prefix: "ev-qemu-scenario-" });
      try {
        // the image the recording's @DIR@ held (tests/tools/record_qemu_scenario.sh)
        const made = await new Deno.Command("qemu-img", {
          args: ["create", "-q", "-f", "qcow2", `${dir}/vda.qcow2`, "16M"],
        }).output();
        assert.ok(made.success, "qemu-img create");
        const text = (await Deno.readTextFile(join(SCENARIOS, `${name}.json`)))
          .replaceAll("@DIR@", dir);
        const got = (await scenarioLines(text, { uri: `qemu:///embed?root=${dir}`, settleMs: 50 }))
          .map((line) => line.replaceAll(dir, "@DIR@"));
        const want = (await Deno.readTextFile(join(SCENARIOS, `${name}.out.jsonl`)))
          .trimEnd().split("\n");
        // The header names the oracle's daemon socket; every op line must be identical.
        assert.equal(got.length, want.length);
        for (let i = 1; i < want.length; i++) assert.equal(got[i], want[i], `line ${i}`);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
