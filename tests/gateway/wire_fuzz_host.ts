/**
 * The wire fuzzer's host target: an in-process gateway serving `qemu:///session` with the host's
 * secondary drivers beside the QEMU driver, as a gateway on a real host serves them — storage,
 * secret, network, node device and interface — each held to what it may touch: every file
 * under one scratch state directory, the node device, interface and PCI host-device code on a
 * recorded copy of another machine's sysfs (`tests/drivers/node_device/recording.ts`), the
 * network driver's `ip`, `iptables`, `sysctl` and `dnsmasq` inside a network namespace the
 * caller made (`hostRunner(netns)`), and QEMUs that are fake QMP peers. Nothing of the host's
 * own network, disks or devices is within reach.
 *
 * @module
 */
import { qemuConnectDriver, type QemuConnectOptions } from "../../drivers/qemu/mod.ts";
import { FakeLauncher, FakeTapHost } from "../../drivers/qemu/testing/mod.ts";
import { hostRunner } from "../../drivers/network/runner.ts";
import { storageDriver } from "../../drivers/storage/mod.ts";
import { secretDriver } from "../../drivers/secret/mod.ts";
import { networkDriver } from "../../drivers/network/mod.ts";
import { nodeDeviceDriver } from "../../drivers/node_device/mod.ts";
import { interfaceDriver } from "../../drivers/interface/mod.ts";
import type { SecondaryDriver } from "../../util/contract/compose.ts";
import type { FamilyName } from "../../util/contract/mod.ts";
import type { Gateway } from "../../gateway/app.ts";
import { createRegistry } from "../../util/registry.ts";
import { recordedEthtool } from "../drivers/node_device/recording.ts";
import { startGateway, TOKENS } from "./helpers.ts";
import { stateFiles } from "./wire_fuzz_qemu.ts";

/** The families of the host's secondary drivers, each fuzzed on its own. */
export const HOST_FAMILIES: readonly FamilyName[] = [
  "storage",
  "secret",
  "network",
  "nodedev",
  "interface",
];

/** A gateway serving the QEMU driver and the host's secondary drivers, held in. */
export interface HostFuzzTarget {
  gateway: Gateway;
  /** Where every driver keeps its files. */
  stateDir: string;
  /** Every file of the state directory (definitions, secrets, volumes of pools inside it). */
  hostState(): Promise<Map<string, string>>;
  /** Closes the gateway and removes the state directory. */
  close(): Promise<void>;
}

/**
 * Opens the target: every driver's files under a fresh state directory, devices read from the
 * recorded sysfs at `sysfsRoot`, network commands in namespace `netns` (none: they run nowhere,
 * every command failing as a missing program does, for callers that start no network).
 */
export async function hostFuzzTarget(
  opts: { sysfsRoot: string; netns?: string },
): Promise<HostFuzzTarget> {
  const stateDir = await Deno.makeTempDir({ prefix: "ev-fuzz-host-" });
  const held = {
    stateDir,
    sysfsRoot: opts.sysfsRoot,
    udevDataDir: `${opts.sysfsRoot}/no-udev-database`,
    procRoot: `${stateDir}/proc`,
    ethtool: recordedEthtool,
    networkRunner: opts.netns ? hostRunner(opts.netns) : noRunner,
  };
  const hold = (d: SecondaryDriver): SecondaryDriver => ({
    ...d,
    open: (uri, options) => d.open(uri, { ...options, ...held }),
  });
  const registry = createRegistry(
    [{
      ...qemuConnectDriver,
      open: (uri: URL, options: QemuConnectOptions) =>
        qemuConnectDriver.open(uri, {
          ...options,
          stateDir,
          launcher: new FakeLauncher(),
          sysfsRoot: opts.sysfsRoot,
          taps: new FakeTapHost([]),
        }),
    }],
    [storageDriver, secretDriver, networkDriver, nodeDeviceDriver, interfaceDriver].map(hold),
  );
  const gateway = await startGateway(undefined, ["qemu:///session"], registry);
  const call = fullCall(gateway);
  const close = async () => {
    // Networks outlive their daemon, as libvirt's: their bridges and dnsmasq go with them here.
    for (const net of await call("connectListAllNetworks", [2]) as unknown[]) {
      await call("networkDestroy", [net]).catch(() => {});
    }
    await gateway.close();
    await Deno.remove(stateDir, { recursive: true });
  };
  try {
    await populate(call, stateDir, opts.netns !== undefined);
  } catch (e) {
    await close();
    throw e;
  }
  return { gateway, stateDir, hostState: () => stateFiles(stateDir), close };
}

/** A full caller's call of the served URI: its result, or an error. */
type FullCall = (method: string, args: unknown[]) => Promise<unknown>;

