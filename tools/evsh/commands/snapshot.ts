/**
 * Snapshot commands: `snapshot-create-as`, `snapshot-create`, `snapshot-dumpxml`,
 * `snapshot-delete`, `snapshot-parent` (virsh-snapshot.c).
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { Domain } from "../../../client/domain.ts";
import type { DomainSnapshot } from "../../../client/snapshot.ts";
import { type CommandContext, type CommandDef, CommandFailed } from "../context.ts";
import { xmlEscape } from "../format.ts";
import { domainArg } from "../lookup.ts";
import type { Args } from "../options.ts";
import { splitList } from "../split_list.ts";
import { parseXML } from "../xml_parse.ts";
import { xpathDocument, xpathNodes, xpathString } from "../xpath.ts";
import { bits, dumpXML, exclusive, yesNo } from "./common.ts";
import { momentDelete, momentXML, printMoments, treeFilters } from "./moment_list.ts";

const CREATE_FLAGS = [
  ["redefine", VIR.DOMAIN_SNAPSHOT_CREATE_REDEFINE],
  ["current", VIR.DOMAIN_SNAPSHOT_CREATE_CURRENT],
  ["no-metadata", VIR.DOMAIN_SNAPSHOT_CREATE_NO_METADATA],
  ["halt", VIR.DOMAIN_SNAPSHOT_CREATE_HALT],
  ["disk-only", VIR.DOMAIN_SNAPSHOT_CREATE_DISK_ONLY],
  ["reuse-external", VIR.DOMAIN_SNAPSHOT_CREATE_REUSE_EXT],
  ["quiesce", VIR.DOMAIN_SNAPSHOT_CREATE_QUIESCE],
  ["atomic", VIR.DOMAIN_SNAPSHOT_CREATE_ATOMIC],
  ["live", VIR.DOMAIN_SNAPSHOT_CREATE_LIVE],
  ["validate", VIR.DOMAIN_SNAPSHOT_CREATE_VALIDATE],
] as const;

/**
 * `virshSnapshotCreate`: create, retry without VALIDATE where unsupported, emulate `--halt`
 * where the flag is refused as an invalid argument (as virsh does for older servers: libvirt's
 * API refuses it with `--redefine`), report the name.
 */
async function snapshotCreate(
  ctx: CommandContext,
  dom: Domain,
  xml: string,
  flags: number,
  from?: string,
): Promise<void> {
  let r = await ctx.attempt(() => dom.snapshotCreateXML(xml, flags));
  if (!r.ok && ctx.lastError?.code === VIR.ERR_NO_SUPPORT && from === undefined) {
    flags &= ~VIR.DOMAIN_SNAPSHOT_CREATE_VALIDATE;
    r = await ctx.attempt(() => dom.snapshotCreateXML(xml, flags));
  }
  let halt = false;
  if (
    !r.ok && ctx.lastError?.code === VIR.ERR_INVALID_ARG &&
    (flags & VIR.DOMAIN_SNAPSHOT_CREATE_HALT)
  ) {
    ctx.resetError();
    const persistent = await ctx.attempt(() => dom.isPersistent());
    if (!persistent.ok) {
      ctx.reportNow();
      ctx.fail();
    }
    if (!persistent.value) ctx.fail("cannot halt after snapshot of transient domain");
    const active = await ctx.attempt(() => dom.isActive());
    halt = active.ok && active.value;
    flags &= ~VIR.DOMAIN_SNAPSHOT_CREATE_HALT;
    r = await ctx.attempt(() => dom.snapshotCreateXML(xml, flags));
  }
  if (!r.ok) ctx.fail();
  if (halt && !(await ctx.attempt(() => dom.destroy())).ok) {
    ctx.reportNow();
    ctx.fail();
  }
  const name = r.value.name;
  ctx.printExtra(
    from === undefined
      ? `Domain snapshot ${name} created`
      : `Domain snapshot ${name} created from '${from}'`,
  );
}

/** `virshParseSnapshotMemspec`: `[file=]/path[,snapshot=kind]` as a `<memory>` line. */
function memorySpec(ctx: CommandContext, spec: string): string {
  let snapshot: string | undefined;
  let file: string | undefined;
  for (const part of splitList(spec)) {
    if (snapshot === undefined && part.startsWith("snapshot=")) snapshot = part.slice(9);
    else if (file === undefined && part.startsWith("file=")) file = part.slice(5);
    else if (file === undefined && part.startsWith("/")) file = part;
    else ctx.fail(`unable to parse memspec: ${spec}`);
  }
  return "  <memory" + (snapshot !== undefined ? ` snapshot='${xmlEscape(snapshot)}'` : "") +
    (file !== undefined ? ` file='${xmlEscape(file)}'` : "") + "/>\n";
}

