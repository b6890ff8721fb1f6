// Real QEMU 7.2 (TCG) and QEMU 7.2's virtiofsd on qemu:///system (libvirt's session driver
// refuses a virtiofs share it would serve itself): the driver runs a virtiofsd for its own
// share, found through /usr/share/qemu/vhost-user, with the options libvirt 9.0 gives it, QEMU
// gets a vhost-user-fs-pci device on its socket, an externally launched daemon's share is only
// connected, and no virtiofsd of the domain is left after destroy or after a start that QEMU
// fails. No guest system boots (only the firmware runs): the test guest's kernel would need the
// virtiofs module, which its initramfs lacks, so no file is read through the share.
// Needs QEMU, virtiofsd (qemu-system-common), root and the host's cgroup hierarchies: without
// them it is ignored on a developer machine but FAILS in CI. On qemu:///session (QEMU only), an
// external daemon's share is connected and one the driver would serve is refused, as libvirt's
// session driver refuses it.
import assert from "node:assert/strict";
import { hostCgroupMounts } from "../../../util/cgroup/mod.ts";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import { haveQemu, realQemuTest, withRealDriver } from "./real_qemu.ts";
import { withSystemDriverInTempRoot } from "./temp_cgroup_root.ts";

const VIRTIOFSD = "/usr/lib/qemu/virtiofsd";
const host = hostCgroupMounts();
const usable = Deno.uid() === 0 && !!host && (() => {
  try {
    return Deno.statSync(VIRTIOFSD).isFile;
  } catch {
    return false;
  }
})();