function fullCall(gateway: Gateway): FullCall {
  return async (method, args) => {
    const res = await gateway.fetch(
      new Request(`http://127.0.0.1/v1/qemu/session/call/${method}`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKENS.full}`, "content-type": "application/json" },
        body: JSON.stringify(args),
      }),
    );
    const body = await res.json();
    if (!res.ok) throw new Error(`${method}: ${JSON.stringify(body)}`);
    return body.result;
  };
}

/**
 * Gives each family objects for fuzzed calls to reach: a running pool in the state directory
 * with a volume, a secret with a value, and with a network namespace a running NAT network
 * (devices and interfaces come with the recorded sysfs).
 */
async function populate(call: FullCall, stateDir: string, network: boolean): Promise<void> {
  const pool = await call("storagePoolDefineXML", [
    `<pool type='dir'><name>fzp</name><target><path>${stateDir}/pool</path></target></pool>`,
    0,
  ]);
  await call("storagePoolBuild", [pool, 0]);
  await call("storagePoolCreate", [pool, 0]);
  await call("storageVolCreateXML", [
    pool,
    "<volume><name>v.img</name><capacity unit='KiB'>64</capacity></volume>",
    0,
  ]);
  const secret = await call("secretDefineXML", [
    "<secret ephemeral='no' private='no'><usage type='ceph'><name>fz</name></usage></secret>",
    0,
  ]);
  await call("secretSetValue", [secret, [1, 2, 3], 0]);
  if (network) {
    const net = await call("networkDefineXMLFlags", [
      "<network><name>fzn</name><forward mode='nat'/>" +
      "<ip address='192.168.151.1' netmask='255.255.255.0'>" +
      "<dhcp><range start='192.168.151.2' end='192.168.151.254'/></dhcp></ip></network>",
      0,
    ]);
    await call("networkCreate", [net]);
  }
}

/** A runner that runs nothing: as if no program were installed. */
const noRunner = {
  run: (argv: readonly string[]) =>
    Promise.resolve({ code: 127, stdout: "", stderr: `Cannot find program '${argv[0]}'` }),
  kill: () => false,
};

/** What of the host outside the target the fuzzed drivers must never change. */
export interface OutsideState {
  /** The host's own network interfaces: name → flags, MTU, master. */
  links: Record<string, string>;
  /** The host's firewall rules by table (`iptables -S`). */
  rules: Record<string, string>;
  /** The entries of `/`, the checkout's changed files, the host's edgevirt state folders. */
  files: Record<string, string>;
}

/** A command's standard output; "absent" when it cannot run. */
async function output(cmd: string, ...args: string[]): Promise<string> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).output();
    return new TextDecoder().decode(out.stdout);
  } catch {
    return "absent";
  }
}

/** The names in a folder, sorted; "absent" for none. */
function names(dir: string): string {
  try {
    return [...Deno.readDirSync(dir)].map((e) => e.name).sort().join(" ");
  } catch {
    return "absent";
  }
}

/** The host as {@link OutsideState} sees it. */
export async function outsideState(): Promise<OutsideState> {
  const links: Record<string, string> = {};
  const list = JSON.parse(await output("ip", "-j", "link", "show") || "[]") as {
    ifname: string;
    flags: string[];
    mtu: number;
    master?: string;
  }[];
  for (const l of list) links[l.ifname] = `${l.flags.join(",")} mtu ${l.mtu} ${l.master ?? ""}`;
  const rules: Record<string, string> = {};
  for (const table of ["filter", "nat", "mangle"]) {
    rules[table] = await output("iptables", "-w", "-t", table, "-S");
  }
  const checkout = new URL("../..", import.meta.url).pathname;
  const home = Deno.env.get("HOME") ?? "/root";
  return {
    links,
    rules,
    files: {
      "/": names("/"),
      checkout: await output("git", "-C", checkout, "status", "--porcelain", "--untracked-files"),
      "/etc/edgevirt": names("/etc/edgevirt"),
      "/run/edgevirt": names("/run/edgevirt"),
      "~/.config/edgevirt": names(`${home}/.config/edgevirt`),
    },
  };
}

/**
 * The differences between two {@link OutsideState}s that the fuzzed drivers could have made:
 * any interface of the host changed or gone, a new one of the kinds they make (bridges, taps),
 * any other change. Interfaces other programs come and go with on a shared machine are not
 * counted.
 */
export function outsideChanges(before: OutsideState, after: OutsideState): string[] {
  const out: string[] = [];
  for (const [name, was] of Object.entries(before.links)) {
    if (after.links[name] !== was) out.push(`link ${name}: ${was} → ${after.links[name]}`);
  }
  for (const name of Object.keys(after.links)) {
    if (!(name in before.links) && /^(virbr|fzbr|vnet|tap|macvtap)/.test(name)) {
      out.push(`new link ${name}`);
    }
  }
  for (const k of ["rules", "files"] as const) {
    for (const [name, was] of Object.entries(before[k])) {
      if (after[k][name] !== was) out.push(`${k} ${name}: ${was} → ${after[k][name]}`);
    }
  }
  return out;
}
