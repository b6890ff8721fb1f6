// Huge pages on qemu:///system, replayed from libvirt 9.0 (fixtures/hugepages_native.json,
// recorded by fixtures/record_hugepages.sh: libvirt's command line for each case of
// fixtures/hugepages_cases.json with a 2 MiB and a 1 GiB hugetlbfs mount, and its errors). The
// driver runs in a child process inside a mount namespace of its own (hugepages_child.ts makes
// the same two mounts there; the host's mounts and nr_hugepages never change) on a fake QEMU:
// each case must build libvirt's memory arguments (mount folders and run ids masked) or fail
// with libvirt's error, its folders on the mounts must exist while it runs and be gone after
// its destroy, and each mount's root must be searchable by QEMU (libvirt's
// qemuHugepageMakeBasedir). Without a mount (qemu:///session, or no hugetlbfs on the host) huge
// pages are refused with libvirt's error: numa_start_test.ts's "mb-hugepages". Needs root and
// unshare: ignored without them on a developer machine, FAILS in CI.
import assert from "node:assert/strict";
import { hugepageCases, memoryArgv } from "./numa_cases.ts";

interface Outcome {
  argv?: string[];
  error?: { code: number; domain: number; message: string };
  folders?: string[];
  running?: boolean[];
  left?: string[];
}

const usable = Deno.uid() === 0;

Deno.test({
  name:
    "huge pages on qemu:///system with hugetlbfs mounts: libvirt's memory arguments, errors and folders",
  ignore: !usable && !Deno.env.get("CI"),
  fn: async () => {
    assert.ok(usable, "CI runs as root");
    const child = new URL("./hugepages_child.ts", import.meta.url).pathname;
    const run = await new Deno.Command("unshare", {
      args: ["--mount", "--propagation", "private", Deno.execPath(), "run", "-A", child],
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(run.stderr);
    assert.ok(run.success, err);
    const got: Record<string, Outcome> & { mountModes: number[] } = JSON.parse(
      new TextDecoder().decode(run.stdout),
    );
    const want: Record<string, Outcome> = JSON.parse(
      await Deno.readTextFile(new URL("./fixtures/hugepages_native.json", import.meta.url)),
    );
    for (const c of hugepageCases) {
      const [ours, theirs] = [got[c.name], want[c.name]];
      assert.deepEqual(ours.error, theirs.error, c.name);
      if (!theirs.argv) continue;
      assert.deepEqual(memoryArgv(ours.argv!), memoryArgv(theirs.argv), c.name);
      assert.deepEqual(ours.running, ours.folders!.map(() => true), `${c.name}: while running`);
      assert.deepEqual(ours.left, [], `${c.name}: after destroy`);
    }
    // The cases on huge pages had folders on the mounts.
    assert.ok(got["hp-cells"].folders!.some((f) => f.startsWith("MNT1G/libvirt/qemu/")));
    for (const mode of got.mountModes) assert.equal(mode & 0o011, 0o011, "searchable by QEMU");
  },
});
