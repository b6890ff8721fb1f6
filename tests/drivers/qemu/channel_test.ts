// virDomainOpenChannel of the QEMU driver (libvirt 9.0's qemuDomainOpenChannel, virChrdevOpen,
// virFDStreamConnectUNIX): the channel by alias or virtio target name (the first without one),
// a unix socket connected both ways, one stream per channel unless forced, and libvirt's errors.
// Against a fake QEMU whose channel socket the test itself serves, then on real QEMU 7.2 (TCG),
// where QEMU's own chardev sees the stream connect (query-chardev).
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { error, setup, XML } from "./fake_qmp/block_harness.ts";
import { realQemuTest, withRealDriver } from "./real_qemu.ts";
import { echoGuestDisk, readUntil } from "./echo_guest.ts";
import { waitFor } from "../../wait.ts";

const E = VIR;

/** The harness domain with a unix channel at `sock` (QEMU connects) and a pty channel. */
function withChannels(sock: string): string {
  return XML.replace(
    "</devices>",
    `<channel type='unix'><source mode='connect' path='${sock}'/>
<target type='virtio' name='org.example.data'/></channel>
<channel type='pty'><target type='virtio' name='org.example.tty'/></channel></devices>`,
  );
}

/** Accepts connections on `path`, each a queue of what arrived. */
function serve(path: string) {
  const listener = Deno.listen({ transport: "unix", path });
  const conns: Deno.UnixConn[] = [];
  const accepting = (async () => {
    for await (const c of listener) conns.push(c as Deno.UnixConn);
  })();
  return {
    conns,
    close: async () => {
      listener.close();
      await accepting.catch(() => {});
      for (const c of conns) c.close();
    },
  };
}

Deno.test("open-channel: by target name and alias, both ways; busy unless forced; refusals", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ev-qchan-" });
  const sock = `${dir}/data.sock`;
  const peer = serve(sock);
  const t = await setup({ xml: withChannels(sock) });
  try {
    const st = await t.conn.domainOpenChannel!(t.dom, "org.example.data", 0);
    await waitFor(() => peer.conns.length === 1);
    const writer = st.writable!.getWriter();
    await writer.write(new TextEncoder().encode("to guest"));
    const buf = new Uint8Array(64);
    const n = await peer.conns[0].read(buf);
    assert.equal(new TextDecoder().decode(buf.subarray(0, n!)), "to guest");
    await peer.conns[0].write(new TextEncoder().encode("from guest"));
    const reader = st.readable!.getReader();
    assert.equal(await readUntil(reader, "from guest"), "from guest");

    // One stream per channel: by its alias it is the same channel, so busy.
    let e = await error(t.conn.domainOpenChannel!(t.dom, "channel0", 0));
    assert.deepEqual([e.code, e.domain, e.message], [
      E.ERR_OPERATION_FAILED,
      E.FROM_QEMU,
      "operation failed: Active channel stream exists for this domain",
    ]);
    // FORCE ends the old stream and opens a new one; no name means the first channel.
    const forced = await t.conn.domainOpenChannel!(t.dom, null, E.DOMAIN_CHANNEL_FORCE);
    assert.equal((await reader.read()).done, true);
    await waitFor(() => peer.conns.length === 2);
    const forcedWriter = forced.writable!.getWriter();
    await forcedWriter.write(new TextEncoder().encode("again"));
    const m = await peer.conns[1].read(buf);
    assert.equal(new TextDecoder().decode(buf.subarray(0, m!)), "again");

    e = await error(t.conn.domainOpenChannel!(t.dom, "nope", 0));
    assert.deepEqual([e.code, e.message], [
      E.ERR_INTERNAL_ERROR,
      "internal error: cannot find channel nope",
    ]);
    e = await error(t.conn.domainOpenChannel!(t.dom, "org.example.tty", 0));
    assert.equal(e.message, "internal error: channel org.example.tty is not using a UNIX socket");
    // libvirt's QEMU driver takes FORCE only; SAFE is the console's.
    e = await error(t.conn.domainOpenChannel!(t.dom, null, E.DOMAIN_CONSOLE_SAFE));
    assert.deepEqual([e.code, e.message], [
      E.ERR_INVALID_ARG,
      "unsupported flags (0x2) in function qemuDomainOpenChannel",
    ]);
    await forcedWriter.close();
    await t.conn.domainDestroyFlags!(t.dom, 0);
    e = await error(t.conn.domainOpenChannel!(t.dom, null, 0));
    assert.equal(e.message, "Requested operation is not valid: domain is not running");
  } finally {
    await t.close();
    await peer.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("open-channel of a domain without channels: libvirt's '<null>' wording", async () => {
  const t = await setup();
  try {
    const e = await error(t.conn.domainOpenChannel!(t.dom, null, 0));
    assert.equal(e.message, "internal error: cannot find channel <null>");
  } finally {
    await t.close();
  }
});

realQemuTest({
  name: "real QEMU: open-channel connects a virtio-serial channel QEMU serves",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-chan-", async ({ dir, conn, launcher }) => {
      const disk = `${dir}/boot.img`;
      await Deno.writeFile(disk, echoGuestDisk());
      const xml = `<domain type='qemu'><name>chan</name><memory unit='MiB'>32</memory>
<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os><devices>
<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${disk}'/>
<target dev='hda' bus='ide'/></disk>
<channel type='unix'><target type='virtio' name='org.example.echo'/></channel>
<memballoon model='none'/></devices></domain>`;
      const dom = await conn.domainCreateXML!(xml, 0);
      const mon = launcher.procs.at(-1)!.monitor;
      type Chardev = { label: string; filename: string; "frontend-open": boolean };
      const chardev = async () =>
        (await mon.run<Chardev[]>("query-chardev")).find((c) => c.label === "charchannel0")!;
      // QEMU listens on the socket libvirt's path rules gave it, nobody connected yet.
      const before = await chardev();
      assert.match(before.filename, /^disconnected:unix:.*\/org\.example\.echo,server=on$/);
      const st = await conn.domainOpenChannel!(dom, "org.example.echo", 0);
      await waitFor(async () => !(await chardev()).filename.startsWith("disconnected:"));
      assert.match((await chardev()).filename, /^unix:.*\/org\.example\.echo,server=on$/);
      // Writes reach QEMU's chardev (the guest has no driver to read them; they queue).
      await st.writable!.getWriter().write(new TextEncoder().encode("ping"));
      const e = await conn.domainOpenChannel!(dom, "channel0", 0).then(() => null, (e) => e);
      assert.equal(e?.message, "operation failed: Active channel stream exists for this domain");
      // Ending the stream disconnects QEMU's side again.
      await st.readable!.cancel();
      await waitFor(async () => (await chardev()).filename.startsWith("disconnected:"));
      await conn.domainDestroyFlags!(dom, 0);
    });
  },
});
