/**
 * The wire fuzzer's `qemu:///session` target: an in-process gateway (`helpers.ts`' callers)
 * serving the QEMU driver alone over a fresh state directory — its QEMUs fake QMP peers
 * (`drivers/qemu/testing`) or, for the bench, real ones. Every connection to `qemu:///session`
 * (the REST routes', each HTTP and WebSocket session's) opens through a registry of that
 * driver alone, so none reaches the host's own `qemu:///session` (the user's definitions, a
 * daemon other programs share), and none has the host's secondary drivers: fuzzed network and
 * pool definitions must not reach the host's interfaces or disks, so those calls are refused as
 * the driver lacks them.
 *
 * @module
 */
import { qemuConnectDriver, type QemuConnectOptions } from "../../drivers/qemu/mod.ts";
import type { QemuLauncher } from "../../drivers/qemu/process/mod.ts";
import type { Gateway } from "../../gateway/app.ts";
import { createRegistry } from "../../util/registry.ts";
import { startGateway, TOKENS } from "./helpers.ts";

/** A gateway serving a QEMU driver, and what the fuzzer compares beside the wire. */
export interface QemuFuzzTarget {
  gateway: Gateway;
  /** Every file of the driver's state directory (definitions, autostart links, status). */
  hostState(): Promise<Map<string, string>>;
  /** Destroys the domains still running (real QEMUs outlive the driver), closes, removes. */
  close(): Promise<void>;
}

/**
 * Every regular file under `dir`, by path relative to it, with its text — but `cache/`: the
 * driver's memo of host probes (the emulator's capabilities), written on first need whoever's
 * call needed it, is no state of any caller's.
 */
export async function stateFiles(dir: string, prefix = ""): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const e of Deno.readDir(`${dir}/${prefix}`)) {
    const rel = `${prefix}${e.name}`;
    if (rel === "cache") continue;
    if (e.isDirectory) { for (const [k, v] of await stateFiles(dir, `${rel}/`)) out.set(k, v); }
    else if (e.isFile) out.set(rel, await Deno.readTextFile(`${dir}/${rel}`).catch(String));
  }
  return out;
}

/** A QEMU domain the fake QMP peers run: q35, 64 MiB, no devices but the ones it cannot lack. */
export const qemuDomainXml = (name: string): string =>
  `<domain type='qemu'><name>${name}</name><memory unit='MiB'>64</memory>` +
  `<os><type arch='x86_64' machine='q35'>hvm</type></os>` +
  `<devices><memballoon model='none'/></devices></domain>`;

/**
 * Opens the target with two running domains (`q1`, and `web-q1` for the restricted caller)
 * and one defined (`q2`), so that fuzzed calls reach live and inactive domains.
 */
export async function qemuFuzzTarget(launcher: QemuLauncher): Promise<QemuFuzzTarget> {
  const stateDir = await Deno.makeTempDir({ prefix: "ev-fuzz-qemu-" });
  // Connections of one state directory share its driver state, as the host's share theirs.
  const registry = createRegistry([{
    ...qemuConnectDriver,
    open: (uri: URL, options: QemuConnectOptions) =>
      qemuConnectDriver.open(uri, { ...options, stateDir, launcher }),
  }]);
  const gateway = await startGateway(undefined, ["qemu:///session"], registry);
  /** A full-token request; the answer's `result` (or the whole body), or an error. */
  const full = async (method: string, path: string, body?: unknown) => {
    const res = await gateway.fetch(
      new Request(`http://127.0.0.1${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKENS.full}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${text}`);
    const json = text ? JSON.parse(text) : {};
    return "result" in json ? json.result : json;
  };
  const call = (method: string, args: unknown[]) =>
    full("POST", `/v1/qemu/session/call/${method}`, args);
  const close = async () => {
    for (const dom of await call("connectListAllDomains", [1]) as unknown[]) {
      await call("domainDestroyFlags", [dom, 0]).catch(() => {});
    }
    await gateway.close();
    await Deno.remove(stateDir, { recursive: true });
  };
  try {
    for (const [name, start] of [["q1", true], ["web-q1", true], ["q2", false]] as const) {
      const dom = await call("domainDefineXMLFlags", [qemuDomainXml(name), 0]);
      if (start) await call("domainCreateWithFlags", [dom, 0]);
    }
    // A session's connection is opened apart from the REST routes': it must see the same state.
    const { session } = await full("POST", "/v1/sessions", { uri: "qemu:///session" });
    const listed = await full("POST", `/v1/sessions/${session}/call/connectListAllDomains`, [0]);
    const names = (listed as { name: string }[]).map((d) => d.name).sort().join(",");
    if (names !== "q1,q2,web-q1") throw new Error(`a session sees other domains: ${names}`);
    await full("DELETE", `/v1/sessions/${session}`);
  } catch (e) {
    await close();
    throw e;
  }
  return { gateway, hostState: () => stateFiles(stateDir), close };
}
