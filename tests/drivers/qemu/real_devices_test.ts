// Real QEMU 7.2 (TCG): the live XML reports the pty and VNC port QEMU chose, QEMU runs in a
// session of its own (the gateway's Ctrl-C never reaches it), and an empty cdrom starts.
// Without QEMU this test is ignored on a developer machine but FAILS in CI.
import assert from "node:assert/strict";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import { realQemuTest, withRealDriver } from "./real_qemu.ts";

const CHILD = new URL("./fault_child.ts", import.meta.url).pathname;

/** Fields 6 and 8 of /proc/PID/stat after the command name: process group and session. */
function groupAndSession(pid: number): [number, number] {
  const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).replace(/^.*\) /, "").split(" ");
  return [Number(fields[2]), Number(fields[3])];
}

realQemuTest({
  name: "real QEMU: own session, live pty path and VNC port, a telnet serial port, empty cdrom, " +
    "raw disk, user NIC",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "ev-qemu-dev-" });
    const disk = `${dir}/disk.img`;
    await Deno.writeFile(disk, new Uint8Array(1024 * 1024));
    const conn = await qemuConnectDriver.open(new URL("qemu:///session"), {
      stateDir: dir,
    }) as DriverConnection;
    let pid = 0;
    // A free port for the TCP serial port (the kernel's pick, released for QEMU).
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const telnetPort = (probe.addr as Deno.NetAddr).port;
    probe.close();
    try {
      const dom = await conn.domainCreateXML!(
        `<domain type='qemu'><name>rd</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${disk}'/>
<target dev='vda' bus='virtio'/></disk>
<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>
<interface type='user'><model type='virtio'/></interface>
<serial type='pty'/><console type='pty'/><graphics type='vnc' autoport='yes'/>
<serial type='tcp'><source mode='bind' host='127.0.0.1' service='${telnetPort}'/>
<protocol type='telnet'/></serial>
<memballoon model='none'/></devices></domain>`,
        0,
      );
      const status = JSON.parse(await Deno.readTextFile(`${dir}/run/rd.status.json`));
      pid = status.pid;
      const [group, session] = groupAndSession(pid);
      assert.deepEqual([group, session], [pid, pid], "QEMU leads its own session");
      assert.notEqual(session, groupAndSession(Deno.pid)[1]);

      const live = await conn.domainGetXMLDesc!(dom, 0);
      const pty = live.match(/<serial type='pty'>\s*<source path='([^']+)'\/>/)?.[1];
      assert.ok(pty && Deno.statSync(pty).isCharDevice, `serial pty: ${pty}`);
      assert.match(live, new RegExp(`<console type='pty' tty='${pty}'>`));
      const port = Number(live.match(/<graphics type='vnc' port='(\d+)'/)?.[1]);
      assert.ok(port >= 5900, `VNC port ${port}`);
      // The port is QEMU's own: its VNC server greets there.
      const sock = await Deno.connect({ hostname: "127.0.0.1", port });
      const hello = new Uint8Array(12);
      assert.equal(await sock.read(hello), 12);
      sock.close();
      assert.equal(new TextDecoder().decode(hello), "RFB 003.008\n");
      // The second serial port is QEMU's telnet server: it opens with an IAC negotiation.
      const telnet = await Deno.connect({ hostname: "127.0.0.1", port: telnetPort });
      const iac = new Uint8Array(3);
      assert.ok(((await telnet.read(iac)) ?? 0) >= 1);
      telnet.close();
      assert.equal(iac[0], 0xff);
      await conn.domainDestroyFlags!(dom, 0);
    } finally {
      await conn.connectClose();
      if (pid) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

realQemuTest({
  name: "real QEMU: Ctrl-C of a foreground driver process leaves its VM running",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "ev-qemu-sigint-" });
    // The child leads its own process group, as a foreground job of a shell does: the terminal's
    // Ctrl-C is a SIGINT to that whole group.
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CHILD, dir, "start"],
      stdout: "piped",
      stderr: "null",
      detached: true,
    }).spawn();
    let qemu = 0;
    try {
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let out = "";
      while (!out.includes("end start d0 ok")) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`child ended before the start: ${out}`);
        out += value;
      }
      reader.cancel();
      qemu = JSON.parse(await Deno.readTextFile(`${dir}/run/d0.status.json`)).pid;
      Deno.kill(-child.pid, "SIGINT");
      const status = await child.status;
      assert.equal(status.signal, "SIGINT", "the driver process itself ends");
      await new Promise((r) => setTimeout(r, 200));
      const state = Deno.readTextFileSync(`/proc/${qemu}/stat`).replace(/^.*\) /, "")[0];
      assert.notEqual(state, "Z", "QEMU still runs");
    } finally {
      try {
        Deno.kill(-child.pid, "SIGKILL");
      } catch {
        // The group is gone.
      }
      if (qemu) Deno.kill(qemu, "SIGKILL");
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

realQemuTest({
  name: "real QEMU: VNC listens where the definition says (an address, a unix socket)",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-vnc-", async ({ dir, conn }) => {
      const xml = (name: string, graphics: string) =>
        `<domain type='qemu'><name>${name}</name><memory unit='MiB'>32</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>${graphics}
<memballoon model='none'/></devices></domain>`;
      const greeting = async (conn: Deno.Conn) => {
        const hello = new Uint8Array(12);
        assert.equal(await conn.read(hello), 12);
        conn.close();
        return new TextDecoder().decode(hello);
      };
      const socket = `${dir}/vnc.sock`;
      const onSocket = await conn.domainCreateXML!(
        xml("vs", `<graphics type='vnc'><listen type='socket' socket='${socket}'/></graphics>`),
        0,
      );
      assert.equal(
        await greeting(await Deno.connect({ transport: "unix", path: socket })),
        "RFB 003.008\n",
      );
      assert.doesNotMatch(await conn.domainGetXMLDesc!(onSocket, 0), /<graphics[^>]* port=/);
      await conn.domainDestroyFlags!(onSocket, 0);

      const onAddress = await conn.domainCreateXML!(
        xml("va", "<graphics type='vnc' autoport='yes' listen='127.0.0.2'/>"),
        0,
      );
      const live = await conn.domainGetXMLDesc!(onAddress, 0);
      const port = Number(live.match(/<graphics type='vnc' port='(\d+)'/)?.[1]);
      assert.match(live, /<listen type='address' address='127\.0\.0\.2'\/>/);
      assert.equal(
        await greeting(await Deno.connect({ hostname: "127.0.0.2", port })),
        "RFB 003.008\n",
      );
      await conn.domainDestroyFlags!(onAddress, 0);
    });
  },
});
