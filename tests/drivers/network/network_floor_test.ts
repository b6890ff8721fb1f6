/**
 * Network ports with an inbound `floor` against libvirt 9.0 over a fake host (floor_replay.ts):
 * the `tc` a recorded error names fails here with the kernel's words from the recording, every
 * other one succeeds.
 */
import type { CommandResult } from "../../../drivers/network/runner.ts";
import { withRoot } from "../secondary_helpers.ts";
import { FakeHost } from "./fake_runner.ts";
import { type FloorRecord, replayFloor } from "./floor_replay.ts";

/** The kernel's refusal of the `tc` a recorded error names. */
function failureOf(r: FloorRecord): [string, CommandResult] | undefined {
  const m = r.message?.match(/Child process \((tc .*?)\) unexpected exit status (\d+): ([^]*)$/);
  return m ? [m[1], { code: Number(m[2]), stdout: "", stderr: m[3] }] : undefined;
}

Deno.test("floor ports: libvirt 9.0's tc commands, errors, port XML and status, step by step", async (t) => {
  await withRoot(async (root) => {
    const host = new FakeHost();
    await replayFloor(t, root, {
      host,
      take: () => host.take(),
      before(_step, want) {
        host.answers.clear();
        const failure = failureOf(want);
        if (failure) host.answers.set(...failure);
      },
    });
  });
});
