/**
 * Volume operations: `vol-create-as`, `vol-create-from`, `vol-clone`, `vol-resize`,
 * `vol-wipe`, `vol-upload`, `vol-download` (a stream between the file and the volume).
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { StorageVolume } from "../../../client/objects.ts";
import { parseXML } from "../xml_parse.ts";
import type { CommandContext, CommandDef } from "../context.ts";
import { poolArg, volumeArg } from "../lookup.ts";
import type { Args } from "../options.ts";
import { scaledInteger } from "../numbers.ts";
import { dumpNode, xpathDocument, xpathNodes } from "../xpath.ts";
import { bits } from "./common.ts";

const WIPE_ALGORITHMS = [
  "zero",
  "nnsa",
  "dod",
  "bsi",
  "gutmann",
  "schneier",
  "pfitzner7",
  "pfitzner33",
  "random",
  "trim",
];

/** `virshVolSize`: bytes with an optional unit; a bad unit leaves libvirt's error. */
function volSize(ctx: CommandContext, text: string): number {
  const r = scaledInteger(text, 1, (1n << 64n) - 1n);
  if (typeof r === "bigint") return Number(r);
  if (r) ctx.lastError = r;
  return ctx.fail(`Malformed size ${text}`);
}

/** `--offset` and `--length` of `vol-upload`/`vol-download`, read first as virsh does. */
function range(ctx: CommandContext, args: Args): [number, number] {
  const offset = ctx.optBigInt(args, "offset", "ullp") ?? 0n;
  const length = ctx.optBigInt(args, "length", "ull") ?? 0n;
  return [Number(offset), Number(length)];
}

/** The backing store XML of `--backing-vol`: by name in the pool, then by key, then by path. */
async function backingStore(
  ctx: CommandContext,
  args: Args,
  lookupInPool: (name: string) => Promise<StorageVolume>,
): Promise<string> {
  const name = ctx.optString(args, "backing-vol");
  const format = ctx.optString(args, "backing-vol-format");
  if (name === undefined) return "";
  let vol: StorageVolume | undefined;
  for (
    const find of [
      lookupInPool,
      (n: string) => ctx.conn.lookupStorageVolByKey(n),
      (n: string) => ctx.conn.lookupStorageVolByPath(n),
    ]
  ) {
    const r = await ctx.attempt(() => find(name));
    if (r.ok) {
      vol = r.value;
      break;
    }
  }
  if (!vol) return ctx.fail(`failed to get vol '${name}'`);
  const path = await ctx.call(() => vol!.getPath());
  return `  <backingStore>\n    <path>${path}</path>\n` +
    (format !== undefined ? `    <format type='${format}'/>\n` : "") + "  </backingStore>\n";
}

