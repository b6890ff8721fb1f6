/**
 * `deno task canon [--kind K] [--stable] [--validate] [--live] [--secure] [--json] [--out-dir D]
 * [--time] [--uri URI] [--pool-xml F] FILE...` — edgevirt's canonical XML, with the same CLI,
 * output and exit codes as the oracle's `canon.sh`: each input is defined on a test driver
 * loaded with an empty node, read back with XMLDesc and undefined again. Secrets (the test driver
 * has no secret driver) are parsed and formatted by `conf/` directly; nwfilters go, as canon.sh
 * sends them, to a session's nwfilter driver, which refuses them. Beyond canon.sh, the kinds
 * `nodedev`, `snapshot` and `checkpoint` (with `--kind`: canon.sh takes those roots for domains) are
 * created on a fresh `test:///default` each — a node device, or a snapshot/checkpoint of its
 * domain `test` — and read back, like `tests/tools/xmlgen/record_other.py` records them.
 *
 * @example
 * ```sh
 * deno task canon --stable tests/fixtures/libvirt-xml/domain/minimal.xml
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { basename, join } from "node:path";
import { connect } from "../../host.ts";
import type { ClientOptions } from "../../client/connect.ts";
import { type Connection, VIR, VirError } from "../../mod.ts";
import { childText, parse } from "../../util/xml/mod.ts";
import { formatSecretXML, parseSecretXML } from "../../conf/mod.ts";
import { nwfilterDriver } from "../../drivers/nwfilter/mod.ts";

const ROOT2KIND: Record<string, string> = {
  domain: "domain",
  network: "network",
  pool: "pool",
  volume: "volume",
  interface: "interface",
  secret: "secret",
  filter: "nwfilter",
};

const SCRATCH_POOL = `<pool type='dir'><name>canon-scratch-pool</name>
<target><path>/canon-scratch-pool</path></target></pool>`;

/** Options of one canon run. */
export interface CanonOptions {
  kind?: string;
  validate?: boolean;
  live?: boolean;
  secure?: boolean;
  stable?: boolean;
  uri?: string;
  /**
   * `qemu`: libvirt's QEMU driver defaults (canon.sh `--driver qemu`, there a private session
   * daemon): an embedded QEMU driver on a temporary root, removed on close. It is told KVM is
   * unusable, as the oracle's daemon (run as `nobody` by root, who alone opens `/dev/kvm` here)
   * finds it, so that both drivers answer for the same host.
   */
  driver?: "test" | "qemu";
  poolXml?: string;
}

/** What canon reports for one input. */
export interface CanonResult {
  kind: string;
  ok: boolean;
  xml: string | null;
  error: VirError | null;
  /** Milliseconds of define, read back and undefine (canon.py's --time measures just these). */
  ms: number;
}

function detect(xml: string): [string | undefined, string | undefined] {
  try {
    const root = parse(xml);
    return [ROOT2KIND[root.name], childText(root, "name")?.trim()];
  } catch {
    return [undefined, undefined];
  }
}

const UUID_RE = /<uuid>([0-9a-fA-F-]{32,36})<\/uuid>/g;
const MAC_RE = /<mac address='([0-9a-fA-F:]{17})'\/>/g;

/** canon.py's --stable: generated UUIDs/MACs (absent from the input) become placeholders. */
export function stabilize(input: string, out: string): string {
  const low = input.toLowerCase();
  return out
    .replace(
      UUID_RE,
      (m, u: string) =>
        low.includes(u.toLowerCase()) ? m : "<uuid>00000000-0000-0000-0000-000000000000</uuid>",
    )
    .replace(
      MAC_RE,
      (m, a: string) => low.includes(a.toLowerCase()) ? m : "<mac address='52:54:00:00:00:00'/>",
    );
}

/** Canonicalizes documents on one connection, like canon.py's `Canon` class. */
export class Canon {
  #conn: Connection;
  #opts: CanonOptions;
  #pool?: Awaited<ReturnType<Connection["createStoragePoolXML"]>>;
  /** The empty node file or QEMU root made for this run, removed on close. */
  #scratch?: string;

  private constructor(conn: Connection, opts: CanonOptions, scratch?: string) {
    this.#conn = conn;
    this.#opts = opts;
    this.#scratch = scratch;
  }

  /** Opens the connection (default: the test driver with an empty node). */
  static async open(opts: CanonOptions = {}): Promise<Canon> {
    if (!opts.uri && opts.driver === "qemu") {
      const root = await Deno.makeTempDir({ prefix: "edgevirt-canon-qemu-" });
      const options = { kvm: false } as ClientOptions;
      return new Canon(await connect(`qemu:///embed?root=${root}`, options), opts, root);
    }
    if (!opts.uri) {
      const empty = await Deno.makeTempFile({ prefix: "edgevirt-empty-node-", suffix: ".xml" });
      await Deno.writeTextFile(empty, "<node>\n</node>\n");
      // The test driver reads the node file when the connection opens, so it can go on close.
      return new Canon(await connect("test://" + empty), opts, empty);
    }
    return new Canon(await connect(opts.uri), opts);
  }

