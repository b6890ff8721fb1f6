/**
 * A running network's dnsmasq (`networkStartDhcpDaemon`, `networkRefreshDhcpDaemon`, the
 * dnsmasq part of `networkShutdownNetworkVirtual`): its files written, the daemon started
 * through the {@link HostRunner}, its pid read back from the pid file, SIGHUP after a hosts
 * change, SIGTERM (then SIGKILL) at the end.
 *
 * Leases: libvirt runs dnsmasq with `--leasefile-ro --dhcp-script=libvirt_leaseshelper`, whose
 * JSON status file `virNetworkGetDHCPLeases` reads. There is no such helper here: dnsmasq keeps
 * its own lease file (`--dhcp-leasefile=STATE/dnsmasq/NAME.leases`), which
 * {@link readLeases} reads. The only visible difference: an IPv6 lease has no MAC address
 * (dnsmasq records the client's DUID and IAID instead).
 *
 * @module
 */
import type { NetworkDef } from "../../conf/network/mod.ts";
import { type NetworkObj } from "../../conf/objects/network_obj.ts";
import { VirError } from "../../util/errors.ts";
import { ipsOf } from "./addr.ts";
import { dnsmasqContents, escapeName } from "./dnsmasq_conf.ts";
import { removeIfExists } from "../../util/config_files.ts";
import { writeFile } from "./state.ts";
import type { NetworkState } from "./state.ts";

/** The dnsmasq program libvirt finds on Debian. */
const DNSMASQ = "/usr/sbin/dnsmasq";

/**
 * The files of a network's dnsmasq.
 *
 * @example
 * ```ts
 * import { dnsmasqFiles } from "./dnsmasq.ts";
 * declare const state: import("./state.ts").NetworkState;
 * dnsmasqFiles(state, "default").conf; // ".../dnsmasq/default.conf"
 * ```
 */
export function dnsmasqFiles(state: NetworkState, name: string) {
  // libvirt XML-escapes the name in the two hosts files' names only.
  const dir = state.paths.dnsmasqDir;
  const base = `${dir}/${escapeName(name)}`;
  return {
    pidFile: `${state.paths.stateDir}/${name}.pid`,
    conf: `${dir}/${name}.conf`,
    hostsFile: `${base}.hostsfile`,
    addnHostsFile: `${base}.addnhosts`,
    leaseFile: `${dir}/${name}.leases`,
  };
}

/**
 * Whether a network needs dnsmasq (`networkStartDhcpDaemon`'s first checks).
 *
 * @example
 * ```ts
 * import { needsDnsmasq } from "./dnsmasq.ts";
 * import { parseNetworkXML } from "../../conf/network/mod.ts";
 * needsDnsmasq(parseNetworkXML("<network><name>n</name></network>")); // false
 * ```
 */
export function needsDnsmasq(def: NetworkDef): boolean {
  const ips = ipsOf(def);
  if (!ips.length) return false;
  const dhcp = ips.some((ip) => ip.ranges.length || ip.hosts.length || ip.tftpRoot !== undefined);
  return dhcp || def.dns.enable !== false;
}

async function writeHosts(state: NetworkState, def: NetworkDef): Promise<string> {
  const files = dnsmasqFiles(state, def.name);
  const c = dnsmasqContents(def, files);
  // dnsmasq rereads these on SIGHUP as the unprivileged user it has become: libvirt writes
  // them world-readable (fopen), its configuration file 0600.
  await writeFile(files.hostsFile, c.hosts, 0o644);
  await writeFile(files.addnHostsFile, c.addnHosts, 0o644);
  return c.conf;
}

/**
 * Starts the dnsmasq of a running network, if it needs one.
 *
 * @example
 * ```ts
 * import { startDnsmasq } from "./dnsmasq.ts";
 * declare const state: import("./state.ts").NetworkState;
 * declare const obj: import("../../conf/objects/network_obj.ts").NetworkObj;
 * await startDnsmasq(state, obj);
 * ```
 */