/** The volume operation command table. */
export const VOLUME_OPS_COMMANDS: CommandDef[] = [
  {
    name: "vol-create-as",
    async run(ctx, args) {
      const flags = bits(args, [["prealloc-metadata", VIR.STORAGE_VOL_CREATE_PREALLOC_METADATA]]);
      const { obj: pool } = await poolArg(ctx, args);
      const name = ctx.optString(args, "name")!;
      const capacityText = ctx.optString(args, "capacity")!;
      const capacity = volSize(ctx, capacityText);
      const allocText = ctx.optStringQuiet(args, "allocation");
      const allocation = allocText ? volSize(ctx, allocText) : undefined;
      const format = ctx.optString(args, "format");
      let xml = `<volume>\n  <name>${name}</name>\n  <capacity>${capacity}</capacity>\n`;
      if (allocText !== undefined && allocText !== null) {
        xml += `  <allocation>${allocation ?? 0}</allocation>\n`;
      }
      if (format !== undefined) xml += `  <target>\n    <format type='${format}'/>\n  </target>\n`;
      xml += await backingStore(ctx, args, (n) => pool.lookupVolumeByName(n));
      xml += "</volume>\n";
      if (args.has("print-xml")) return ctx.print(xml);
      await ctx.call(() => pool.createVolumeXML(xml, flags), `Failed to create vol ${name}`);
      ctx.printExtra(`Vol ${name} created\n`);
    },
  },
  {
    name: "vol-create-from",
    async run(ctx, args) {
      const { obj: pool } = await poolArg(ctx, args);
      const flags = bits(args, [
        ["prealloc-metadata", VIR.STORAGE_VOL_CREATE_PREALLOC_METADATA],
        ["reflink", VIR.STORAGE_VOL_CREATE_REFLINK],
        ["validate", VIR.STORAGE_VOL_CREATE_VALIDATE],
      ]);
      const file = ctx.optString(args, "file")!;
      const { obj: input } = await volumeArg(ctx, args, "inputpool");
      const xml = await ctx.readFile(file);
      const vol = await ctx.call(
        () => pool.createVolumeXMLFrom(xml, input, flags),
        `Failed to create vol from ${file}`,
      );
      ctx.printExtra(`Vol ${vol.name} created from input vol ${input.name}\n`);
    },
  },
  {
    name: "vol-clone",
    async run(ctx, args) {
      const { obj: orig } = await volumeArg(ctx, args);
      const flags = bits(args, [
        ["prealloc-metadata", VIR.STORAGE_VOL_CREATE_PREALLOC_METADATA],
        ["reflink", VIR.STORAGE_VOL_CREATE_REFLINK],
      ]);
      const pool = await ctx.call(
        () => ctx.conn.lookupStoragePoolByVolume(orig),
        "failed to get parent pool",
      );
      const name = ctx.optString(args, "newname")!;
      const origXML = await ctx.call(() => orig.getXMLDesc());
      // virshMakeCloneXML: the original document with the new name, as libxml2 writes it.
      const doc = xpathDocument(await parseXML(origXML), true);
      const [nameNode] = xpathNodes(doc, "/volume/name");
      if (nameNode?.kind === "element") {
        nameNode.children = [{ kind: "text", order: 0, text: name, parent: nameNode }];
      }
      const xml = dumpNode(doc.context);
      if (args.has("print-xml")) return ctx.print(xml);
      const vol = await ctx.call(
        () => pool.createVolumeXMLFrom(xml, orig, flags),
        `Failed to clone vol from ${orig.name}`,
      );
      ctx.printExtra(`Vol ${vol.name} cloned from ${orig.name}\n`);
    },
  },
  {
    name: "vol-resize",
    async run(ctx, args) {
      let flags = bits(args, [
        ["allocate", VIR.STORAGE_VOL_RESIZE_ALLOCATE],
        ["shrink", VIR.STORAGE_VOL_RESIZE_SHRINK],
      ]);
      let delta = args.has("delta");
      const { obj: vol } = await volumeArg(ctx, args);
      let text = (ctx.optString(args, "capacity") ?? "").replace(/^\s+/, "");
      if (text.startsWith("-")) {
        if (!args.has("shrink")) ctx.fail("negative size requires --shrink");
        text = text.slice(1);
        delta = true;
      }
      if (delta) flags |= VIR.STORAGE_VOL_RESIZE_DELTA;
      const capacity = volSize(ctx, text);
      const how = delta ? "by" : "to";
      await ctx.call(
        () => vol.resize(capacity, flags),
        `Failed to change size of volume '${vol.name}' ${how} ${text}`,
      );
      ctx.printExtra(`Size of volume '${vol.name}' successfully changed ${how} ${text}\n`);
    },
  },
  {
    name: "vol-wipe",
    async run(ctx, args) {
      const { obj: vol, arg } = await volumeArg(ctx, args);
      const algoText = ctx.optString(args, "algorithm");
      const algorithm = algoText === undefined ? 0 : WIPE_ALGORITHMS.indexOf(algoText);
      if (algorithm < 0) ctx.fail(`Unsupported algorithm '${algoText}'`);
      let r = await ctx.attempt(() =>
        ctx.conn.call("storageVolWipePattern", vol.ref, algorithm, 0)
      );
      if (!r.ok && ctx.lastError?.code === VIR.ERR_NO_SUPPORT && algorithm === 0) {
        r = await ctx.attempt(() => vol.wipe(0));
      }
      if (!r.ok) ctx.fail(`Failed to wipe vol ${arg}`);
      ctx.printExtra(`Vol ${arg} wiped\n`);
    },
  },
  {
    name: "vol-upload",
    async run(ctx, args) {
      const [offset, length] = range(ctx, args);
      const { obj: vol, arg } = await volumeArg(ctx, args);
      const file = ctx.optString(args, "file")!;
      const sparse = args.has("sparse");
      const source = await (ctx.io.openRead?.(file, sparse) ??
        ctx.io.readFile(file).then((text) => new Blob([text]).stream())).catch(() => undefined);
      if (!source) return ctx.fail(`cannot read ${file}`);
      const flags = sparse ? VIR.STORAGE_VOL_UPLOAD_SPARSE_STREAM : 0;
      const st = ctx.conn.newStream(0);
      try {
        await ctx.call(
          () => vol.upload(st, offset, length, flags),
          `cannot upload to volume ${arg}`,
        );
        await ctx.call(
          () =>
            sparse ? st.sparseSendAll(source) : source.pipeTo(st.writable, { preventClose: true }),
          `cannot send data to volume ${arg}`,
        );
      } finally {
        await source.cancel().catch(() => {});
      }
      // The client's sparseSendAll has finished the stream already.
      if (!sparse) await ctx.call(() => st.finish(), `cannot close volume ${arg}`);
    },
  },
  {
    name: "vol-download",
    async run(ctx, args) {
      const [offset, length] = range(ctx, args);
      const { obj: vol, arg } = await volumeArg(ctx, args);
      const file = ctx.optString(args, "file")!;
      const flags = args.has("sparse") ? VIR.STORAGE_VOL_DOWNLOAD_SPARSE_STREAM : 0;
      const sink = await ctx.io.openWrite?.(file).catch(() => undefined);
      if (!sink) return ctx.fail(`cannot create ${file}`);
      const st = ctx.conn.newStream(0);
      try {
        await ctx.call(
          () => vol.download(st, offset, length, flags),
          `cannot download from volume ${arg}`,
        );
        // As virsh, always virStreamSparseRecvAll: holes only come on a sparse stream.
        await ctx.call(() => st.sparseRecvAll(sink), `cannot receive data from volume ${arg}`);
      } finally {
        await sink.abort().catch(() => {});
      }
      await ctx.call(() => st.finish(), `cannot close volume ${arg}`);
    },
  },
];
