// Node files are read only when they are regular files of bounded size: a FIFO or a device must
// not block or exhaust the process that serves every other caller (hardening issue #11).
import assert from "node:assert/strict";
import { openTestConnection } from "../../../drivers/simulator/mod.ts";

const open = (path: string) => () => openTestConnection(new URL(`test://${path}`), {});

Deno.test("a FIFO, a device and an oversized file are refused at once; a node file opens", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const fifo = `${dir}/fifo.xml`;
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert.ok(made.success);
    const big = `${dir}/big.xml`;
    await Deno.writeTextFile(big, "<node>" + " ".repeat(5 * 1024 * 1024) + "</node>");
    const good = `${dir}/node.xml`;
    await Deno.writeTextFile(
      good,
      "<node><domain type='test'><name>n1</name>" +
        "<memory>65536</memory><os><type>hvm</type></os></domain></node>",
    );
    const started = performance.now();
    for (const path of [fifo, "/dev/zero", big, `${dir}/missing.xml`]) {
      assert.throws(open(path), { message: `XML error: failed to parse xml document '${path}'` });
    }
    assert.ok(performance.now() - started < 5000, "refusals do not wait on the file");
    const conn = open(good)();
    assert.deepEqual((await conn.connectListAllDomains!(0)).map((d) => d.name), ["n1"]);
    await conn.connectClose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
