/**
 * evsh `undefine --tpm` / `--keep-tpm` end to end on real QEMU 7.2 and swtpm: a started domain
 * leaves its TPM state, which `--keep-tpm` keeps and `--tpm` removes, with virsh 9.0's words
 * (the refusal of both flags is what `virsh undefine test --tpm --keep-tpm` prints).
 */
import assert from "node:assert/strict";
import { Connection } from "../../client/connection.ts";
import { realQemuTest, withRealDriver } from "../drivers/qemu/real_qemu.ts";
import { shellOn } from "./fake_qemu_shell.ts";

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

realQemuTest({
  name: "evsh undefine --keep-tpm keeps a started domain's TPM state, --tpm removes it",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withRealDriver("evsh-tpm-", async ({ dir, conn }) => {
      const uuid = "7b2c3d4e-5f60-4a1b-9c2d-3e4f5a6b7c8d";
      const xml = `${dir}/tp.xml`;
      await Deno.writeTextFile(
        xml,
        `<domain type='qemu'><name>tp</name><uuid>${uuid}</uuid><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='q35'>hvm</type></os><devices>
<tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>
<memballoon model='none'/></devices></domain>`,
      );
      const run = shellOn(new Connection(conn, "qemu:///session"));
      const state = `${dir}/config/swtpm/${uuid}`;
      assert.deepEqual((await run(`define ${xml}`)).slice(1), ["", true]);
      assert.deepEqual(await run("start tp"), ["Domain 'tp' started\n\n", "", true]);
      assert.deepEqual((await run("destroy tp")).slice(1), ["", true]);
      assert.ok(await exists(`${state}/tpm2`), "the started domain's TPM state");

      // virsh ends a failed command with an empty line too.
      assert.deepEqual(await run("undefine tp --tpm --keep-tpm"), [
        "\n",
        "error: Options --tpm and --keep-tpm are mutually exclusive\n",
        false,
      ]);
      assert.deepEqual(await run("undefine tp --keep-tpm"), [
        "Domain 'tp' has been undefined\n\n",
        "",
        true,
      ]);
      assert.ok(await exists(state), "--keep-tpm keeps it");
      await run(`define ${xml}`);
      assert.deepEqual(await run("undefine tp --tpm"), [
        "Domain 'tp' has been undefined\n\n",
        "",
        true,
      ]);
      assert.ok(!(await exists(state)), "--tpm removes it");
    }),
});
