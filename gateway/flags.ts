/**
 * The gateway's settings, declared once: each is a command-line flag (`--listen`) and the key of
 * the same name in the JSON config file (`"listen"`), with the same type. The command line wins
 * over the file; defaults apply last. The file is `--config F`, else
 * `$XDG_CONFIG_HOME/edgevirt/gateway.json` (`~/.config/edgevirt/gateway.json`) when it exists.
 *
 * @example
 * ```ts
 * import { gatewaySettings } from "./flags.ts";
 * const s = await gatewaySettings(["--listen", "127.0.0.1:16511"], () => undefined);
 * console.log(s.listen, s.auth); // 127.0.0.1:16511 token
 * ```
 * @module
 */
import { parseArgs } from "node:util";

/** One setting: its type, whether it repeats, its default, and what it means. */
interface Setting {
  type: "string" | "boolean";
  multiple?: boolean;
  default?: string;
  /** The value's shape in the usage text. */
  arg?: string;
  help: string;
}

/** Every setting of the gateway, as flag and config key. */
export const SETTINGS = {
  listen: { type: "string", arg: "HOST:PORT", help: "TCP address (default 127.0.0.1:16510)" },
  unix: { type: "string", arg: "PATH", help: "also listen on this unix socket" },
  "tls-cert": { type: "string", arg: "FILE", help: "serve HTTPS with this PEM certificate" },
  "tls-key": { type: "string", arg: "FILE", help: "… and this PEM private key" },
  "token-file": { type: "string", arg: "FILE", help: "tokens (default in the config dir)" },
  auth: { type: "string", default: "token", arg: "token|none", help: "how callers log in" },
  "cors-origin": {
    type: "string",
    multiple: true,
    arg: "ORIGIN",
    help: "a web origin allowed to call from a browser (repeatable)",
  },
  "log-level": {
    type: "string",
    default: "off",
    arg: "off|error|warn|info",
    help: "request log lines on stderr",
  },
  daemon: { type: "boolean", help: "run as the local daemon on the user's socket" },
  system: { type: "boolean", help: "with --daemon: the system daemon" },
  timeout: { type: "string", default: "0", arg: "SECS", help: "with --daemon: idle exit" },
} as const satisfies Record<string, Setting>;

type Settings = typeof SETTINGS;
type Value<S> = S extends { type: "boolean" } ? boolean
  : S extends { multiple: true } ? string[]
  : string;

/** The settings in effect: defaults filled in, everything else possibly absent. */
export type GatewaySettings =
  & { [K in keyof Settings]?: Value<Settings[K]> }
  & { [K in keyof Settings as Settings[K] extends { default: string } ? K : never]: string }
  & { help?: boolean; config?: string };

/** The default config file: `$XDG_CONFIG_HOME/edgevirt/gateway.json` or under `~/.config`. */
export function defaultConfigPath(env: (name: string) => string | undefined): string | undefined {
  const base = env("XDG_CONFIG_HOME") || (env("HOME") ? `${env("HOME")}/.config` : undefined);
  return base && `${base}/edgevirt/gateway.json`;
}

/** The usage text, from {@link SETTINGS}. */
export function usage(): string {
  const lines = Object.entries(SETTINGS).map(([name, s]: [string, Setting]) =>
    `  --${name}${s.arg ? ` ${s.arg}` : ""}`.padEnd(38) + s.help
  );
  return [
    "usage: deno task start [--config FILE] [options]",
    ...lines,
    "  --config FILE".padEnd(38) + "JSON file with the same keys (default " +
    "$XDG_CONFIG_HOME/edgevirt/gateway.json)",
  ].join("\n");
}

/**
 * Reads the command line and the config file into the settings in effect. Throws an `Error`
 * whose message is one line naming the flag, key or file at fault.
 */
export async function gatewaySettings(
  args: string[],
  env: (name: string) => string | undefined,
): Promise<GatewaySettings> {
  const options = Object.fromEntries(
    Object.entries(SETTINGS).map(([name, s]: [string, Setting]) => [
      name,
      { type: s.type, multiple: Boolean(s.multiple) },
    ]),
  );
  const cli = parseArgs({
    args,
    options: { ...options, config: { type: "string" }, help: { type: "boolean" } },
  }).values as Record<string, unknown>;
  const path = cli.config as string | undefined ?? defaultConfigPath(env);
  const file = path ? await readConfig(path, cli.config !== undefined) : {};
  const merged: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(SETTINGS) as [string, Setting][]) {
    merged[name] = cli[name] ?? file[name] ?? s.default;
  }
  merged.help = cli.help;
  merged.config = file === EMPTY ? undefined : path;
  return merged as GatewaySettings;
}

const EMPTY: Record<string, unknown> = Object.freeze({});

/** The config file's settings, checked against {@link SETTINGS}; none when optional and absent. */
async function readConfig(path: string, required: boolean): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (!required && e instanceof Deno.errors.NotFound) return EMPTY;
    throw new Error(`cannot read config ${path}: ${reason(e)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`config ${path}: not JSON: ${reason(e)}`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new Error(`config ${path}: not a JSON object`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (!Object.hasOwn(SETTINGS, key)) {
      const known = Object.keys(SETTINGS).join(", ");
      throw new Error(`config ${path}: unknown key '${key}' (known: ${known})`);
    }
    out[key] = checked(path, key, SETTINGS[key as keyof Settings], value);
  }
  return out;
}

/** A config value of the setting's type (a number is taken for a string setting). */
function checked(path: string, key: string, s: Setting, value: unknown): unknown {
  const one = (v: unknown) => {
    if (s.type === "boolean" && typeof v === "boolean") return v;
    if (s.type === "string" && (typeof v === "string" || typeof v === "number")) return String(v);
    throw new Error(`config ${path}: '${key}' must be a ${s.type}${s.multiple ? " array" : ""}`);
  };
  if (!s.multiple) return one(value);
  if (!Array.isArray(value)) one(undefined);
  return (value as unknown[]).map(one);
}

function reason(e: unknown): string {
  return (e as Error).message.replace(/ \(os error \d+\)(: .*)?$/, "");
}
