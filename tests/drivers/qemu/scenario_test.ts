// The oracle's qemu-vcpus scenario (real libvirt 9.0 + QEMU 7.2, TCG) replayed through the public
// API on qemu:///session with real QEMU, line by line against the recorded output. Without QEMU
// this test is ignored on a developer machine but FAILS in CI (CI set).
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES } from "../../paths.ts";
import { scenarioLines } from "../../tools/scenario/runner.ts";
import { realQemuTest } from "./real_qemu.ts";

const SCENARIOS = join(FIXTURES, "oracle/scenarios");

realQemuTest({
  name: "qemu-vcpus scenario through connect('qemu:///session') matches libvirt 9.0",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "ev-qemu-scenario-" });
    const before = Deno.env.get("EDGEVIRT_QEMU_STATE_DIR");
    Deno.env.set("EDGEVIRT_QEMU_STATE_DIR", dir);
    try {
      const text = await Deno.readTextFile(join(SCENARIOS, "qemu-vcpus.json"));
      const got = await scenarioLines(text, { uri: "qemu:///session", settleMs: 50 });
      const want = (await Deno.readTextFile(join(SCENARIOS, "qemu-vcpus.out.jsonl")))
        .trimEnd().split("\n");
      // The header names the oracle's daemon socket; every op line must be identical.
      assert.equal(got.length, want.length);
      assert.deepEqual(got.slice(1), want.slice(1));
    } finally {
      if (before === undefined) Deno.env.delete("EDGEVIRT_QEMU_STATE_DIR");
      else Deno.env.set("EDGEVIRT_QEMU_STATE_DIR", before);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
