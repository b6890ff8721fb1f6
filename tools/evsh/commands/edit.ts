/**
 * The XML editing commands over virsh's edit cycle (`edit_cycle.ts`): `edit`, `net-edit`,
 * `pool-edit`, `iface-edit`, `nwfilter-edit`, `snapshot-edit`, `checkpoint-edit`.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { Connection } from "../../../client/connection.ts";
import type { Domain } from "../../../client/domain.ts";
import { callDriver } from "../../../client/handle.ts";
import { type CommandContext, type CommandDef, CommandFailed } from "../context.ts";
import type { Args } from "../options.ts";
import { domainArg, interfaceArg, networkArg, poolArg } from "../lookup.ts";
import { exclusive } from "./common.ts";
import { editCycle, nameOrNull } from "./edit_cycle.ts";
import { lookupCheckpoint } from "./checkpoint.ts";
import { nwfilterArg } from "./nwfilter.ts";
import { lookupSnapshot } from "./snapshot.ts";

/**
 * A `getXMLDesc` with an `INACTIVE` flag old daemons refuse with `VIR_ERR_INVALID_ARG`: asked
 * again without it, as virsh does.
 */
function inactiveFirst(
  get: (flags: number) => Promise<string>,
  inactive: number,
): () => Promise<string> {
  let flags = inactive;
  return async () => {
    try {
      return await get(flags);
    } catch (e) {
      if ((e as { code?: number }).code !== VIR.ERR_INVALID_ARG || !flags) throw e;
      flags = 0;
      return await get(flags);
    }
  };
}

/** `virshDomainDefine`: with flags, and without them when validation is all they ask for. */
async function defineDomain(conn: Connection, xml: string, flags: number): Promise<Domain> {
  if (!flags) return await conn.defineXML(xml);
  try {
    return await conn.defineXMLFlags(xml, flags);
  } catch (e) {
    const code = (e as { code?: number }).code;
    if (code !== VIR.ERR_NO_SUPPORT || flags !== VIR.DOMAIN_DEFINE_VALIDATE) throw e;
    return await conn.defineXML(xml);
  }
}

/** An edit command whose no-change and success lines name the object (`what`). */
function simpleEdit<T extends { name: string }>(
  name: string,
  what: (objName: string) => string,
  lookup: (ctx: CommandContext, args: Args) => Promise<T>,
  getXML: (ctx: CommandContext, obj: T) => () => Promise<string>,
  define: (ctx: CommandContext, xml: string) => Promise<{ name: string }>,
): CommandDef {
  return {
    name,
    async run(ctx, args) {
      const obj = await lookup(ctx, args);
      const r = await editCycle(ctx, {
        getXML: getXML(ctx, obj),
        define: (xml) => define(ctx, xml),
        notChanged: () => {
          ctx.printExtra(`${what(obj.name)} XML configuration not changed.\n`);
          return true;
        },
      });
      if (!r.unchanged) {
        ctx.printExtra(`${what(nameOrNull(r.edited))} XML configuration edited.\n`);
      }
    },
  };
}

/**
 * `snapshot-edit` and `checkpoint-edit`: the moment redefined from the edited XML; a new name
 * is a copy (`--clone`), a rename (`--rename`, the old one's metadata removed) or an error (the
 * new one's metadata removed again).
 */
interface Moment {
  name: string;
  getXMLDesc(flags: number): Promise<string>;
  delete(flags: number): Promise<void>;
}

async function momentEdit(
  ctx: CommandContext,
  name: string,
  moment: Moment,
  kind: "Snapshot" | "Checkpoint",
  getFlags: number,
  define: (xml: string) => Promise<Moment>,
  rename: { clone: boolean; rename: boolean } | undefined,
  current: boolean,
): Promise<void> {
  let edited: Moment | null;
  try {
    const r = await editCycle(ctx, {
      getXML: () => moment.getXMLDesc(getFlags),
      define,
      notChanged: () => {
        // Making a snapshot current redefines it even when its XML is unchanged.
        if (current) return false;
        ctx.printExtra(`${kind} ${name} XML configuration not changed.\n`);
        return true;
      },
    });
    if (r.unchanged) return;
    edited = r.edited;
    if (edited === null) {
      // virsh compares the old name with the null one it got and gives up there.
      throw new CommandFailed();
    }
    if (edited.name === name) {
      ctx.printExtra(`${kind} ${name} edited.\n`);
      return;
    }
    if (rename?.clone) {
      ctx.printExtra(`${kind} ${name} cloned to ${edited.name}.\n`);
      return;
    }
    const gone = rename?.rename ? moment : edited;
    const metadataOnly = kind === "Snapshot"
      ? VIR.DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY
      : VIR.DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY;
    const del = await ctx.attempt(() => gone.delete(metadataOnly));
    if (!del.ok) {
      ctx.reportNow();
      ctx.fail(`Failed to clean up ${gone.name}`);
    }
    if (rename?.rename) return;
    ctx.fail(
      kind === "Snapshot"
        ? `Must use --rename or --clone to change ${name} to ${edited.name}`
        : `Cannot rename checkpoint ${name} to ${edited.name}`,
    );
  } catch (e) {
    if (e instanceof CommandFailed) ctx.error(`Failed to update ${name}`);
    throw e;
  }
}

