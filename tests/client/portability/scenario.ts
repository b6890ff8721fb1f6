/**
 * The portability scenario: list, lookup, define, start, setVcpusFlags, an error, an event and
 * a 401, through the public client API only, so the same code runs bundled on Deno, Node, Bun
 * and workerd. Returns one JSON line per step; every runtime must return the same lines.
 *
 * @module
 */
import { connect } from "../../../client/mod.ts";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";

/** Where the gateway is and how to reach it. */
export interface PortableTarget {
  uri: string;
  token: string;
  /** A service-binding style fetch (workerd), else the runtime's own. */
  fetch?: typeof fetch;
}

const XML = "<domain type='test'><name>portable</name><memory>65536</memory>" +
  "<vcpu current='1'>2</vcpu><os><type>hvm</type></os></domain>";

/** Runs the scenario; the domain it creates is removed again, so runs can follow each other. */
export async function runPortableScenario(t: PortableTarget): Promise<string[]> {
  const out: string[] = [];
  const line = (step: string, value: unknown) => out.push(JSON.stringify({ step, value }));
  const errorOf = (e: unknown) =>
    e instanceof VirError ? [e.codeName, e.domainName, e.message] : String(e);

  line(
    "401",
    await connect(t.uri, { token: "wrong", fetch: t.fetch }).then(() => "opened", errorOf),
  );
  const conn = await connect(t.uri, { token: t.token, fetch: t.fetch });
  const events: string[] = [];
  conn.domainEventRegisterAny(null, VIR.DOMAIN_EVENT_ID_LIFECYCLE, (ev) => {
    events.push(`${(ev.object as { name: string }).name}:${ev.data.event}:${ev.data.detail}`);
  });
  line("list", (await conn.listAllDomains()).map((d) => [d.name, d.id]));
  const test = await conn.lookupDomainByName("test");
  line("lookup", [test.name, test.id, test.uuid]);
  const dom = await conn.defineXMLFlags(XML, 0);
  line("define", [dom.name, dom.id]);
  await dom.createWithFlags(0);
  await dom.setVcpusFlags(2, VIR.DOMAIN_AFFECT_LIVE);
  line("setVcpusFlags", await dom.getVcpusFlags(VIR.DOMAIN_AFFECT_LIVE));
  line("error", await conn.lookupDomainByName("missing").then(() => "found", errorOf));
  await dom.destroyFlags(0);
  await dom.undefineFlags(0);
  for (let i = 0; i < 200 && events.length < 4; i++) await new Promise((r) => setTimeout(r, 10));
  line("events", events);
  await conn.close();
  return out;
}
