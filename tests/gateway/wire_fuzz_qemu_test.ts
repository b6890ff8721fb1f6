/**
 * The wire fuzzer's slice against `qemu:///session` (issue 14): the same seeded hostile inputs
 * as `wire_fuzz_test.ts`, sent to an in-process gateway serving the QEMU driver, whose QEMUs
 * are the fake QMP peers of `drivers/qemu/testing` (the driver, its state files and its
 * monitor traffic are real; no process is started). Two domains run and one is defined, so
 * that fuzzed calls reach live and inactive domains. Besides what the wire shows, the
 * forbidden-change check compares every file of the driver's state directory (definitions,
 * autostart links, status files). EDGEVIRT_FUZZ_N and EDGEVIRT_FUZZ_SEED change the slice.
 */
import assert from "node:assert/strict";
import { qemuConnectDriver } from "../../drivers/qemu/mod.ts";
import { FakeLauncher } from "../../drivers/qemu/testing/mod.ts";
import { fuzzSlice } from "./wire_fuzz_run.ts";
import { startGateway, TOKENS } from "./helpers.ts";

/** Every regular file under `dir`, by path relative to it, with its text. */
async function files(dir: string, prefix = ""): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const e of Deno.readDir(`${dir}/${prefix}`)) {
    const rel = `${prefix}${e.name}`;
    if (e.isDirectory) { for (const [k, v] of await files(dir, `${rel}/`)) out.set(k, v); }
    else if (e.isFile) out.set(rel, await Deno.readTextFile(`${dir}/${rel}`).catch(String));
  }
  return out;
}

const domainXml = (name: string) =>
  `<domain type='qemu'><name>${name}</name><memory unit='MiB'>64</memory>` +
  `<os><type arch='x86_64' machine='q35'>hvm</type></os>` +
  `<devices><memballoon model='none'/></devices></domain>`;

Deno.test({
  name: "wire fuzz on qemu:///session (fake QMP): no 500, hang, crash or forbidden change",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const n = Number(Deno.env.get("EDGEVIRT_FUZZ_N") ?? 1500);
    const seed = Number(Deno.env.get("EDGEVIRT_FUZZ_SEED") ?? 14);
    const stateDir = await Deno.makeTempDir({ prefix: "ev-fuzz-qemu-" });
    const driver = await qemuConnectDriver.open(new URL("qemu:///session"), {
      stateDir,
      launcher: new FakeLauncher(),
    });
    const gateway = await startGateway(undefined, [{ uri: "qemu:///session", driver }]);
    try {
      for (const [name, start] of [["q1", true], ["web-q1", true], ["q2", false]] as const) {
        const call = (method: string, args: unknown[]) =>
          gateway.fetch(
            new Request(`http://127.0.0.1/v1/qemu/session/call/${method}`, {
              method: "POST",
              headers: {
                authorization: `Bearer ${TOKENS.full}`,
                "content-type": "application/json",
              },
              body: JSON.stringify(args),
            }),
          ).then(async (r) => {
            const body = await r.json();
            assert.equal(r.status, 200, JSON.stringify(body));
            return body.result;
          });
        const dom = await call("domainDefineXMLFlags", [domainXml(name), 0]);
        if (start) await call("domainCreateWithFlags", [dom, 0]);
      }
      const { tally, crashes } = await fuzzSlice({
        gateway,
        uri: "qemu:///session",
        n,
        seed,
        hostState: () => files(stateDir),
      });
      console.log(
        `wire fuzz qemu:///session (seed ${seed}): ${tally.inputs} inputs ` +
          `${JSON.stringify(tally.byVia)}, answers ${JSON.stringify(tally.byStatus)}`,
      );
      assert.equal(tally.inputs, n);
      assert.deepEqual(crashes, [], "unhandled rejections");
      assert.deepEqual(tally.serverErrors, [], "500 answers");
      assert.deepEqual(tally.hangs, [], "answers slower than 5 s");
      assert.deepEqual(tally.dropped, [], "RPC sockets dropped without a close frame");
      assert.deepEqual(tally.forbiddenChanges, [], "changes by callers who may not");
    } finally {
      await gateway.close();
      await driver.connectClose();
      await Deno.remove(stateDir, { recursive: true });
    }
  },
});
