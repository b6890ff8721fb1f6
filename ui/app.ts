/// <reference lib="dom" />
/**
 * The gateway's web console (`/ui/`): the portable client in the page, talking to the gateway
 * that served it. Log in with a token, pick a served driver, then: the domains with their state
 * kept live by lifecycle events, start / shutdown / reboot / destroy, vCPU and memory changes,
 * the XML to read and define again (libvirt's validation errors shown as they come), and a
 * domain's serial console in a terminal over a console stream.
 *
 * @module
 */
import { Terminal } from "@xterm/xterm";
import { connect, type Connection, type Domain, type Stream, VIR } from "../mod.ts";

const STATES = ["no state", "running", "blocked", "paused", "shutdown", "shut off", "crashed"];
const TOKEN_KEY = "edgevirt-token";

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
let conn: Connection | undefined;
let terminal: { term: Terminal; stream: Stream } | undefined;

function say(text: string, error = false): void {
  const m = byId("message");
  m.textContent = text;
  m.className = error ? "error" : "";
}

/** Runs an action, reporting libvirt's message on failure. */
async function act(what: () => Promise<unknown>, done?: string): Promise<void> {
  try {
    await what();
    if (done) say(done);
  } catch (e) {
    say((e as Error).message, true);
  }
}

/** The remote URI of a served driver URI, on the gateway that served this page. */
function remoteUri(uri: string): string {
  const u = new URL(uri);
  const transport = location.protocol === "https:" ? "https" : "http";
  return `${u.protocol.slice(0, -1)}+${transport}://${location.host}${u.pathname}${u.search}`;
}

async function loadDrivers(): Promise<void> {
  const info = await (await fetch("/")).json() as { drivers: { uri: string }[] };
  const select = byId<HTMLSelectElement>("driver");
  select.replaceChildren(...info.drivers.map((d) => new Option(d.uri, d.uri)));
  // Only into an empty field: what the user typed while the drivers loaded stays.
  const token = byId<HTMLInputElement>("token");
  token.value ||= sessionStorage.getItem(TOKEN_KEY) ?? "";
}

async function open(): Promise<void> {
  const token = byId<HTMLInputElement>("token").value;
  sessionStorage.setItem(TOKEN_KEY, token);
  await conn?.close();
  conn = await connect(remoteUri(byId<HTMLSelectElement>("driver").value), {
    token: token || undefined,
  });
  conn.domainEventRegisterAny(null, VIR.DOMAIN_EVENT_ID_LIFECYCLE, () => void refresh());
  byId("domains").hidden = false;
  say(`connected to ${conn.uri}`);
  await refresh();
}

function button(label: string, action: string, run: () => Promise<unknown>): HTMLButtonElement {
  const b = document.createElement("button");
  b.textContent = label;
  b.dataset.action = action;
  b.onclick = () => act(run);
  return b;
}

function numberInput(name: string, value: number): HTMLInputElement {
  const i = document.createElement("input");
  i.type = "number";
  i.className = "num";
  i.name = name;
  i.value = String(value);
  return i;
}

async function row(dom: Domain): Promise<HTMLTableRowElement> {
  const [state] = await dom.getState();
  const info = await dom.getInfo();
  const tr = document.createElement("tr");
  tr.dataset.name = dom.name;
  const cell = (...nodes: (Node | string)[]) => {
    const td = document.createElement("td");
    td.append(...nodes);
    tr.append(td);
    return td;
  };
  cell(dom.name);
  const badge = document.createElement("span");
  badge.className = "state";
  badge.dataset.state = String(state);
  badge.textContent = STATES[state] ?? String(state);
  cell(badge);
  cell(String(info.nrVirtCpu)).dataset.field = "vcpus";
  cell(String(info.memory)).dataset.field = "memory";
  const running = state === VIR.DOMAIN_RUNNING || state === VIR.DOMAIN_PAUSED;
  cell(
    ...(running
      ? [
        button("Shutdown", "shutdown", () => dom.shutdown()),
        button("Reboot", "reboot", () => dom.reboot(0)),
        button("Destroy", "destroy", () => dom.destroy()),
        button("Console", "console", () => openConsole(dom)),
      ]
      : [button("Start", "start", () => dom.create())]),
    button("XML", "xml", () => edit(dom)),
  );
  const vcpus = numberInput("vcpus", info.nrVirtCpu);
  const memory = numberInput("memory", info.memory);
  cell(
    vcpus,
    button("Set vCPUs", "set-vcpus", async () => {
      await dom.setVcpusFlags(Number(vcpus.value), VIR.DOMAIN_AFFECT_CURRENT);
      await refresh();
    }),
    memory,
    button("Set memory", "set-memory", async () => {
      await dom.setMemoryFlags(Number(memory.value), VIR.DOMAIN_AFFECT_CURRENT);
      await refresh();
    }),
  );
  return tr;
}

async function refresh(): Promise<void> {
  if (!conn) return;
  const doms = await conn.listAllDomains(0);
  const rows = await Promise.all(doms.map(row));
  document.querySelector("#domains tbody")!.replaceChildren(...rows);
}

async function edit(dom: Domain): Promise<void> {
  byId("editor-title").textContent = `${dom.name}: XML`;
  byId<HTMLTextAreaElement>("xml").value = await dom.getXMLDesc(VIR.DOMAIN_XML_INACTIVE);
  byId("editor").hidden = false;
}

async function openConsole(dom: Domain): Promise<void> {
  closeConsole();
  const stream = conn!.newStream(0);
  await dom.openConsole(null, stream, 0);
  const term = new Terminal({ convertEol: false, rows: 20, cols: 80 });
  byId("console-title").textContent = `${dom.name}: serial console`;
  byId("console-panel").hidden = false;
  term.open(byId("terminal"));
  const encoder = new TextEncoder();
  term.onData((text) => void stream.send(encoder.encode(text)).catch(() => {}));
  terminal = { term, stream };
  (async () => {
    for (let piece = await stream.recv(); piece.length; piece = await stream.recv()) {
      term.write(piece);
    }
    term.write("\r\n[console closed]\r\n");
  })().catch((e) => term.write(`\r\n[${(e as Error).message}]\r\n`));
}

function closeConsole(): void {
  if (!terminal) return;
  terminal.stream.abort().catch(() => {});
  terminal.term.dispose();
  terminal = undefined;
  byId("console-panel").hidden = true;
}

byId("login").onsubmit = (ev) => {
  ev.preventDefault();
  act(open);
};
byId("save-xml").onclick = () =>
  act(async () => {
    const dom = await conn!.defineXML(byId<HTMLTextAreaElement>("xml").value);
    await refresh();
    say(`domain ${dom.name} defined`);
  });
byId("close-xml").onclick = () => {
  byId("editor").hidden = true;
};
byId("close-console").onclick = closeConsole;

act(loadDrivers);