/** Every virtiofsd's pid and arguments (after the binary) whose command line mentions `text`. */
function virtiofsds(text: string): { pid: number; args: string[] }[] {
  const found = [];
  for (const e of Deno.readDirSync("/proc")) {
    const pid = Number(e.name);
    if (!Number.isInteger(pid)) continue;
    let cmdline = "";
    try {
      cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`);
    } catch {
      continue;
    }
    const args = cmdline.split("\0").slice(0, -1);
    if (args[0] === VIRTIOFSD && cmdline.includes(text)) found.push({ pid, args: args.slice(1) });
  }
  return found;
}

/** The session of process `pid` (field 6 of /proc/PID/stat). */
const sessionOf = (pid: number) =>
  Number(Deno.readTextFileSync(`/proc/${pid}/stat`).replace(/^.*\) /, "").split(" ")[3]);

/** Waits (polling, up to `ms`) until `check` holds. */
async function waitFor(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`still not ${what} after ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const exists = (path: string) => {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
};

const domainXml = (name: string, shares: string) =>
  `<domain type='qemu'><name>${name}</name><memory unit='MiB'>64</memory>
<memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>
<os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features>
<devices>${shares}
<memballoon model='none'/></devices></domain>`;

Deno.test({
  name: "real QEMU on qemu:///system: virtiofs shares, the driver's virtiofsd started and stopped",
  ignore: !(haveQemu && usable) && !Deno.env.get("CI"),
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    assert.ok(haveQemu && usable, "CI runs QEMU and virtiofsd as root with cgroups");
    const tmp = await Deno.makeTempDir({ prefix: "ev-vfs-share-" });
    const share = `${tmp}/share`;
    const ext = `${tmp}/ext`;
    await Deno.mkdir(share);
    await Deno.mkdir(ext);
    let external: Deno.ChildProcess | undefined;
    try {
      await withSystemDriverInTempRoot(
        host!,
        "ev-qemu-vfs-",
        async ({ conn: first, launcher, root, reopen }) => {
          let conn = first;
          // An externally launched virtiofsd: the driver only connects QEMU to it.
          const extSocket = `${tmp}/ext.sock`;
          external = new Deno.Command(VIRTIOFSD, {
            args: [`--socket-path=${extSocket}`, "-o", `source=${ext}`],
            stdout: "null",
            stderr: "null",
          }).spawn();
          await waitFor(() => exists(extSocket), "listening");
          const dom = await conn.domainCreateXML!(
            domainXml(
              "vfs",
              `<filesystem type='mount'><driver type='virtiofs' queue='1024'/>
<binary xattr='on'><cache mode='none'/><lock posix='off' flock='on'/><thread_pool size='2'/></binary>
<source dir='${share}'/><target dir='share'/></filesystem>
<filesystem type='mount'><driver type='virtiofs'/><source socket='${extSocket}'/>
<target dir='ext'/></filesystem>`,
            ),
            0,
          );
          // The descriptor's binary in the live XML, as libvirt's qemuVirtioFSPrepareDomain.
          const live = await conn.domainGetXMLDesc!(dom, 0);
          assert.match(live, /<binary path='\/usr\/lib\/qemu\/virtiofsd' xattr='on'>/);
          // The daemon leads its own session; with sandbox=namespace it forks one child there.
          const ours = virtiofsds(`source=${share}`).filter((p) => sessionOf(p.pid) === p.pid);
          assert.equal(ours.length, 1, "one virtiofsd for the driver's share");
          const socket = ours[0].args[0].replace("--socket-path=", "");
          assert.deepEqual(ours[0].args.slice(1), [
            "-o",
            `source=${share},cache=none,xattr,flock,no_posix_lock`,
            "--thread-pool-size=2",
          ]);
          assert.ok(Deno.statSync(socket).isSocket);
          // qemuVirtioFSSetupCgroup: the daemon sits in the domain's machine group.
          const groups = Deno.readTextFileSync(`/proc/${ours[0].pid}/cgroup`);
          assert.match(groups, new RegExp(`:${root}/machine/qemu-1-vfs\\.libvirt-qemu$`, "m"));
          const extDaemons = virtiofsds(`source=${ext}`);
          assert.ok(extDaemons.some((p) => p.pid === external!.pid));
          assert.deepEqual(
            extDaemons.filter((p) => sessionOf(p.pid) === p.pid),
            [],
            "no daemon of the driver for the external share",
          );

          const monitor = launcher.procs[0].monitor;
          const peripherals = await monitor.run<{ name: string; type: string }[]>("qom-list", {
            path: "/machine/peripheral",
          });
          const types = Object.fromEntries(peripherals.map((p) => [p.name, p.type]));
          assert.equal(types.fs0, "child<vhost-user-fs-pci>");
          assert.equal(types.fs1, "child<vhost-user-fs-pci>");
          const pci = await monitor.run<
            { devices: { qdev_id: string; id: { device: number } }[] }[]
          >(
            "query-pci",
          );
          const fs = pci[0].devices.filter((d) => d.qdev_id.startsWith("fs"));
          // 0x105a: the virtio-fs PCI device id.
          assert.deepEqual(fs.map((d) => [d.qdev_id, d.id.device]), [["fs0", 0x105a], [
            "fs1",
            0x105a,
          ]]);
          assert.equal(await monitor.run("qom-get", { path: "fs0", property: "tag" }), "share");

          // qemuDomainAttachFSDevice: a live share gets the next alias, its own virtiofsd, then
          // the chardev and the device; a 9p share is refused either way.
          const hot = `${tmp}/hot`;
          await Deno.mkdir(hot);
          await conn.domainAttachDeviceFlags!(
            dom,
            `<filesystem type='mount'><driver type='virtiofs'/><source dir='${hot}'/>
<target dir='hot'/></filesystem>`,
            VIR.DOMAIN_AFFECT_LIVE,
          );
          const hotTypes = await monitor.run<{ name: string; type: string }[]>("qom-list", {
            path: "/machine/peripheral",
          });
          assert.ok(
            hotTypes.some((p) => p.name === "fs2" && p.type === "child<vhost-user-fs-pci>"),
          );
          assert.equal(
            virtiofsds(`source=${hot}`).filter((p) => sessionOf(p.pid) === p.pid).length,
            1,
          );
          assert.match(
            await conn.domainGetXMLDesc!(dom, 0),
            /<target dir='hot'\/>\s*<alias name='fs2'\/>/,
          );
          // QEMU refusing the device: the chardev and the new virtiofsd are taken back.
          const bad = `${tmp}/bad`;
          await Deno.mkdir(bad);
          await assert.rejects(
            () =>
              conn.domainAttachDeviceFlags!(
                dom,
                `<filesystem type='mount'><driver type='virtiofs' iommu='on'/>
<source dir='${bad}'/><target dir='bad'/></filesystem>`,
                VIR.DOMAIN_AFFECT_LIVE,
              ),
            /iommu_platform=true is not supported by the device/,
          );
          await waitFor(() => !virtiofsds(`source=${bad}`).length, "stopped after a failed attach");
          assert.ok(
            !(await monitor.run<{ label: string }[]>("query-chardev")).some((c) =>
              c.label === "chr-vu-fs3"
            ),
          );
          for (
            const call of [
              () =>
                conn.domainAttachDeviceFlags!(
                  dom,
                  `<filesystem type='mount'><source dir='${hot}'/><target dir='9p'/></filesystem>`,
                  VIR.DOMAIN_AFFECT_LIVE,
                ),
              () =>
                conn.domainDetachDeviceFlags!(
                  dom,
                  "<filesystem type='mount'><driver type='virtiofs'/><source dir='/x'/>" +
                    "<target dir='none'/></filesystem>",
                  VIR.DOMAIN_AFFECT_LIVE,
                ),
            ]
          ) {
            await assert.rejects(call, (e: unknown) =>
              e instanceof VirError &&
              ["only virtiofs filesystems can be hotplugged", "matching filesystem not found"]
                .some((m) => e.message.endsWith(m)));
          }

          // QEMU lists vhost-user-fs among its migration blockers, which libvirt asks for before
          // a save (qemuMigrationSrcIsAllowed); the domain runs on.
          await assert.rejects(
            () => conn.domainSaveFlags!(dom, `${tmp}/vfs.save`, null, 0),
            (e: unknown) =>
              e instanceof VirError && e.code === VIR.ERR_OPERATION_INVALID &&
              /^Requested operation is not valid: cannot migrate domain: .*vhost-user-fs/
                .test(e.message),
          );
          assert.equal((await conn.domainGetState!(dom, 0))[0], VIR.DOMAIN_RUNNING);

          // A restarted gateway finds the daemons again through their pid files.
          conn = await reopen();
          await conn.domainDestroyFlags!(await conn.domainLookupByName!("vfs"), 0);
          await waitFor(() => !virtiofsds(`source=${share}`).length, "stopped");
          await waitFor(() => !virtiofsds(`source=${hot}`).length, "stopped (the live share's)");
          await waitFor(() => !exists(socket), "without its socket");

          // QEMU refuses iommu_platform on vhost-user-fs-pci: the start fails after the driver's
          // virtiofsd began, which must not outlive it.
          await assert.rejects(
            () =>
              conn.domainCreateXML!(
                domainXml(
                  "vfs-bad",
                  `<filesystem type='mount'><driver type='virtiofs' iommu='on'/>
<source dir='${share}'/><target dir='share'/></filesystem>`,
                ),
                0,
              ),
            /iommu_platform=true is not supported by the device/,
          );
          await waitFor(
            () => !virtiofsds(`source=${share}`).length,
            "stopped after a failed start",
          );

          // libvirt's checks before virtiofsd runs (qemuVirtioFSStart), with nothing left behind.
          await assert.rejects(
            () =>
              conn.domainCreateXML!(
                domainXml(
                  "vfs-gone",
                  `<filesystem type='mount'><driver type='virtiofs'/>
<source dir='${tmp}/missing'/><target dir='share'/></filesystem>`,
                ),
                0,
              ),
            (e: unknown) =>
              e instanceof VirError && e.code === 1 &&
              e.message === `internal error: the virtiofs export directory '${tmp}/missing' ` +
                  "does not exist",
          );
          assert.deepEqual(virtiofsds(`source=${tmp}/missing`), []);
          assert.deepEqual(virtiofsds(`source=${share}`), []);
        },
      );
    } finally {
      try {
        external?.kill("SIGKILL");
      } catch {
        // Already gone.
      }
      await external?.status;
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

realQemuTest({
  name:
    "real QEMU on qemu:///session: an external virtiofsd's share is connected, an own one refused",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    assert.ok(exists(VIRTIOFSD), "CI installs qemu-system-common's virtiofsd");
    await withRealDriver("ev-qemu-vfs-session-", async ({ dir, conn, launcher }) => {
      const ext = `${dir}/ext`;
      await Deno.mkdir(ext);
      const socket = `${dir}/ext.sock`;
      const external = new Deno.Command(VIRTIOFSD, {
        args: [`--socket-path=${socket}`, "-o", `source=${ext}`],
        stdout: "null",
        stderr: "null",
      }).spawn();
      try {
        await waitFor(() => exists(socket), "listening");
        // libvirt's session driver runs no virtiofsd (record_argv.sh: pc-virtiofsd.error).
        await assert.rejects(
          () =>
            conn.domainDefineXMLFlags!(
              domainXml(
                "own",
                `<filesystem type='mount'><driver type='virtiofs'/><source dir='${ext}'/>
<target dir='own'/></filesystem>`,
              ),
              0,
            ),
          { message: "unsupported configuration: virtiofs is not yet supported in session mode" },
        );
        const dom = await conn.domainCreateXML!(
          domainXml(
            "ext",
            `<filesystem type='mount'><driver type='virtiofs'/><source socket='${socket}'/>
<target dir='ext'/></filesystem>`,
          ),
          0,
        );
        const peripherals = await launcher.procs[0].monitor.run<{ name: string; type: string }[]>(
          "qom-list",
          { path: "/machine/peripheral" },
        );
        assert.ok(
          peripherals.some((p) => p.name === "fs0" && p.type === "child<vhost-user-fs-pci>"),
        );
        // QEMU took the daemon's only connection: no second daemon, none of the driver's.
        assert.deepEqual(
          virtiofsds(`source=${ext}`).filter((p) => sessionOf(p.pid) === p.pid),
          [],
        );
        await conn.domainDestroyFlags!(dom, 0);
      } finally {
        try {
          external.kill("SIGKILL");
        } catch {
          // Already gone: it ends when QEMU lets go of it.
        }
        await external.status;
      }
    });
  },
});
