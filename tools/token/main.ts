/**
 * `deno task token`: creates, lists and revokes the gateway's bearer tokens. The gateway picks
 * changes up by itself (it watches the file, and reloads on SIGHUP).
 *
 * ```sh
 * deno task token create --role read-only|full [--rule [!]ACTION:FAMILY:GLOB]... [--expires 7d]
 *                        [--name ID] [--token-file F]
 * deno task token list [--token-file F]
 * deno task token revoke ID [--token-file F]
 * ```
 *
 * `create` prints the token once, alone on the last line of stdout.
 *
 * @example
 * ```sh
 * deno task token create --role read-only --rule read:domain:web-* --expires 30d
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { configDir } from "../../gateway/token_file.ts";
import { createToken, listTokens, revokeToken } from "./commands.ts";
import { parseExpires } from "./expires.ts";
import { parseRule } from "./rule.ts";

const USAGE = `usage: deno task token create --role read-only|full [--rule [!]ACTION:FAMILY:GLOB]...
                              [--expires DURATION|ISO-TIME] [--name ID] [--token-file F]
       deno task token list [--token-file F]
       deno task token revoke ID [--token-file F]`;

async function run(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      role: { type: "string" },
      rule: { type: "string", multiple: true },
      expires: { type: "string" },
      name: { type: "string" },
      "token-file": { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) return console.log(USAGE);
  const [command, ...rest] = positionals;
  const path = values["token-file"] ?? `${configDir()}/tokens.json`;
  const arity = command === "revoke" ? 1 : 0;
  if (rest.length !== arity) throw new Error(`${command ?? "a command"}: wrong arguments`);
  if (command === "create") {
    if (values.role !== "full" && values.role !== "read-only") {
      throw new Error(`--role must be full or read-only, got '${values.role ?? ""}'`);
    }
    const { id, token } = await createToken(path, {
      role: values.role,
      rules: values.rule?.map(parseRule),
      expires: values.expires === undefined ? undefined : parseExpires(values.expires, new Date()),
      name: values.name,
    }, new Date());
    console.log(`created token '${id}' in ${path}; it is shown only now:`);
    console.log(token);
  } else if (command === "list") {
    console.log(await listTokens(path));
  } else if (command === "revoke") {
    await revokeToken(path, rest[0]);
    console.log(`revoked token '${rest[0]}'`);
  } else throw new Error(command ? `unknown command '${command}'` : "a command is required");
}

if (import.meta.main) {
  try {
    await run(Deno.args);
  } catch (e) {
    console.error(`edgevirt token: ${(e as Error).message}\n${USAGE}`);
    Deno.exit(2);
  }
}