export async function startDnsmasq(state: NetworkState, obj: NetworkObj): Promise<void> {
  const def = obj.def;
  if (!needsDnsmasq(def)) return;
  const files = dnsmasqFiles(state, def.name);
  const conf = await writeHosts(state, def);
  await writeFile(files.conf, conf);
  await removeIfExists(files.pidFile);
  const argv = [DNSMASQ, `--conf-file=${files.conf}`, `--dhcp-leasefile=${files.leaseFile}`];
  const r = await state.runner.run(argv, { VIR_BRIDGE_NAME: def.bridge.name! });
  if (r.code === 127) {
    // libvirt's dnsmasqCapsRefresh finds no binary before it ever runs one.
    throw VirError.bare(
      "NONE",
      "SYSTEM_ERROR",
      `Cannot check dnsmasq binary ${DNSMASQ}: No such file or directory`,
    );
  }
  if (r.code !== 0) {
    throw VirError.report(
      "NONE",
      "INTERNAL_ERROR",
      `Child process (${argv.join(" ")}) unexpected exit status ${r.code}: ${r.stderr.trim()}`,
    );
  }
  // dnsmasq's parent exits once the daemon has written its pid file, as libvirt relies on.
  const pid = Number((await Deno.readTextFile(files.pidFile)).trim());
  if (!Number.isInteger(pid) || pid <= 0) {
    throw VirError.report("NETWORK", "INTERNAL_ERROR", `invalid pid file '${files.pidFile}'`);
  }
  state.dnsmasq.set(def.uuid, pid);
}

/**
 * `networkRefreshDhcpDaemon`: new hosts files and a SIGHUP, or a fresh dnsmasq when none runs;
 * the configuration file stays as dnsmasq read it.
 *
 * @example
 * ```ts
 * import { refreshDnsmasq } from "./dnsmasq.ts";
 * declare const state: import("./state.ts").NetworkState;
 * declare const obj: import("../../conf/objects/network_obj.ts").NetworkObj;
 * await refreshDnsmasq(state, obj);
 * ```
 */
export async function refreshDnsmasq(state: NetworkState, obj: NetworkObj): Promise<void> {
  const pid = state.dnsmasq.get(obj.def.uuid);
  if (pid === undefined || !state.runner.kill(pid, 0)) {
    state.dnsmasq.delete(obj.def.uuid);
    await startDnsmasq(state, obj);
    return;
  }
  // dnsmasqSave rewrites only the two hosts files: dnsmasq, no longer root, rereads only them.
  await writeHosts(state, obj.def);
  state.runner.kill(pid, "SIGHUP");
}

/**
 * Sends SIGTERM to a network's dnsmasq (the first step of its shutdown).
 *
 * @example
 * ```ts
 * import { termDnsmasq } from "./dnsmasq.ts";
 * declare const state: import("./state.ts").NetworkState;
 * declare const obj: import("../../conf/objects/network_obj.ts").NetworkObj;
 * termDnsmasq(state, obj);
 * ```
 */
export function termDnsmasq(state: NetworkState, obj: NetworkObj): void {
  const pid = state.dnsmasq.get(obj.def.uuid);
  if (pid !== undefined) state.runner.kill(pid, "SIGTERM");
}

/**
 * The end of a network's dnsmasq: SIGKILL if it outlived SIGTERM, and its files gone (all but
 * the leases, which `keepLeases` keeps for the network's next start).
 *
 * @example
 * ```ts
 * import { reapDnsmasq } from "./dnsmasq.ts";
 * declare const state: import("./state.ts").NetworkState;
 * declare const obj: import("../../conf/objects/network_obj.ts").NetworkObj;
 * await reapDnsmasq(state, obj, true);
 * ```
 */
export async function reapDnsmasq(
  state: NetworkState,
  obj: NetworkObj,
  keepLeases: boolean,
): Promise<void> {
  const pid = state.dnsmasq.get(obj.def.uuid);
  if (pid !== undefined && state.runner.kill(pid, 0)) {
    // dnsmasq exits within milliseconds of SIGTERM; libvirt then checks once and kills.
    for (let i = 0; i < 20 && state.runner.kill(pid, 0); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    if (state.runner.kill(pid, 0)) state.runner.kill(pid, "SIGKILL");
  }
  state.dnsmasq.delete(obj.def.uuid);
  const files = dnsmasqFiles(state, obj.def.name);
  for (const f of [files.pidFile, files.conf, files.hostsFile, files.addnHostsFile]) {
    await removeIfExists(f);
  }
  if (!keepLeases) await removeIfExists(files.leaseFile);
}

/**
 * The dnsmasq of a network that was running before the driver (re)started, if it still runs
 * (`networkRefreshDaemons`' pid check).
 *
 * @example
 * ```ts
 * import { adoptDnsmasq } from "./dnsmasq.ts";
 * declare const state: import("./state.ts").NetworkState;
 * declare const obj: import("../../conf/objects/network_obj.ts").NetworkObj;
 * await adoptDnsmasq(state, obj);
 * ```
 */
export async function adoptDnsmasq(state: NetworkState, obj: NetworkObj): Promise<void> {
  try {
    const pid = Number((await Deno.readTextFile(dnsmasqFiles(state, obj.def.name).pidFile)).trim());
    if (pid > 0 && state.runner.kill(pid, 0)) state.dnsmasq.set(obj.def.uuid, pid);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}