/**
 * `virshParseSnapshotDiskspec`: `disk[,snapshot=…][,driver=…][,stype=…][,file=…]`. An empty
 * spec splits (vshStringToArray over g_strsplit's empty vector) into one NULL name, which
 * virBufferEscapeString skips: virsh writes the bare `/>`.
 */
function diskSpec(ctx: CommandContext, spec: string): string {
  const bad = () => ctx.fail(`unable to parse diskspec: ${spec}`);
  if (spec === "") return "    />\n";
  const [name, ...rest] = splitList(spec);
  const o: Record<string, string> = {};
  for (const part of rest) {
    const key = ["snapshot", "driver", "stype", "file"].find((k) =>
      o[k] === undefined && part.startsWith(`${k}=`)
    );
    if (!key) return bad();
    o[key] = part.slice(key.length + 1);
  }
  let line = `    <disk name='${xmlEscape(name)}'`;
  if (o.snapshot !== undefined) line += ` snapshot='${o.snapshot}'`;
  if (o.stype !== undefined) {
    if (o.stype !== "block" && o.stype !== "file") {
      ctx.error(`Unknown storage type: '${o.stype}'`);
      return bad();
    }
    line += ` type='${o.stype}'`;
  }
  if (o.driver === undefined && o.file === undefined) return line + "/>\n";
  line += ">\n";
  if (o.driver !== undefined) line += `      <driver type='${o.driver}'/>\n`;
  if (o.file !== undefined) {
    line += `      <source ${o.stype === "block" ? "dev" : "file"}='${xmlEscape(o.file)}'/>\n`;
  }
  return line + "    </disk>\n";
}

/**
 * `virshLookupSnapshot`: by `--<arg>` or `--current`; a failed lookup is reported at once
 * (so nothing more shows when the command then fails). Both at once are refused unless the
 * command passes `exclusive` false (`snapshot-edit`, where `--current` with a name makes the
 * edited snapshot current): the name then wins.
 */
export async function lookupSnapshot(
  ctx: CommandContext,
  args: Args,
  arg: string,
  dom: Domain,
  exclusive = true,
): Promise<DomainSnapshot> {
  const current = args.has("current");
  const name = ctx.optString(args, arg);
  if (exclusive && current && name !== undefined) {
    ctx.fail(`--${arg} and --current are mutually exclusive`);
  }
  if (name === undefined && !current) ctx.fail(`--${arg} or --current is required`);
  const r = await ctx.attempt(() =>
    name !== undefined ? dom.snapshotLookupByName(name, 0) : dom.snapshotCurrent(0)
  );
  if (!r.ok) {
    ctx.reportNow();
    ctx.fail();
  }
  return r.value;
}

