/**
 * Starts `gateway/main.ts` as a real process (random loopback port, optional unix socket) with
 * a fresh token file, for the socket, portability and benchmark runs.
 *
 * @module
 */
import { hashToken, type TokenFile, type TokenRecord } from "../../gateway/tokens.ts";
import { REPO_ROOT } from "../paths.ts";

/**
 * The environment of a gateway process that must not touch the shared home: `HOME` and the XDG
 * directories under `dir` (its QEMU definitions, config file and the old locations it would
 * migrate from), Deno's cache where it is now (no second download).
 */
export function privateHome(dir: string): Record<string, string> {
  const home = Deno.env.get("HOME") ?? "/tmp";
  return {
    HOME: dir,
    XDG_CONFIG_HOME: `${dir}/.config`,
    XDG_STATE_HOME: `${dir}/.local/state`,
    DENO_DIR: Deno.env.get("DENO_DIR") ??
      `${Deno.env.get("XDG_CACHE_HOME") ?? `${home}/.cache`}/deno`,
  };
}

/** A running gateway process. */
export interface GatewayProcess {
  port: number;
  origin: string;
  /** The unix socket path when started with one. */
  socket?: string;
  token: string;
  /** The gateway's `--token-file`. */
  tokenFile: string;
  child: Deno.ChildProcess;
  /** Everything the gateway printed so far. */
  stderr(): string;
  /** Sends SIGTERM and returns the exit status and everything the gateway printed. */
  stop(): Promise<{ code: number; stderr: string }>;
}

/**
 * Spawns the gateway and waits until it listens; `corsOrigins` become `--cors-origin`s, `env`
 * is added to its environment, `args` to its command line, `tokens` (clear text → record
 * without its hash) to its token file beside the admin's; `cwd` is its working directory (the
 * checkout by default); `denoFlags` go to `deno run` (`--cpu-prof` for a profile); `checkout` runs
 * another checkout's gateway (a bench's baseline) instead of this one's.
 */
export async function spawnGateway(
  opts: {
    unix?: boolean;
    corsOrigins?: string[];
    env?: Record<string, string>;
    args?: string[];
    tokens?: Record<string, Omit<TokenRecord, "sha256">>;
    cwd?: string;
    denoFlags?: string[];
    checkout?: string;
  } = {},
): Promise<GatewayProcess> {
  const dir = await Deno.makeTempDir({ prefix: "edgevirt-gw-" });
  const token = "socket-test-token";
  const file: TokenFile = {
    version: 1,
    tokens: [{ name: "admin", sha256: await hashToken(token), role: "full" }],
  };
  for (const [clear, record] of Object.entries(opts.tokens ?? {})) {
    file.tokens.push({ ...record, sha256: await hashToken(clear) });
  }
  await Deno.writeTextFile(`${dir}/tokens.json`, JSON.stringify(file));
  const socket = opts.unix ? `${dir}/gw.sock` : undefined;
  // The checkout's config by name: a working directory elsewhere would not find it.
  const root = opts.checkout ?? REPO_ROOT;
  const args = [
    "run",
    "-A",
    ...opts.denoFlags ?? [],
    "--config",
    `${root}/deno.json`,
    `${root}/gateway/main.ts`,
  ];
  args.push("--listen", "127.0.0.1:0");
  args.push("--token-file", `${dir}/tokens.json`);
  if (socket) args.push("--unix", socket);
  for (const origin of opts.corsOrigins ?? []) args.push("--cors-origin", origin);
  args.push(...opts.args ?? []);
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: opts.cwd ?? REPO_ROOT,
    stdout: "null",
    stderr: "piped",
    env: { ...privateHome(dir), XDG_CONFIG_HOME: dir, ...opts.env },
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let stderr = "";
  // "serving …" comes after the listeners; "not serving qemu:///session: …" may come before.
  while (!/^edgevirt gateway: serving /m.test(stderr)) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`gateway exited early:\n${stderr}`);
    stderr += value;
  }
  const port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr)![1]);
  const rest = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      stderr += value;
    }
  })();
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    socket,
    token,
    tokenFile: `${dir}/tokens.json`,
    child,
    stderr: () => stderr,
    async stop() {
      child.kill("SIGTERM");
      const { code } = await child.status;
      await rest;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      return { code, stderr };
    },
  };
}
