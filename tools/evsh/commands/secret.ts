/**
 * Secret commands: `secret-define`, `secret-dumpxml`, `secret-set-value`, `secret-get-value`,
 * `secret-undefine`, `secret-list`.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { Secret } from "../../../client/objects.ts";
import { SECRET_USAGE_TYPES } from "../../../conf/secret/usage_types.ts";
import type { CommandContext, CommandDef } from "../context.ts";
import type { Args } from "../options.ts";
import { formatTable } from "../table.ts";
import { bits, dumpXML, exclusive } from "./common.ts";

/** `virshCommandOptSecret`: the secret named by its UUID string. */
export async function secretArg(
  ctx: CommandContext,
  args: Args,
): Promise<{ obj: Secret; arg: string }> {
  const arg = ctx.optString(args, "secret") ?? "";
  const r = await ctx.attempt(() => ctx.conn.lookupSecretByUUID(arg));
  if (!r.ok) ctx.fail(`failed to get secret '${arg}'`);
  return { obj: r.value, arg };
}

/** `g_base64_decode`, which skips what is not base64 rather than failing. */
function base64Decode(s: string): Uint8Array {
  const clean = s.replace(/[^A-Za-z0-9+/]/g, "");
  const bin = atob(clean.slice(0, clean.length - (clean.length % 4)));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function base64Encode(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

/**
 * `virshSecretListCollect`: every secret, sorted by UUID; without `virConnectListAllSecrets`
 * virsh falls back to the old calls, which cannot filter.
 */
async function collectSecrets(ctx: CommandContext, flags: number): Promise<Secret[]> {
  const all = await ctx.attempt(() => ctx.conn.listAllSecrets(flags));
  if (all.ok) return all.value.sort((a, b) => (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0));
  if (ctx.lastError?.code !== VIR.ERR_NO_SUPPORT) ctx.fail("Failed to list node secrets");
  ctx.resetError();
  if (flags) ctx.fail("Filtering is not supported by this libvirt");
  const n = await ctx.call(() => ctx.conn.call("connectNumOfSecrets"), "Failed to count secrets");
  if (n === 0) return [];
  const uuids = await ctx.call(() => ctx.conn.call("connectListSecrets"), "Failed to list secrets");
  const out: Secret[] = [];
  for (const u of uuids) {
    const r = await ctx.attempt(() => ctx.conn.lookupSecretByUUID(u));
    if (r.ok) out.push(r.value);
  }
  return out.sort((a, b) => (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0));
}

/** The secret command table. */
export const SECRET_COMMANDS: CommandDef[] = [
  {
    name: "secret-define",
    async run(ctx, args) {
      const file = ctx.optString(args, "file")!;
      const flags = bits(args, [["validate", VIR.SECRET_DEFINE_VALIDATE]]);
      const xml = await ctx.readFile(file);
      const s = await ctx.call(
        () => ctx.conn.defineSecretXML(xml, flags),
        `Failed to set attributes from ${file}`,
      );
      ctx.printExtra(`Secret ${s.uuid} created\n`);
    },
  },
  {
    name: "secret-dumpxml",
    async run(ctx, args) {
      const { obj } = await secretArg(ctx, args);
      await dumpXML(ctx, args, () => obj.getXMLDesc());
    },
  },
  {
    name: "secret-set-value",
    async run(ctx, args) {
      exclusive(ctx, args, "file", "base64");
      exclusive(ctx, args, "plain", "base64");
      exclusive(ctx, args, "interactive", "base64");
      exclusive(ctx, args, "interactive", "plain");
      exclusive(ctx, args, "interactive", "file");
      const { obj } = await secretArg(ctx, args);
      const b64 = ctx.optString(args, "base64");
      const file = ctx.optString(args, "file");
      let text: string;
      const plain = args.has("plain");
      if (b64 !== undefined) {
        ctx.error("Passing secret value as command-line argument is insecure!");
        text = b64;
      } else if (file !== undefined) {
        text = await ctx.readFile(file);
      } else if (args.has("interactive")) {
        // evsh reads no passwords from a terminal: virsh's answer when reading fails.
        ctx.print("Enter new value for secret:");
        return ctx.fail("Failed to read secret");
      } else {
        return ctx.fail("Input secret value is missing");
      }
      const value = plain ? new TextEncoder().encode(text) : base64Decode(text);
      await ctx.call(() => obj.setValue(value), "Failed to set secret value");
      ctx.printExtra("Secret value set\n");
    },
  },
  {
    name: "secret-get-value",
    async run(ctx, args) {
      const { obj } = await secretArg(ctx, args);
      const value = await ctx.call(() => obj.getValue());
      ctx.print(args.has("plain") ? new TextDecoder().decode(value) : base64Encode(value));
    },
  },
  {
    name: "secret-undefine",
    async run(ctx, args) {
      const { obj, arg } = await secretArg(ctx, args);
      await ctx.call(() => obj.undefine(), `Failed to delete secret ${arg}`);
      ctx.printExtra(`Secret ${arg} deleted\n`);
    },
  },
  {
    name: "secret-list",
    async run(ctx, args) {
      const flags = bits(args, [
        ["ephemeral", VIR.CONNECT_LIST_SECRETS_EPHEMERAL],
        ["no-ephemeral", VIR.CONNECT_LIST_SECRETS_NO_EPHEMERAL],
        ["private", VIR.CONNECT_LIST_SECRETS_PRIVATE],
        ["no-private", VIR.CONNECT_LIST_SECRETS_NO_PRIVATE],
      ]);
      const list = await collectSecrets(ctx, flags);
      const rows = list.map((s) => {
        const { usageType, usageID } = s.ref;
        const usage = usageType ? `${SECRET_USAGE_TYPES[usageType - 1]} ${usageID}` : "Unused";
        return [s.uuid, usage];
      });
      ctx.print(formatTable(["UUID", "Usage"], rows));
    },
  },
];