/** The editing command table. */
export const EDIT_COMMANDS: CommandDef[] = [
  {
    name: "edit",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      let defineFlags = args.has("skip-validate") ? 0 : VIR.DOMAIN_DEFINE_VALIDATE;
      const r = await editCycle(ctx, {
        getXML: () => dom.getXMLDesc(VIR.DOMAIN_XML_SECURE | VIR.DOMAIN_XML_INACTIVE),
        define: (xml) => defineDomain(ctx.conn, xml, defineFlags),
        notChanged: () => {
          ctx.printExtra(`Domain '${dom.name}' XML configuration not changed.\n`);
          return true;
        },
        relax: () => {
          defineFlags &= ~VIR.DOMAIN_DEFINE_VALIDATE;
        },
      });
      if (!r.unchanged) {
        ctx.printExtra(`Domain '${nameOrNull(r.edited)}' XML configuration edited.\n`);
      }
    },
  },
  simpleEdit(
    "net-edit",
    (n) => `Network ${n}`,
    async (ctx, args) => (await networkArg(ctx, args)).obj,
    (_ctx, net) => inactiveFirst((f) => net.getXMLDesc(f), VIR.NETWORK_XML_INACTIVE),
    (ctx, xml) => ctx.conn.defineNetworkXML(xml),
  ),
  simpleEdit(
    "pool-edit",
    (n) => `Pool ${n}`,
    async (ctx, args) => (await poolArg(ctx, args)).obj,
    (_ctx, pool) => inactiveFirst((f) => pool.getXMLDesc(f), VIR.STORAGE_XML_INACTIVE),
    (ctx, xml) => ctx.conn.defineStoragePoolXML(xml, 0),
  ),
  simpleEdit(
    "iface-edit",
    (n) => `Interface ${n}`,
    async (ctx, args) => (await interfaceArg(ctx, args)).obj,
    (_ctx, iface) => () => iface.getXMLDesc(VIR.INTERFACE_XML_INACTIVE),
    (ctx, xml) => ctx.conn.defineInterfaceXML(xml, 0),
  ),
  simpleEdit(
    "nwfilter-edit",
    (n) => `Network filter ${n}`,
    (ctx, args) => nwfilterArg(ctx, args),
    (ctx, ref) => () => ctx.conn.call("nwfilterGetXMLDesc", ref, 0),
    (ctx, xml) =>
      callDriver(
        ctx.conn,
        { method: "nwfilterDefineXMLFlags", api: "virNWFilterDefineXML" },
        xml,
        0,
      ),
  ),
  {
    name: "snapshot-edit",
    async run(ctx, args) {
      const clone = args.has("clone");
      const rename = args.has("rename");
      exclusive(ctx, args, "rename", "clone");
      const current = args.has("current") && args.has("snapshotname");
      let defineFlags = VIR.DOMAIN_SNAPSHOT_CREATE_REDEFINE |
        (current ? VIR.DOMAIN_SNAPSHOT_CREATE_CURRENT : 0);
      const { obj: dom } = await domainArg(ctx, args);
      const snap = await lookupSnapshot(ctx, args, "snapshotname", dom, false);
      let doc = "";
      await momentEdit(
        ctx,
        snap.name,
        {
          name: snap.name,
          getXMLDesc: async (f) => (doc = await snap.getXMLDesc(f)),
          delete: (f) => snap.delete(f),
        },
        "Snapshot",
        VIR.DOMAIN_XML_SECURE,
        (xml) => {
          if (doc.includes("<state>disk-snapshot</state>")) {
            defineFlags |= VIR.DOMAIN_SNAPSHOT_CREATE_DISK_ONLY;
          }
          return dom.snapshotCreateXML(xml, defineFlags);
        },
        { clone, rename },
        current,
      );
    },
  },
  {
    name: "checkpoint-edit",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const chk = await lookupCheckpoint(ctx, args, "checkpointname", dom);
      await momentEdit(
        ctx,
        chk.name,
        chk,
        "Checkpoint",
        VIR.DOMAIN_CHECKPOINT_XML_SECURE,
        (xml) => dom.checkpointCreateXML(xml, VIR.DOMAIN_CHECKPOINT_CREATE_REDEFINE),
        undefined,
        false,
      );
    },
  },
];
