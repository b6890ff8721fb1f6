/**
 * `<numatune>` at start and hotplug, replayed from libvirt 9.0: each case of
 * `fixtures/numa_cases.json` (the domain of `fixtures/numa.xml` with its numatune and guest
 * NUMA cells) is started, then a vCPU and an IOThread are plugged.
 *
 * - qemu:///system: `fixtures/record_numa.sh` traced the cpuset files libvirt's root daemon
 *   wrote in each phase (`numa_libvirt.json`); here the same phases run on a fake QEMU with
 *   the driver's cgroups in a fake v1 tree, and every cpuset file of the domain's groups must
 *   hold what libvirt's own writes (not a new group's copy of its parent's values) left there.
 * - qemu:///session: `fixtures/record_numa_session.sh` recorded which cases libvirt's session
 *   daemon starts and which it refuses, with what error, and the memory arguments of its
 *   command line (`numa_session.json`): the memory backends (their `host-nodes` and `policy`
 *   bind the guest's RAM where no cgroup does) and `-numa` must be libvirt's, file-backed
 *   memory in a file per backend under the domain's memory folder (`ID-NAME`, the base path
 *   masked), which exists while the domain runs and goes with it. libvirt also names the
 *   default RAM backend of a guest without cells and without bound nodes; edgevirt leaves that
 *   one to QEMU's `-m` (the same RAM, unbound).
 */
import assert from "node:assert/strict";
import { FakeLauncher } from "../../../drivers/qemu/testing/mod.ts";
import { VIR } from "../../../util/constants.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import { VirError } from "../../../util/errors.ts";
import { fakeV1Group, fakeV1Mounts } from "../../util/fake_cgroup_tree.ts";
import { withQemuConn } from "./with_conn.ts";
import { hostMemoryNodes } from "../../../util/numa_nodes.ts";
import { Cgroup } from "../../../util/cgroup/mod.ts";
import { DomainVcpuCgroup } from "../../../drivers/qemu/domain_cgroup.ts";
import type { DomainDef } from "../../../conf/domain/def.ts";
import {
  memoryArgv,
  memoryBackingCases,
  memoryFolders,
  type NumaCase,
  numaCases,
  numaDomainXml,
} from "./numa_cases.ts";

/** A cpuset operation of libvirt's: a group made, or a file written (group relative). */
type Op = ["mkdir", string] | ["write", string, string, string];

type Phase = "start" | "vcpu_hotplug" | "iothread_add";

interface LibvirtError {
  code: number;
  domain: number;
  message: string;
}

type Outcome =
  | { error: LibvirtError }
  | { started: true; argv?: string[] }
  | Record<Phase, Op[]>;

const fixtures = new URL("./fixtures/", import.meta.url);
const readJson = async (name: string) =>
  JSON.parse(await Deno.readTextFile(new URL(name, fixtures)));
const LIVE = VIR.DOMAIN_AFFECT_LIVE;

/** Starts a case, then plugs a vCPU and an IOThread, calling `after` after each phase. */
async function runCase(
  conn: DriverConnection,
  c: NumaCase,
  after: (phase: Phase) => Promise<void>,
): Promise<LibvirtError | undefined> {
  let dom;
  try {
    dom = await conn.domainCreateXML!(numaDomainXml(c), 0);
  } catch (e) {
    if (!(e instanceof VirError)) throw e;
    return { code: e.code, domain: e.domain, message: e.message };
  }
  await after("start");
  await conn.domainSetVcpusFlags!(dom, 2, LIVE);
  await after("vcpu_hotplug");
  await conn.domainAddIOThread!(dom, 2, LIVE);
  await after("iothread_add");
  await conn.domainDestroyFlags!(dom, 0);
  return undefined;
}

const GROUPS = ["", "emulator", "vcpu0", "vcpu1", "iothread1", "iothread2"];
const FILES = ["cpuset.cpus", "cpuset.mems", "cpuset.memory_migrate"];
/** Values no write of libvirt's leaves, so that every write shows. */
const FRESH: Record<string, string> = {
  "cpuset.cpus": "0-1",
  "cpuset.mems": "0-1",
  "cpuset.memory_migrate": "0",
};

/**
 * libvirt's own writes of a phase to the cpuset files: those after a group's creation that copy
 * its parent's cpus, mems and memory_migrate (virCgroupV1CpuSetInherit) are the kernel's
 * business and go, and so does the emulator's pass through every host node around a vCPU
 * hotplug (virDomainCgroupEmulatorAllNodesAllow, then …Restore of the old nodes), which leaves
 * the group as it was; `allNodes` collects the nodes that pass wrote.
 */
function ownWrites(ops: Op[], allNodes: string[]): [string, string][] {
  const emulatorMems = (op?: Op): op is ["write", string, string, string] =>
    op?.[0] === "write" && op[1] === "emulator" && op[2] === "cpuset.mems";
  const first = ops[0];
  let body = ops;
  if (ops.length > 1 && emulatorMems(first) && emulatorMems(ops.at(-1))) {
    allNodes.push(first[3]);
    body = ops.slice(1, -1);
  }
  const inheriting = new Map<string, Set<string>>();
  const out: [string, string][] = [];
  for (const op of body) {
    if (op[0] === "mkdir") {
      inheriting.set(op[1], new Set(FILES));
      continue;
    }
    const [, group, file, value] = op;
    if (!FILES.includes(file) || inheriting.get(group)?.delete(file)) continue;
    out.push([`${group}/${file}`, value]);
  }
  return out;
}

