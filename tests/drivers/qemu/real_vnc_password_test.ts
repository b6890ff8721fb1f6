// A real QEMU's VNC server (on a unix socket, so no port is shared with other tests) asks for the
// password the XML gives, as libvirt's does: an RFB client (VNC authentication: the challenge
// DES-encrypted with the password) gets in with it and not with another; updateDeviceFlags
// gives it a new password live, and a password whose passwdValidTo has passed lets nobody in.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createCipheriv } from "node:crypto";
import { VIR } from "../../../util/constants.ts";
import { realQemuTest, withRealDriver } from "./real_qemu.ts";

/** Reads exactly `n` bytes. */
async function readN(conn: Deno.Conn, n: number): Promise<Uint8Array> {
  const buf = new Uint8Array(n);
  let at = 0;
  while (at < n) {
    const got = await conn.read(buf.subarray(at));
    if (got === null) throw new Error(`RFB: closed after ${at} of ${n} bytes`);
    at += got;
  }
  return buf;
}

/** VNC authentication's DES key: the password's first 8 bytes, each byte's bits reversed. */
function vncKey(password: string): Uint8Array {
  const key = new Uint8Array(8);
  new TextEncoder().encode(password).slice(0, 8).forEach((b, i) => {
    let r = 0;
    for (let bit = 0; bit < 8; bit++) if (b & (1 << bit)) r |= 1 << (7 - bit);
    key[i] = r;
  });
  return key;
}

/** DES-ECB of each 8-byte block (3DES with one key three times is DES). */
function desEcb(key: Uint8Array, data: Uint8Array): Uint8Array {
  const key3 = Buffer.concat([key, key, key]);
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += 8) {
    const c = createCipheriv("des-ede3-cbc", key3, Buffer.alloc(8)).setAutoPadding(false);
    out.push(Buffer.concat([c.update(data.subarray(at, at + 8)), c.final()]));
  }
  return Buffer.concat(out);
}

/**
 * Connects to the VNC server on `socket` and authenticates with `password`: the security types
 * offered, and whether the server let the client in.
 */
async function vncLogin(socket: string, password: string): Promise<[number[], boolean]> {
  const conn = await Deno.connect({ transport: "unix", path: socket });
  try {
    const version = new TextDecoder().decode(await readN(conn, 12));
    assert.match(version, /^RFB 003\.00\d\n$/);
    await conn.write(new TextEncoder().encode("RFB 003.008\n"));
    const [count] = await readN(conn, 1);
    const types = [...await readN(conn, count)];
    if (!types.includes(2)) return [types, false];
    await conn.write(new Uint8Array([2]));
    const challenge = await readN(conn, 16);
    await conn.write(desEcb(vncKey(password), challenge));
    const result = new DataView((await readN(conn, 4)).buffer).getUint32(0);
    return [types, result === 0];
  } finally {
    conn.close();
  }
}

realQemuTest({
  name: "real QEMU: the VNC server asks for the XML's password, changed live by update-device",
  fn: () =>
    withRealDriver("ev-vncpw-", async ({ dir, conn }) => {
      const socket = `${dir}/vnc.sock`;
      const graphics = (attrs: string) =>
        `<graphics type='vnc' ${attrs}><listen type='socket' socket='${socket}'/></graphics>`;
      const dom = await conn.domainCreateXML!(
        `<domain type='qemu'><name>vncpw</name><memory unit='MiB'>32</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os>
<devices>${
          graphics("passwd='s3cret' keymap='en-us'")
        }<memballoon model='none'/></devices></domain>`,
        0,
      );
      assert.deepEqual(await vncLogin(socket, "s3cret"), [[2], true]);
      assert.deepEqual(await vncLogin(socket, "wrong"), [[2], false]);
      await conn.domainUpdateDeviceFlags!(
        dom,
        graphics("passwd='n3w' keymap='en-us'"),
        VIR.DOMAIN_AFFECT_LIVE,
      );
      assert.deepEqual(await vncLogin(socket, "n3w"), [[2], true]);
      assert.deepEqual(await vncLogin(socket, "s3cret"), [[2], false]);
      // An expiry in the past: QEMU is told "now", and the password lets nobody in.
      await conn.domainUpdateDeviceFlags!(
        dom,
        graphics("passwd='n3w' passwdValidTo='2016-07-11T00:17:00' keymap='en-us'"),
        VIR.DOMAIN_AFFECT_LIVE,
      );
      assert.deepEqual(await vncLogin(socket, "n3w"), [[2], false]);
      assert.match(
        await conn.domainGetXMLDesc!(dom, VIR.DOMAIN_XML_SECURE),
        /<graphics type='vnc' socket='[^']+' keymap='en-us' passwd='n3w' passwdValidTo='2016-07-11T00:17:00'>/,
      );
      await conn.domainDestroyFlags!(dom, 0);
    }),
});
