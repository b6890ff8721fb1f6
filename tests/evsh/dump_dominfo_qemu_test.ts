/**
 * evsh's `dump` and `dominfo` on the QEMU driver over a fake QEMU, in process and through a
 * gateway: `dump --memory-only --format F --verbose` as virsh 9.0's cmdDump prints it, libvirt's
 * errors for a format this QEMU lacks and for a folder that does not exist (the gateway's 404
 * carries the same error), and `dominfo`'s "Messages:" lines (virsh's `%-15s %s`, the label on
 * the first only) for a domain on a deprecated machine type.
 */
import assert from "node:assert/strict";
import { XML } from "../drivers/qemu/fake_qmp/block_harness.ts";
import { bothWays } from "./fake_qemu_shell.ts";

const DEPRECATED = { xml: XML.replace("machine='pc'", "machine='pc-i440fx-1.4'") };

Deno.test("dump --memory-only --format --verbose; refusals as virsh prints them", async () => {
  await bothWays(async (t, run) => {
    const elf = `${t.dir}/core.elf`;
    assert.deepEqual(await run(`dump hp ${elf} --memory-only --format elf --verbose`), [
      `\nDomain 'hp' dumped to ${elf}\n\n`,
      "\rDump: [100 %]",
      true,
    ]);
    assert.equal(t.dump.dumps.at(-1)?.protocol, `file:${elf}`);
    const zlib = `${t.dir}/core.kdump`;
    assert.deepEqual(await run(`dump hp ${zlib} --memory-only --format kdump-zlib`), [
      `\nDomain 'hp' dumped to ${zlib}\n\n`,
      "",
      true,
    ]);
    assert.equal(t.dump.dumps.at(-1)?.format, "kdump-zlib");
    // virsh ends every command with an empty line, a failed one too.
    assert.deepEqual(await run(`dump hp ${t.dir}/x --memory-only --format kdump-lzo`), [
      "\n",
      `error: Failed to core dump domain 'hp' to ${t.dir}/x\n` +
      "error: invalid argument: unsupported dumpformat 'kdump-lzo' for this QEMU binary\n",
      false,
    ]);
    const missing = `${t.dir}/no/such/dir/core`;
    assert.deepEqual(await run(`dump hp ${missing} --memory-only`), [
      "\n",
      `error: Failed to core dump domain 'hp' to ${missing}\n` +
      `error: Failed to create file '${missing}': No such file or directory\n`,
      false,
    ]);
  });
});

Deno.test("dominfo ends with the domain's messages, as virsh prints them", async () => {
  await bothWays(async (_t, run) => {
    const [out, err, ok] = await run("dominfo hp");
    assert.deepEqual([err, ok], ["", true]);
    assert.ok(
      out.endsWith(
        "Messages:       tainted: use of deprecated configuration settings\n" +
          "                deprecated configuration: machine type 'pc-i440fx-1.4'\n\n",
      ),
      out,
    );
  }, DEPRECATED);
});
