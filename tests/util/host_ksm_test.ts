// The host's KSM parameters as libvirt's virHostMemGetParameters / SetParameters read and write
// them, on a folder of the test's own standing in for /sys/kernel/mm/ksm (the host's own is
// never written): libvirt's order and names, missing files left out, its refusals (unknown or
// mistyped parameter, a file the kernel lacks) before anything is written, and on the real
// folder a read only.
import assert from "node:assert/strict";
import { KSM_ROOT, ksmParameters, setKsmParameters } from "../../util/host_ksm.ts";
import { VirError } from "../../util/errors.ts";

function fakeRoot(files: Record<string, string>): string {
  const dir = Deno.makeTempDirSync({ prefix: "ev-ksm-" });
  for (const [f, v] of Object.entries(files)) Deno.writeTextFileSync(`${dir}/${f}`, v);
  return dir;
}

const refused = (fn: () => void, code: string, message: string) =>
  assert.throws(fn, (e) => e instanceof VirError && e.codeName === code && e.message === message);

Deno.test("ksm: libvirt's parameters in its order, the kernel's missing ones left out", () => {
  const dir = fakeRoot({
    merge_across_nodes: "1\n",
    full_scans: "7\n",
    pages_to_scan: "100\n",
    sleep_millisecs: "20\n",
    pages_shared: "0\n",
    pages_sharing: "0\n",
    pages_unshared: "3\n",
  });
  try {
    assert.deepEqual(Object.entries(ksmParameters(dir)), [
      ["shm_pages_to_scan", 100],
      ["shm_sleep_millisecs", 20],
      ["shm_pages_shared", 0],
      ["shm_pages_sharing", 0],
      ["shm_pages_unshared", 3],
      ["shm_full_scans", 7],
      ["shm_merge_across_nodes", 1],
    ]);
    Deno.writeTextFileSync(`${dir}/full_scans`, "x\n");
    refused(
      () => ksmParameters(dir),
      "VIR_ERR_INTERNAL_ERROR",
      "internal error: failed to parse full_scans",
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("ksm: set writes the tunables, refusing before any write as libvirt does", () => {
  const dir = fakeRoot({ pages_to_scan: "100\n", sleep_millisecs: "20\n" });
  try {
    refused(
      () => setKsmParameters({ shm_pages_to_scan: 5, shm_full_scans: 1 }, dir),
      "VIR_ERR_ARGUMENT_UNSUPPORTED",
      "argument unsupported: parameter 'shm_full_scans' not supported",
    );
    refused(
      () => setKsmParameters({ shm_pages_to_scan: 5, shm_merge_across_nodes: 0 }, dir),
      "VIR_ERR_OPERATION_INVALID",
      "Requested operation is not valid: Parameter 'shm_merge_across_nodes' is not supported by this kernel",
    );
    refused(
      () => setKsmParameters({ shm_sleep_millisecs: "x" }, dir),
      "VIR_ERR_INVALID_ARG",
      "invalid argument: invalid type 'string' for parameter 'shm_sleep_millisecs', expected 'uint'",
    );
    assert.equal(Deno.readTextFileSync(`${dir}/pages_to_scan`), "100\n");
    setKsmParameters({ shm_pages_to_scan: 200, shm_sleep_millisecs: 10 }, dir);
    assert.deepEqual(ksmParameters(dir), { shm_pages_to_scan: 200, shm_sleep_millisecs: 10 });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test({
  name: "ksm: the host's own folder reads as the kernel shows it",
  ignore: !(() => {
    try {
      return Deno.statSync(KSM_ROOT).isDirectory;
    } catch {
      return false;
    }
  })(),
  fn() {
    const got = ksmParameters();
    assert.equal(got.shm_pages_to_scan, Number(Deno.readTextFileSync(`${KSM_ROOT}/pages_to_scan`)));
    assert.ok(Object.keys(got).every((k) => k.startsWith("shm_")));
  },
});
