// util/deadlines.ts: many equal deadlines on one timer expire in order, exactly once, never
// when cancelled, and keep nothing alive once nothing is pending.
import assert from "node:assert/strict";
import { waitFor } from "../wait.ts";
import { Deadlines } from "../../util/deadlines.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The tests wait for the expiries they check (waitFor): a loaded machine runs timers late, never
// early, so a fixed sleep would test the machine's load rather than the queue.

Deno.test("deadlines expire in order after their length; cancelled ones never", async () => {
  const deadlines = new Deadlines(20);
  const fired: number[] = [];
  const t0 = performance.now();
  const at: number[] = [];
  const ds = [0, 1, 2, 3].map((i) =>
    deadlines.add(() => {
      fired.push(i);
      at.push(performance.now() - t0);
    })
  );
  deadlines.cancel(ds[0]);
  deadlines.cancel(ds[2]);
  await waitFor(() => fired.length >= 2);
  await sleep(30);
  assert.deepEqual(fired, [1, 3]);
  for (const ms of at) assert.ok(ms >= 19, `expired after ${ms} ms`);
  // Cancelling after expiry is harmless.
  deadlines.cancel(ds[1]);
  assert.deepEqual(fired, [1, 3]);
});

Deno.test("a deadline added after the head was cancelled still expires on time", async () => {
  const deadlines = new Deadlines(30);
  const first = deadlines.add(() => assert.fail("cancelled"));
  await sleep(15);
  deadlines.cancel(first);
  let fired = 0;
  const t0 = performance.now();
  deadlines.add(() => fired = performance.now() - t0);
  // When it fired says both: not before its own length (a loaded machine may only be late).
  await waitFor(() => fired > 0);
  assert.ok(fired >= 29, `expired after ${fired} ms, before its own length`);
});

Deno.test("thousands of answered calls leave the queue compacted; live ones still expire", async () => {
  const deadlines = new Deadlines(40);
  let fired = 0;
  const stuck = deadlines.add(() => fired++);
  for (let i = 0; i < 5000; i++) deadlines.cancel(deadlines.add(() => assert.fail("answered")));
  const late = deadlines.add(() => fired++);
  await waitFor(() => fired >= 2);
  assert.equal(fired, 2);
  deadlines.cancel(stuck);
  deadlines.cancel(late);
});

Deno.test("an expiry may add and cancel deadlines", async () => {
  const deadlines = new Deadlines(10);
  const order: string[] = [];
  const other = deadlines.add(() => order.push("other"));
  deadlines.add(() => {
    order.push("second");
    deadlines.add(() => order.push("added"));
  });
  deadlines.cancel(other);
  deadlines.add(() => order.push("third"));
  await waitFor(() => order.length >= 3);
  await sleep(30);
  assert.deepEqual(order, ["second", "third", "added"]);
});

Deno.test("a deadline added after the let-go timer ran out still expires", async () => {
  const deadlines = new Deadlines(20);
  deadlines.cancel(deadlines.add(() => assert.fail("answered")));
  await sleep(60); // the timer, let go, runs out with nothing to do
  let fired = 0;
  const t0 = performance.now();
  deadlines.add(() => fired = performance.now() - t0);
  await waitFor(() => fired > 0);
  assert.ok(fired >= 19, `expired after ${fired} ms`);
});

Deno.test("a pending deadline keeps the process alive, an answered one does not", async () => {
  const module = new URL("../../util/deadlines.ts", import.meta.url).href;
  const run = async (code: string) => {
    const t0 = performance.now();
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", `import { Deadlines } from "${module}"; ${code}`],
      stdout: "piped",
    }).output();
    return { ms: performance.now() - t0, out: new TextDecoder().decode(out.stdout).trim() };
  };
  const answered = await run("const d = new Deadlines(20_000); d.cancel(d.add(() => {}));");
  assert.ok(answered.ms < 10_000, `exited after ${answered.ms} ms`);
  const pending = await run("new Deadlines(300).add(() => console.log('expired'));");
  assert.equal(pending.out, "expired");
});
