/**
 * A scripted session through the public API (results, errors, events-free), run the same way
 * against an in-process and a remote connection and compared.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type Connection, VIR, VirError } from "../../mod.ts";
import { domainXml } from "../gateway/helpers.ts";

/** Runs a call and returns its JSON result or its error's JSON, for side-by-side comparison. */
async function outcome(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    const r = await fn();
    return { ok: JSON.parse(JSON.stringify(r ?? null, (k, v) => k === "cpuTime" ? 0 : v)) };
  } catch (e) {
    assert.ok(e instanceof VirError, `not a VirError: ${e}`);
    return { error: e.toJSON() };
  }
}

/** A scripted session through the public API, run the same way against both connections. */
export async function session(conn: Connection): Promise<unknown[]> {
  const out: unknown[] = [];
  out.push(await outcome(() => conn.listAllDomains().then((ds) => ds.map((d) => d.name))));
  out.push(await outcome(() => conn.lookupDomainByName("nope")));
  out.push(await outcome(() => conn.lookupDomainByUUID("not-a-uuid")));
  const dom = await conn.defineXMLFlags(domainXml("r1"), 0);
  out.push(await outcome(() => dom.getInfo()));
  out.push(await outcome(() => dom.setVcpusFlags(0, 0)));
  out.push(await outcome(() => dom.setVcpusFlags(1, VIR.DOMAIN_AFFECT_LIVE)));
  out.push(await outcome(() => dom.createWithFlags(0)));
  out.push(await outcome(() => dom.createWithFlags(0)));
  out.push(await outcome(() => dom.setVcpusFlags(1, VIR.DOMAIN_AFFECT_LIVE)));
  out.push(await outcome(() => dom.getVcpusFlags(VIR.DOMAIN_AFFECT_LIVE)));
  out.push(await outcome(() => conn.defineXMLFlags("<domain", 0)));
  out.push(await outcome(() => conn.listAllSecrets()));
  out.push(await outcome(() => conn.getNodeInfo()));
  out.push(await outcome(() => Promise.resolve(conn.getType())));
  out.push(await outcome(() => dom.destroyFlags(0)));
  out.push(await outcome(() => dom.undefineFlags(0)));
  return out;
}
