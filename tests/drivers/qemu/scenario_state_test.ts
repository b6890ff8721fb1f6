// The qemu-state scenario recorded on libvirt 9.0's QEMU driver (private session libvirtd,
// QEMU 7.2 under TCG: disk hotplug live and config, balloon and memory limits, block resize,
// save/restore, managed save, job info) replayed through the public API on edgevirt's QEMU
// driver with real QEMU, every line compared with libvirt's (results, errors, events, states).
// The images live in a directory of the test's own, written @DIR@ in the recording.
// Without QEMU this test is ignored on a developer machine but FAILS in CI (CI set).
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES } from "../../paths.ts";
import { scenarioLines } from "../../tools/scenario/runner.ts";
import { realQemuTest } from "./real_qemu.ts";

const SCENARIOS = join(FIXTURES, "oracle/scenarios");

realQemuTest({
  name: "qemu-state scenario through connect('qemu:///embed?root=DIR') matches libvirt 9.0",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "ev-qemu-state-" });
    try {
      for (const image of ["vda", "sdb"]) {
        const made = await new Deno.Command("qemu-img", {
          args: ["create", "-q", "-f", "qcow2", `${dir}/${image}.qcow2`, "16M"],
        }).output();
        assert.ok(made.success, `qemu-img create ${image}`);
      }
      const text = (await Deno.readTextFile(join(SCENARIOS, "qemu-state.json")))
        .replaceAll("@DIR@", dir);
      const got = (await scenarioLines(text, { uri: `qemu:///embed?root=${dir}`, settleMs: 50 }))
        .map((line) => line.replaceAll(dir, "@DIR@"));
      const want = (await Deno.readTextFile(join(SCENARIOS, "qemu-state.out.jsonl")))
        .trimEnd().split("\n");
      // The header names the oracle's daemon socket; every op line must be identical.
      assert.equal(got.length, want.length);
      for (let i = 1; i < want.length; i++) assert.equal(got[i], want[i], `line ${i}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
