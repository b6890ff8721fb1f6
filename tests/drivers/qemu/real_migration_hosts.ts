/**
 * What the real-QEMU migration tests share: two QEMU drivers of this process on separate state
 * roots (source A, destination B) with client connections on them, the echo guest's definition,
 * the lifecycle events a driver delivers, and the check that a moved guest still echoes.
 *
 * @module
 */
import { Connection } from "../../../client/connection.ts";
import { VIR } from "../../../util/constants.ts";
import type { DomainRef } from "../../../util/contract/types.ts";
import type { DriverConnection, DriverEvent } from "../../../util/driver.ts";
import { reachEchoLoop, readUntil } from "./echo_guest.ts";
import { type KeepingLauncher, type RealDriver, withRealDriver } from "./real_qemu.ts";

/** One side of a migration: its driver and a client connection on it. */
export type Host = RealDriver & { client: Connection };

/**
 * Runs `fn` with two drivers whose folders start with `prefix`, each with its QEMUs started by
 * `launcher` (the default keeps them).
 *
 * @example
 * ```ts ignore
 * await withTwoHosts("ev-mig", async (a, b) => {});
 * ```
 */
export async function withTwoHosts(
  prefix: string,
  fn: (a: Host, b: Host) => Promise<void>,
  launcher?: (dir: string) => KeepingLauncher,
): Promise<void> {
  const host = (d: RealDriver, root: string): Host => ({
    ...d,
    client: new Connection(d.conn, `qemu:///embed?root=${root}`),
  });
  await withRealDriver(`${prefix}-a-`, async (a) => {
    await withRealDriver(`${prefix}-b-`, (b) => fn(host(a, "A"), host(b, "B")), { launcher });
  }, { launcher });
}

/**
 * The lifecycle events `conn` delivers, as [event, detail] pairs, from now on.
 *
 * @example
 * ```ts ignore
 * const seen = lifecycle(conn);
 * ```
 */
export function lifecycle(conn: DriverConnection): [number, number][] {
  const seen: [number, number][] = [];
  conn.subscribe!((ev: DriverEvent) => {
    if (ev.eventId !== VIR.DOMAIN_EVENT_ID_LIFECYCLE) return;
    seen.push([Number(ev.data.event), Number(ev.data.detail)]);
  });
  return seen;
}

/**
 * The echo guest `name` booting from `disk`, with `mib` MiB and a pty console.
 *
 * @example
 * ```ts ignore
 * guestXML("mig", "/tmp/boot.img");
 * ```
 */
export function guestXML(name: string, disk: string, mib = 32): string {
  return `<domain type='qemu'><name>${name}</name><memory unit='MiB'>${mib}</memory>
<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os><devices>
<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${disk}'/>
<target dev='hda' bus='ide'/></disk>
<serial type='pty'/><console type='pty'/><memballoon model='none'/></devices></domain>`;
}

/**
 * The moved guest's console on `b` echoes what it is sent: the guest runs on.
 *
 * @example
 * ```ts ignore
 * await echoesOn(b, moved.ref);
 * ```
 */
export async function echoesOn(b: Host, dom: DomainRef): Promise<void> {
  const stream = await b.conn.domainOpenConsole!(dom, null, 0);
  const reader = stream.readable!.getReader();
  const writer = stream.writable!.getWriter();
  await reachEchoLoop(async () => {
    const { done, value } = await reader.read();
    return done ? null : value as Uint8Array;
  }, (bytes) => writer.write(bytes));
  await writer.write(new TextEncoder().encode("moved"));
  await readUntil(reader, "moved");
  await writer.close().catch(() => {});
}