Deno.test({
  name: "numatune on qemu:///system: cpuset writes at start and hotplug replayed from libvirt",
  ignore: Deno.uid() !== 0,
  fn: async (t) => {
    const recorded: Record<string, Outcome> = await readJson("numa_libvirt.json");
    for (const c of numaCases) {
      await t.step(c.name, async () => {
        const base = await Deno.makeTempDir({ prefix: "ev-numa-start-" });
        const machine = `/machine/qemu-1-numa-${c.name}.libvirt-qemu`;
        await fakeV1Group(base, "", FRESH);
        await fakeV1Group(base, "/machine", FRESH);
        for (const g of GROUPS) await fakeV1Group(base, `${machine}${g ? `/${g}` : ""}`, FRESH);
        const file = (key: string) => `${base}/cpuset${machine}/${key}`;
        const state = async () => {
          const out = new Map<string, string>();
          for (const g of GROUPS) {
            for (const f of FILES) out.set(`${g}/${f}`, await Deno.readTextFile(file(`${g}/${f}`)));
          }
          return out;
        };
        const expected = await state();
        const want = recorded[c.name];
        try {
          await withQemuConn(
            { launcher: new FakeLauncher(), cgroups: fakeV1Mounts(base), uri: "qemu:///system" },
            async (conn) => {
              const error = await runCase(conn, c, async (phase) => {
                assert.ok(phase in want, `libvirt started ${c.name}`);
                const allNodes: string[] = [];
                const writes = ownWrites((want as Record<Phase, Op[]>)[phase], allNodes);
                // The pass through every node is libvirt's around each vCPU hotplug only.
                assert.deepEqual(allNodes, phase === "vcpu_hotplug" ? [hostMemoryNodes()] : []);
                for (const [key, value] of writes) {
                  assert.ok(expected.has(key), `libvirt wrote ${key}, a group this test lacks`);
                  expected.set(key, value);
                }
                assert.deepEqual(
                  Object.fromEntries(await state()),
                  Object.fromEntries(expected),
                  phase,
                );
              });
              assert.deepEqual(error, "error" in want ? want.error : undefined);
            },
          );
        } finally {
          await Deno.remove(base, { recursive: true });
        }
      });
    }
  },
});

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

/**
 * Replays a session recording: each case starts or is refused as libvirt's, with libvirt's
 * memory arguments; the folder of its memory files exists from its start to its destroy.
 */
async function replaySession(t: Deno.TestContext, cases: NumaCase[], recordedName: string) {
  const recorded: Record<string, Outcome> = await readJson(recordedName);
  const launcher = new FakeLauncher();
  await withQemuConn({ launcher }, async (conn) => {
    for (const c of cases) {
      await t.step(c.name, async () => {
        const want = recorded[c.name];
        const launches = launcher.launches.length;
        let folders: string[] = [];
        const error = await runCase(conn, c, async (phase) => {
          if (phase !== "start") return;
          folders = memoryFolders(launcher.launches[launches]);
          for (const f of folders) assert.ok(await exists(f), `${f} while running`);
        });
        assert.deepEqual(error, "error" in want ? want.error : undefined);
        if ("argv" in want) {
          assert.deepEqual(memoryArgv(launcher.launches[launches]), memoryArgv(want.argv!));
          assert.equal(folders.length, memoryFolders(want.argv!).length);
        }
        for (const f of folders) assert.ok(!await exists(f), `${f} after destroy`);
        // A refused start leaves the session's domain list as it was.
        assert.deepEqual(await conn.connectListAllDomains!(0), []);
      });
    }
  });
}

Deno.test("numatune on qemu:///session: libvirt's session daemon's starts, refusals and memory arguments", (t) =>
  replaySession(t, numaCases, "numa_session.json"));

Deno.test("memoryBacking on qemu:///session: memfd, files, preallocation, page merging and refusals as libvirt", (t) =>
  replaySession(t, memoryBackingCases, "memory_backing_session.json"));

Deno.test("memoryBacking: locked memory is QEMU's mem-lock", async () => {
  const launcher = new FakeLauncher();
  await withQemuConn({ launcher }, async (conn) => {
    const xml = numaDomainXml({
      name: "locked",
      numatune: "<memoryBacking><locked/></memoryBacking>",
    });
    await conn.domainDestroyFlags!(await conn.domainCreateXML!(xml, 0), 0);
    const argv = launcher.launches[0];
    assert.equal(argv[argv.indexOf("-overcommit") + 1], "mem-lock=on");
  });
});

Deno.test("vCPU hotplug: the emulator allocates on every host node meanwhile, then gets its nodes back", async () => {
  const base = await Deno.makeTempDir({ prefix: "ev-numa-allow-" });
  const machine = "/machine/qemu-1-vm.libvirt-qemu";
  try {
    for (const g of ["", "/machine", machine, `${machine}/emulator`]) {
      await fakeV1Group(base, g, FRESH);
    }
    const cgroup = Cgroup.existing(fakeV1Mounts(base), machine)!;
    const vcpus = new DomainVcpuCgroup(() => cgroup, () => ({}) as DomainDef, Deno.pid);
    const mems = () => Deno.readTextFile(`${base}/cpuset${machine}/emulator/cpuset.mems`);
    const restore = await vcpus.allowEmulatorAllNodes();
    assert.equal(await mems(), hostMemoryNodes());
    await restore();
    assert.equal(await mems(), FRESH["cpuset.mems"]);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