/** The snapshot command table. */
export const SNAPSHOT_COMMANDS: CommandDef[] = [
  {
    name: "snapshot-create-as",
    async run(ctx, args) {
      const flags = bits(args, CREATE_FLAGS);
      const { obj: dom } = await domainArg(ctx, args);
      const xml = momentXML(ctx, args, "domainsnapshot", diskSpec, () => {
        const memspec = ctx.optString(args, "memspec");
        return memspec === undefined ? "" : memorySpec(ctx, memspec);
      });
      if (args.has("print-xml")) {
        ctx.print(`${xml}\n`);
        return;
      }
      await snapshotCreate(ctx, dom, xml, flags);
    },
  },
  {
    name: "snapshot-create",
    async run(ctx, args) {
      const flags = bits(args, CREATE_FLAGS);
      const { obj: dom } = await domainArg(ctx, args);
      const from = ctx.optString(args, "xmlfile");
      const xml = from === undefined ? "<domainsnapshot/>" : await ctx.readFile(from);
      await snapshotCreate(ctx, dom, xml, flags, from);
    },
  },
  {
    name: "snapshot-dumpxml",
    async run(ctx, args) {
      const flags = bits(args, [["security-info", VIR.DOMAIN_XML_SECURE]]);
      const name = ctx.optString(args, "snapshotname")!;
      const { obj: dom } = await domainArg(ctx, args);
      const snap = await ctx.call(() => dom.snapshotLookupByName(name, 0));
      await dumpXML(ctx, args, () => snap.getXMLDesc(flags));
    },
  },
  momentDelete(
    "snapshot-delete",
    "snapshot",
    (ctx, args, dom) => lookupSnapshot(ctx, args, "snapshotname", dom),
    [
      VIR.DOMAIN_SNAPSHOT_DELETE_CHILDREN,
      VIR.DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY,
      VIR.DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY,
    ],
  ),
  {
    name: "snapshot-parent",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const snap = await lookupSnapshot(ctx, args, "snapshotname", dom);
      const parent = await ctx.attempt(() => snap.getParent(0));
      if (!parent.ok && ctx.lastError?.code !== VIR.ERR_NO_DOMAIN_SNAPSHOT) {
        ctx.reportNow();
        ctx.fail("unable to determine if snapshot has parent");
      }
      ctx.resetError();
      if (!parent.ok) return ctx.fail(`snapshot '${snap.name}' has no parent`);
      ctx.print(parent.value.name);
    },
  },
  {
    name: "snapshot-info",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const snap = await lookupSnapshot(ctx, args, "snapshotname", dom);
      const line = (label: string, v: string | number) => ctx.print(`${label.padEnd(15)} ${v}\n`);
      line("Name:", snap.name);
      line("Domain:", dom.name);
      const current = await ctx.attempt(() => snap.isCurrent(0));
      ctx.resetError();
      line("Current:", yesNo(current.ok && current.value));
      const xml = await ctx.call(() => snap.getXMLDesc(0));
      const doc = xpathDocument(await parseXML(xml));
      const state = xpathString(doc, "string(/domainsnapshot/state)");
      if (state === undefined) return ctx.fail("unexpected problem reading snapshot xml");
      line("State:", state);
      const external = xpathNodes(doc, "/domainsnapshot/memory").length
        ? xpathNodes(
          doc,
          "/domainsnapshot/memory[@snapshot='external'] | " +
            "/domainsnapshot/disks/disk[@snapshot='external']",
        ).length > 0
        : state === "disk-snapshot";
      line("Location:", external ? "external" : "internal");
      line("Parent:", xpathString(doc, "string(/domainsnapshot/parent/name)") ?? "-");
      const children = await ctx.attempt(() => snap.numChildren(0));
      if (!children.ok) {
        if (ctx.lastError?.code === VIR.ERR_NO_SUPPORT) return ctx.resetError();
        return ctx.fail();
      }
      line("Children:", children.value);
      line(
        "Descendants:",
        await ctx.call(() => snap.numChildren(VIR.DOMAIN_SNAPSHOT_LIST_DESCENDANTS)),
      );
      const meta = await ctx.attempt(() => snap.hasMetadata(0));
      let metadata: boolean | undefined = meta.ok ? meta.value : undefined;
      if (!meta.ok) {
        const n = await ctx.attempt(() => dom.snapshotNum(VIR.DOMAIN_SNAPSHOT_LIST_METADATA));
        metadata = n.ok ? n.value > 0 : undefined;
        ctx.resetError();
      }
      if (metadata !== undefined) line("Metadata:", yesNo(metadata));
    },
  },
  {
    name: "snapshot-current",
    async run(ctx, args) {
      let flags = bits(args, [["security-info", VIR.DOMAIN_XML_SECURE]]);
      exclusive(ctx, args, "name", "snapshotname");
      const { obj: dom, arg } = await domainArg(ctx, args);
      const name = ctx.optString(args, "snapshotname");
      if (name !== undefined) {
        flags = VIR.DOMAIN_SNAPSHOT_CREATE_REDEFINE | VIR.DOMAIN_SNAPSHOT_CREATE_CURRENT;
        const snap = await reported(ctx, () => dom.snapshotLookupByName(name, 0));
        const xml = await reported(ctx, () => snap.getXMLDesc(VIR.DOMAIN_XML_SECURE));
        if (xml.includes("<state>disk-snapshot</state>")) {
          flags |= VIR.DOMAIN_SNAPSHOT_CREATE_DISK_ONLY;
        }
        await reported(ctx, () => dom.snapshotCreateXML(xml, flags));
        ctx.printExtra(`Snapshot ${name} set as current`);
        return;
      }
      const has = await reported(ctx, () => dom.hasCurrentSnapshot(0));
      if (!has) {
        ctx.error(`domain '${arg}' has no current snapshot`);
        await reported(ctx, () => Promise.reject(new CommandFailed()));
      }
      const snap = await reported(ctx, () => dom.snapshotCurrent(0));
      ctx.print(
        args.has("name") ? snap.name : await reported(ctx, () => snap.getXMLDesc(flags)),
      );
    },
  },
  {
    name: "snapshot-revert",
    async run(ctx, args) {
      let flags = bits(args, [
        ["running", VIR.DOMAIN_SNAPSHOT_REVERT_RUNNING],
        ["paused", VIR.DOMAIN_SNAPSHOT_REVERT_PAUSED],
        ["reset-nvram", VIR.DOMAIN_SNAPSHOT_REVERT_RESET_NVRAM],
      ]);
      const { obj: dom } = await domainArg(ctx, args);
      const snap = await lookupSnapshot(ctx, args, "snapshotname", dom);
      let r = await ctx.attempt(() => snap.revert(flags));
      if (
        !r.ok && args.has("force") && ctx.lastError?.code === VIR.ERR_SNAPSHOT_REVERT_RISKY
      ) {
        flags |= VIR.DOMAIN_SNAPSHOT_REVERT_FORCE;
        ctx.resetError();
        r = await ctx.attempt(() => snap.revert(flags));
      }
      if (!r.ok) ctx.fail(`Failed to revert snapshot ${snap.name}`);
      ctx.printExtra(`Domain snapshot ${snap.name} reverted\n`);
    },
  },
  {
    name: "snapshot-list",
    async run(ctx, args) {
      const from = args.has("from");
      const current = args.has("current");
      exclusive(ctx, args, "tree", "name");
      exclusive(ctx, args, "parent", "roots");
      exclusive(ctx, args, "parent", "tree");
      exclusive(ctx, args, "roots", "tree");
      exclusive(ctx, args, "roots", "from");
      exclusive(ctx, args, "roots", "current");
      let flags = treeFilters(ctx, args, [
        ["leaves", VIR.DOMAIN_SNAPSHOT_LIST_LEAVES],
        ["no-leaves", VIR.DOMAIN_SNAPSHOT_LIST_NO_LEAVES],
        ["inactive", VIR.DOMAIN_SNAPSHOT_LIST_INACTIVE],
        ["active", VIR.DOMAIN_SNAPSHOT_LIST_ACTIVE],
        ["disk-only", VIR.DOMAIN_SNAPSHOT_LIST_DISK_ONLY],
        ["internal", VIR.DOMAIN_SNAPSHOT_LIST_INTERNAL],
        ["external", VIR.DOMAIN_SNAPSHOT_LIST_EXTERNAL],
      ]);
      flags |= bits(args, [
        ["topological", VIR.DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL],
        ["roots", VIR.DOMAIN_SNAPSHOT_LIST_ROOTS],
        ["metadata", VIR.DOMAIN_SNAPSHOT_LIST_METADATA],
        ["no-metadata", VIR.DOMAIN_SNAPSHOT_LIST_NO_METADATA],
      ]);
      if (args.has("descendants")) {
        if (!from && !current) ctx.fail("--descendants requires either --from or --current");
        flags |= VIR.DOMAIN_SNAPSHOT_LIST_DESCENDANTS;
      }
      const { obj: dom } = await domainArg(ctx, args);
      const start = from || current ? await lookupSnapshot(ctx, args, "from", dom) : undefined;
      const list = await ctx.call(() =>
        start ? start.listAllChildren(flags) : dom.listAllSnapshots(flags)
      );
      await printMoments(ctx, args, {
        list,
        start,
        topological: (flags & VIR.DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL) !== 0,
        parentOf: (s) => snapshotParent(ctx, s),
        root: "domainsnapshot",
        extra: {
          header: ["State"],
          cells: (doc) => {
            const state = xpathString(doc, "string(/domainsnapshot/state)");
            return state === undefined ? undefined : [state];
          },
        },
      });
    },
  },
];

