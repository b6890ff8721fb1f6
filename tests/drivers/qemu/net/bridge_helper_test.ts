// The bridge helper's pieces that need no QEMU: libvirt's check of the helper file, the
// helper's failure found in a failed start's stderr, and QEMU's stderr kept for later.
import assert from "node:assert/strict";
import type { DomainDef } from "../../../../conf/domain/def.ts";
import { element } from "../../../../util/xml/mod.ts";
import {
  checkBridgeHelper,
  startHelperFailure,
} from "../../../../drivers/qemu/net/bridge_helper.ts";
import { StderrTail } from "../../../../drivers/qemu/process/stderr_tail.ts";

Deno.test("a helper that is not an executable file is refused with virFileIsExecutable's errno", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const plain = `${dir}/plain`;
    await Deno.writeTextFile(plain, "");
    const cases: [string, string][] = [
      [`${dir}/missing`, "No such file or directory"],
      [plain, "Permission denied"],
      [dir, "Is a directory"],
    ];
    for (const [path, reason] of cases) {
      assert.throws(() => checkBridgeHelper(path), {
        code: 38,
        domain: 10,
        message: `'${path}' is not a suitable bridge helper: ${reason}`,
      });
    }
    await Deno.chmod(plain, 0o755);
    checkBridgeHelper(plain);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a failed start names the NIC whose helper refused, with the helper's lines only", () => {
  const nic = (alias: string, bridge: string, model: string) => ({
    type: "bridge",
    source: { bridge },
    model,
    extra: [element("alias", { name: alias })],
  });
  const def = {
    devices: { interfaces: [nic("net0", "br0", "virtio"), nic("net1", "br1", "e1000")] },
  } as unknown as DomainDef;
  const stderr = "/usr/bin/qemu-system-x86_64: warning: something else\n" +
    "access denied by acl file\n" +
    "/usr/bin/qemu-system-x86_64: -netdev bridge,id=hostnet1,br=br1," +
    "helper=/usr/lib/qemu/qemu-bridge-helper: bridge helper failed\n";
  const e = startHelperFailure(def, stderr);
  assert.deepEqual([e?.code, e?.domain, e?.message], [
    38,
    10,
    "/usr/lib/qemu/qemu-bridge-helper --br=br1: failed to communicate with bridge helper: " +
    "stderr=access denied by acl file\n: Transport endpoint is not connected",
  ]);
  assert.equal(startHelperFailure(def, "qemu: -device foo: no such device\n"), undefined);
});

Deno.test("QEMU's stderr keeps its end and tells what came after a mark", async () => {
  const chunks = ["a".repeat(70 * 1024), "before\n", "after\n"];
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      const next = chunks.shift();
      if (next === undefined) return c.close();
      c.enqueue(new TextEncoder().encode(next));
    },
  });
  const tail = new StderrTail(stream);
  await tail.done;
  const mark = tail.written - "after\n".length;
  assert.equal(await tail.lineSince(mark), "after\n");
  assert.equal(tail.since(0).length, 64 * 1024, "only the end is kept");
  assert.ok(tail.since(0).endsWith("before\nafter\n"));
});
