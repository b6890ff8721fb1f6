/**
 * evsh's IOThread commands (`iothreadinfo`, `iothreadadd`, `iothreaddel`, `iothreadpin`,
 * `iothreadset`, and `domstats --iothread`) on the QEMU driver with real QEMU print what virsh
 * 9.0 printed for the same lines on libvirt's QEMU driver (`fixtures/record_iothread_evsh.sh`):
 * tables with the threads' real CPU affinity, polling values, errors, and the XML left behind.
 */
import assert from "node:assert/strict";
import { Connection } from "../../client/connection.ts";
import { shellOn } from "./fake_qemu_shell.ts";
import { realQemuTest, withRealDriver } from "../drivers/qemu/real_qemu.ts";

const fixtures = new URL("../drivers/qemu/fixtures/", import.meta.url);

realQemuTest({
  name: "real QEMU: evsh's IOThread commands print virsh 9.0's output and errors",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const transcript: { command: string; stdout: string; stderr: string; ok: boolean }[] = JSON
      .parse(await Deno.readTextFile(new URL("iothread_evsh.expected.json", fixtures)));
    // The recording pins CPU 1; its host's 2 CPUs ("0-1") are all of this host's.
    const cpus = navigator.hardwareConcurrency;
    assert.ok(cpus >= 2, "the transcript pins CPU 1");
    const all = cpus === 1 ? "0" : `0-${cpus - 1}`;
    await withRealDriver("ev-evsh-iothr-", async ({ conn: driver }) => {
      const conn = new Connection(driver, "qemu:///session");
      const run = shellOn(conn, (p) => Deno.readTextFile(new URL(p, fixtures)));
      // A failure leaves QEMU running: withRealDriver kills it.
      for (const step of transcript) {
        const [stdout, stderr, ok] = await run(step.command);
        const expected = { ...step, stdout: step.stdout.replace(/ 0-1$/gm, ` ${all}`) };
        assert.deepEqual({ command: step.command, stdout, stderr, ok }, expected);
      }
    });
  },
});