/**
 * `virshGetSnapshotParent`: the parent's name, undefined for a root; where the API fails
 * otherwise, the parent named in the snapshot's XML.
 */
async function snapshotParent(
  ctx: CommandContext,
  snap: DomainSnapshot,
): Promise<string | undefined> {
  const r = await ctx.attempt(() => snap.getParent(0));
  if (r.ok || ctx.lastError?.code === VIR.ERR_NO_DOMAIN_SNAPSHOT) {
    ctx.resetError();
    return r.ok ? r.value.name : undefined;
  }
  const xml = await ctx.attempt(() => snap.getXMLDesc(0));
  if (!xml.ok) {
    ctx.reportNow();
    return ctx.fail("unable to determine if snapshot has parent");
  }
  ctx.resetError();
  return xpathString(
    xpathDocument(await parseXML(xml.value)),
    "string(/domainsnapshot/parent/name)",
  );
}

/**
 * `snapshot-current`'s error discipline: every failure, its own or libvirt's, is reported at
 * once (`vshReportError` in its cleanup), which prints the saved error, if any.
 */
async function reported<T>(ctx: CommandContext, fn: () => Promise<T>): Promise<T> {
  const r = await ctx.attempt(fn).catch((e) => {
    if (e instanceof CommandFailed) return { ok: false as const };
    throw e;
  });
  if (!r.ok) {
    ctx.reportNow();
    return ctx.fail();
  }
  return r.value;
}
