/**
 * evsh's `hypervisor-cpu-compare` and `hypervisor-cpu-baseline` on the QEMU driver, against
 * virsh 9.0's transcripts on qemu:///session (tests/drivers/qemu/fixtures/cpu_hyp/virsh.json,
 * recorded by tests/tools/record_cpu_hyp.py from the project's root), in process and through a
 * gateway. The driver runs on QEMU's recorded QMP answers; the fake binary's path stands in
 * for the recorded /usr/bin/qemu-system-x86_64 in libvirt's messages.
 */
import assert from "node:assert/strict";
import { connect } from "../../mod.ts";
import { Connection } from "../../client/connection.ts";
import { createGateway } from "../../gateway/app.ts";
import { createRegistry } from "../../util/registry.ts";
import { Shell } from "../../tools/evsh/mod.ts";
import type { DriverConnection } from "../../util/driver.ts";
import { fixture, RECORDED_QEMU, withReplay } from "../drivers/qemu/cpu_hyp_replay.ts";

interface Transcript {
  cmd: string;
  stdout: string;
  stderr: string;
  status: number;
}

const ROOT = new URL("../../", import.meta.url);

/** Every transcript run on `conn`: the ones evsh answers differently, with its answer. */
async function differing(conn: Connection, qemu: string) {
  const wrong = [];
  const transcripts = fixture<Transcript[]>("virsh.json");
  assert.ok(transcripts.length >= 12);
  for (const want of transcripts) {
    let stdout = "";
    let stderr = "";
    const shell = new Shell(conn, {
      stdout: (s) => (stdout += s),
      stderr: (s) => (stderr += s),
      readFile: (p) => Deno.readTextFile(new URL(p, ROOT)),
    });
    const ok = await shell.runLine(want.cmd);
    const got = { cmd: want.cmd, stdout, stderr, status: ok ? 0 : 1 };
    const expected = { ...want, stderr: want.stderr.replaceAll(RECORDED_QEMU, qemu) };
    if (JSON.stringify(got) !== JSON.stringify(expected)) wrong.push({ expected, got });
  }
  return wrong;
}

Deno.test("hypervisor-cpu-compare/-baseline answer as virsh 9.0, in process and through a gateway", () =>
  withReplay(async (driver: DriverConnection, qemu) => {
    assert.deepEqual(await differing(new Connection(driver, "qemu:///session"), qemu), []);
    const gw = await createGateway({
      drivers: ["fakeqemu:///session"],
      registry: createRegistry([{
        name: "fakeqemu",
        schemes: ["fakeqemu"],
        // withReplay closes the driver connection itself.
        open: () =>
          Promise.resolve(
            new Proxy(driver, {
              get: (target, k) => {
                if (k === "connectClose") return () => Promise.resolve();
                const v = Reflect.get(target, k);
                return typeof v === "function" ? v.bind(target) : v;
              },
            }),
          ),
      }]),
      auth: "none",
    });
    try {
      const conn = await connect("fakeqemu+http://gateway.test/session", {
        token: "unused",
        fetch: (input, init) => gw.fetch(new Request(input, init)),
      });
      try {
        assert.deepEqual(await differing(conn, qemu), []);
      } finally {
        await conn.close();
      }
    } finally {
      await gw.close();
    }
  }));