  /** Canonical XML of one document (kind from its root element unless forced). */
  async run(xml: string): Promise<CanonResult> {
    const [detected, name] = detect(xml);
    const kind = this.#opts.kind ?? detected ?? "domain";
    const t0 = performance.now();
    try {
      let out = await this.#run(kind, xml, name);
      if (this.#opts.stable) out = stabilize(xml, out);
      return { kind, ok: true, xml: out, error: null, ms: performance.now() - t0 };
    } catch (e) {
      if (!(e instanceof VirError)) throw e;
      return { kind, ok: false, xml: null, error: e, ms: performance.now() - t0 };
    }
  }

  async #run(kind: string, xml: string, name?: string): Promise<string> {
    const c = this.#conn;
    const v = this.#opts.validate;
    switch (kind) {
      case "domain": {
        const secure = this.#opts.secure ? VIR.DOMAIN_XML_SECURE : 0;
        if (this.#opts.live) {
          const d = await c.createXML(xml, v ? VIR.DOMAIN_START_VALIDATE : 0);
          try {
            return await d.getXMLDesc(secure);
          } finally {
            await d.destroy();
          }
        }
        const d = await c.defineXMLFlags(xml, v ? VIR.DOMAIN_DEFINE_VALIDATE : 0);
        try {
          return await d.getXMLDesc(secure | VIR.DOMAIN_XML_INACTIVE);
        } finally {
          await d.undefine();
        }
      }
      case "network": {
        if (this.#opts.live) {
          const n = await c.createNetworkXML(xml, v ? VIR.NETWORK_CREATE_VALIDATE : 0);
          try {
            return await n.getXMLDesc(0);
          } finally {
            await n.destroy();
          }
        }
        const n = await c.defineNetworkXMLFlags(xml, v ? VIR.NETWORK_DEFINE_VALIDATE : 0);
        try {
          return await n.getXMLDesc(0);
        } finally {
          await n.undefine();
        }
      }
      case "pool": {
        const p = await c.defineStoragePoolXML(xml, v ? VIR.STORAGE_POOL_DEFINE_VALIDATE : 0);
        try {
          return await p.getXMLDesc(0);
        } finally {
          await p.undefine();
        }
      }
      case "volume": {
        this.#pool ??= await c.createStoragePoolXML(
          this.#opts.poolXml ? await Deno.readTextFile(this.#opts.poolXml) : SCRATCH_POOL,
          0,
        );
        const vol = await this.#pool.createVolumeXML(xml, v ? VIR.STORAGE_VOL_CREATE_VALIDATE : 0);
        try {
          return await vol.getXMLDesc(0);
        } finally {
          await vol.delete(0);
        }
      }
      case "interface": {
        const i = await c.defineInterfaceXML(xml, v ? VIR.INTERFACE_DEFINE_VALIDATE : 0);
        try {
          return await i.getXMLDesc(0);
        } finally {
          await i.undefine();
        }
      }
      case "secret": {
        const def = parseSecretXML(xml, v ? VIR.SECRET_DEFINE_VALIDATE : 0);
        // The secret driver gives a secret without a UUID a random one when it is defined.
        return formatSecretXML(def.uuid ? def : { ...def, uuid: crypto.randomUUID() });
      }
      case "nwfilter": {
        const session = await nwfilterDriver.open(new URL("qemu:///session"), {});
        try {
          const ref = await session.nwfilterDefineXMLFlags!(
            xml,
            v ? VIR.NWFILTER_DEFINE_VALIDATE : 0,
          );
          return await session.nwfilterGetXMLDesc!(ref, 0);
        } finally {
          await session.connectClose();
        }
      }
      case "nodedev":
      case "snapshot":
      case "checkpoint":
        return await onDefaultDriver(kind, xml, v);
      default:
        throw VirError.report("NONE", "NO_SUPPORT", `canon of ${kind} (${name ?? "?"})`);
    }
  }

  /** Releases the scratch pool and the connection. */
  async close(): Promise<void> {
    if (this.#pool) await this.#pool.destroy().catch(() => {});
    await this.#conn.close();
    if (this.#scratch) await Deno.remove(this.#scratch, { recursive: true }).catch(() => {});
  }
}

/**
 * A node device, snapshot or checkpoint made on a fresh `test:///default`, read back; a node
 * device or snapshot is created with its VALIDATE flag when `validate` (a checkpoint always is
 * checked against its schema).
 */
async function onDefaultDriver(kind: string, xml: string, validate?: boolean): Promise<string> {
  const c = await connect("test:///default");
  try {
    if (kind === "nodedev") {
      const dev = await c.createNodeDeviceXML(
        xml,
        validate ? VIR.NODE_DEVICE_CREATE_XML_VALIDATE : 0,
      );
      const out = await dev.getXMLDesc(0);
      await dev.destroy();
      return out;
    }
    const dom = await c.lookupDomainByName("test");
    const moment = kind === "snapshot"
      ? await dom.snapshotCreateXML(xml, validate ? VIR.DOMAIN_SNAPSHOT_CREATE_VALIDATE : 0)
      : await dom.checkpointCreateXML(xml, 0);
    // The creation time is the clock's: printed as 0, as the recording does.
    return (await moment.getXMLDesc(0)).replace(
      /<creationTime>[0-9]+<\/creationTime>/,
      "<creationTime>0</creationTime>",
    );
  } finally {
    await c.close();
  }
}

function pyJson(v: unknown): string {
  // canon.py prints with Python's json.dumps defaults: ", " and ": " separators, ASCII only.
  return JSON.stringify(v, null, 1)
    .replace(/\n\s*/g, " ")
    .replace(/\[ /g, "[")
    .replace(/ \]/g, "]")
    .replace(/\{ /g, "{")
    .replace(/ \}/g, "}")
    .replace(/[\u007f-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        kind: { type: "string" },
        validate: { type: "boolean" },
        live: { type: "boolean" },
        secure: { type: "boolean" },
        stable: { type: "boolean" },
        uri: { type: "string" },
        driver: { type: "string" },
        "pool-xml": { type: "string" },
        "out-dir": { type: "string" },
        json: { type: "boolean" },
        time: { type: "boolean" },
      },
    });
  } catch (e) {
    console.error(`canon: error: ${(e as Error).message}`);
    return 2;
  }
  const { values: o, positionals: files } = parsed;
  if (!files.length) {
    console.error("canon: error: the following arguments are required: files");
    return 2;
  }
  if (o.driver && o.driver !== "test" && o.driver !== "qemu") {
    console.error(
      `canon: error: argument --driver: invalid choice: '${o.driver}' (choose from 'test', 'qemu')`,
    );
    return 2;
  }
  const inputs: [string, string][] = [];
  for (const f of files) {
    try {
      inputs.push([
        f,
        f === "-" ? await new Response(Deno.stdin.readable).text() : await Deno.readTextFile(f),
      ]);
    } catch (e) {
      console.error(`canon: ${f}: ${(e as Error).message}`);
      return 2;
    }
  }
  const t0 = performance.now();
  let canon: Canon;
  try {
    canon = await Canon.open({
      kind: o.kind,
      validate: o.validate,
      live: o.live,
      secure: o.secure,
      stable: o.stable,
      uri: o.uri,
      driver: o.driver as CanonOptions["driver"],
      poolXml: o["pool-xml"],
    });
  } catch (e) {
    console.error(`canon: cannot open ${o.uri ?? "test driver"}: ${(e as Error).message}`);
    return 2;
  }
  const enc = new TextEncoder();
  let rc = 0;
  try {
    for (const [f, xml] of inputs) {
      const r = await canon.run(xml);
      if (o.time) console.error(`canon: ${f}: ${r.kind} ${r.ms.toFixed(2)} ms`);
      if (!r.ok) rc = 1;
      if (o.json) {
        const error = r.error &&
          {
            code: r.error.code,
            code_name: r.error.codeName,
            domain: r.error.domain,
            domain_name: r.error.domainName,
            message: r.error.message,
          };
        console.log(pyJson({ file: f, kind: r.kind, ok: r.ok, xml: r.xml, error }));
        continue;
      }
      if (r.error) {
        console.error(`canon: ${f}: error: ${r.error.message}`);
        console.error(
          `canon: ${f}: libvirt code=${r.error.code} (${r.error.codeName}) ` +
            `domain=${r.error.domain} (${r.error.domainName})`,
        );
        continue;
      }
      if (o["out-dir"]) {
        await Deno.mkdir(o["out-dir"], { recursive: true });
        await Deno.writeTextFile(
          join(o["out-dir"], f === "-" ? "stdin.xml" : basename(f)),
          r.xml!,
        );
      } else {
        await Deno.stdout.write(enc.encode(r.xml!));
      }
    }
  } catch (e) {
    console.error(`canon: internal error: ${(e as Error).name}: ${(e as Error).message}`);
    return 2;
  } finally {
    await canon.close();
    if (o.time) {
      console.error(
        `canon: total ${(performance.now() - t0).toFixed(1)} ms for ${inputs.length} file(s)`,
      );
    }
  }
  return rc;
}

if (import.meta.main) Deno.exit(await main(Deno.args));

export { main };
