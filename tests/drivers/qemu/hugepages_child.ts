/**
 * The huge page cases (`fixtures/hugepages_cases.json`) on qemu:///system with a fake QEMU,
 * run by `hugepages_test.ts` inside a mount namespace of its own (`unshare --mount
 * --propagation private`), where this makes two hugetlbfs mounts (2 MiB and 1 GiB pages,
 * `MNT2M` and `MNT1G` in a temporary folder) that the driver finds in /proc/mounts. Prints one
 * JSON object: each case's command line or error, the memory folders that existed while it ran
 * and what was left of them after its destroy.
 *
 * `unshare --mount --propagation private deno run -A tests/drivers/qemu/hugepages_child.ts`
 *
 * @module
 */
import { FakeLauncher } from "../../../drivers/qemu/testing/mod.ts";
import { VirError } from "../../../util/errors.ts";
import { hugepageCases, memoryFolders, numaDomainXml } from "./numa_cases.ts";
import { withQemuConn } from "./with_conn.ts";

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

/** The names in a folder; none where it does not exist. */
async function entries(dir: string): Promise<string[]> {
  const names = [];
  try {
    for await (const e of Deno.readDir(dir)) names.push(e.name);
  } catch {
    // No folder, no names.
  }
  return names;
}

async function mount(dir: string, pagesize: string): Promise<void> {
  await Deno.mkdir(dir);
  const made = await new Deno.Command("mount", {
    args: ["-t", "hugetlbfs", "-o", `pagesize=${pagesize}`, "none", dir],
  }).output();
  if (!made.success) throw new Error(new TextDecoder().decode(made.stderr));
}

const tmp = await Deno.makeTempDir({ prefix: "ev-hugepages-" });
const mounts = [`${tmp}/MNT2M`, `${tmp}/MNT1G`];
const out: Record<string, unknown> = {};
try {
  await mount(mounts[0], "2M");
  await mount(mounts[1], "1G");
  const launcher = new FakeLauncher();
  // No cgroup hierarchy: the fake QEMU's pid goes into no real group.
  await withQemuConn({ launcher, uri: "qemu:///system", cgroups: { v1: {} } }, async (conn) => {
    for (const c of hugepageCases) {
      const launches = launcher.launches.length;
      let dom;
      try {
        dom = await conn.domainCreateXML!(numaDomainXml(c), 0);
      } catch (e) {
        if (!(e instanceof VirError)) throw e;
        out[c.name] = { error: { code: e.code, domain: e.domain, message: e.message } };
        continue;
      }
      const argv = launcher.launches[launches];
      const folders = memoryFolders(argv);
      const running = await Promise.all(folders.map(exists));
      await conn.domainDestroyFlags!(dom, 0);
      const left = (await Promise.all(mounts.map((m) => entries(`${m}/libvirt/qemu`)))).flat();
      out[c.name] = {
        argv: argv.map((a) => a.replaceAll(`${tmp}/`, "")),
        folders: folders.map((f) => f.replaceAll(`${tmp}/`, "")),
        running,
        left,
      };
    }
  });
  out.mountModes = await Promise.all(mounts.map(async (m) => (await Deno.stat(m)).mode! & 0o777));
} finally {
  for (const m of mounts) await new Deno.Command("umount", { args: [m] }).output();
  await Deno.remove(tmp, { recursive: true });
}
console.log(JSON.stringify(out));
