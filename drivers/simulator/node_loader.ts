/**
 * Loads a `<node>` document into a {@link TestDriverState}, as libvirt's `testOpenParse`:
 * node CPU/memory, domains (with the `test:` namespace run state), networks, interfaces,
 * pools with their volumes, node devices and `<auth>` users. Children may be inline or point
 * to another file with `file=`, resolved relative to the node file.
 *
 * @module
 */
import { child, children, parse, stringify, textOf } from "../../util/xml/mod.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import {
  parseInterfaceXML,
  parseNetworkXML,
  parseNodeDeviceXML,
  parseStoragePoolXML,
  parseStorageVolXML,
  parseTestDomain,
} from "./conf_adapters.ts";
import { testStoragePoolDefaults } from "./storage_postparse.ts";
import { shutdownState, startState } from "./domain_access.ts";
import { iothreadIdsOf } from "../../conf/domain/iothreads.ts";
import { newIOThreadPoll } from "./domain_iothread_api.ts";
import type { TestDriverState } from "./driver_state.ts";
import { parseTestNamespace } from "./test_namespace.ts";
import { enter } from "../../conf/common/metadata_ns.ts";

function xmlError(detail: string): VirError {
  return VirError.report("TEST", "XML_ERROR", detail);
}

/** The largest node file read: the XML parser's own document limit. */
const MAX_NODE_FILE = 4 * 1024 * 1024;

function readDocument(path: string): XmlElement {
  let text: string;
  try {
    // Only a regular file of bounded size: a FIFO would block every other caller on open, and
    // /dev/zero would never end. The check comes before the open for that reason.
    const info = Deno.statSync(path);
    if (!info.isFile || info.size > MAX_NODE_FILE) throw new Error("not a node file");
    text = Deno.readTextFileSync(path);
  } catch {
    throw xmlError(`failed to parse xml document '${path}'`);
  }
  return parse(text, { context: path, errorDomain: "TEST" });
}

/** `testParseXMLDocFromFile`: the element itself, or the root of the file it names. */
function resolveFile(node: XmlElement, file: string | null): XmlElement {
  const rel = node.attributes.file;
  if (rel === undefined) return node;
  const abs = rel.startsWith("/") || file === null
    ? rel
    : `${file.slice(0, file.lastIndexOf("/")) || "/"}/${rel}`.replace(/^\/\//, "/");
  return readDocument(abs);
}

/** `virXPathLong` on `/node/<path>`: undefined when absent, an error when not a number. */
function nodeNumber(root: XmlElement, path: string[], what: string): number | undefined {
  let el: XmlElement | undefined = root;
  for (const p of path) el = child(el, p);
  const text = textOf(el);
  if (text === undefined) return undefined;
  if (!/^\s*[-+]?\d+\s*$/.test(text)) throw xmlError(`invalid node ${what} value`);
  return Number(text);
}

function parseNodeInfo(state: TestDriverState, root: XmlElement): void {
  const info = state.nodeInfo;
  const cpu = (name: string) => nodeNumber(root, ["cpu", name], `cpu ${name}`);
  info.nodes = cpu("nodes") ?? info.nodes;
  info.sockets = cpu("sockets") ?? info.sockets;
  info.cores = cpu("cores") ?? info.cores;
  info.threads = cpu("threads") ?? info.threads;
  info.cpus = info.cores * info.threads * info.sockets * info.nodes;
  const active = cpu("active");
  if (active !== undefined && active < info.cpus) info.cpus = active;
  info.mhz = cpu("mhz") ?? info.mhz;
  const model = textOf(child(child(root, "cpu"), "model"));
  if (model !== undefined) info.model = model;
  info.memory = nodeNumber(root, ["memory"], "memory") ?? info.memory;
}

function parseDomains(state: TestDriverState, root: XmlElement, file: string | null): void {
  for (const node of children(root, "domain")) {
    const el = resolveFile(node, file);
    // A domain written inside the node file sees the node's namespace declarations too.
    const ns = parseTestNamespace(el, el === node ? enter(root, new Map()) : new Map());
    const { obj } = state.domains.add(parseTestDomain(stringify(el), false), {
      live: false,
      checkLive: false,
    });
    obj.persistent = !ns.transient;
    obj.hasManagedSave = ns.hasManagedSave;
    // testDomainGenerateIOThreadInfos: only the node file's domains get polling parameters
    obj.iothreadPolls = iothreadIdsOf(obj.def).map(newIOThreadPoll);
    if (ns.runstate !== VIR.DOMAIN_SHUTOFF) startState(state, obj, 0);
    else shutdownState(state, obj, 0);
    // libvirt overwrites the start reason: loaded domains report reason 0.
    obj.state = ns.runstate;
    obj.reason = 0;
  }
}

function parseNetworks(state: TestDriverState, root: XmlElement, file: string | null): void {
  for (const node of children(root, "network")) {
    state.networks.assignDef(parseNetworkXML(stringify(resolveFile(node, file))), false).active =
      true;
  }
}

/** `testParseInterfaces`: every interface of a node starts active. */
function parseInterfaces(state: TestDriverState, root: XmlElement, file: string | null): void {
  for (const node of children(root, "interface")) {
    state.ifaces.assignDef(parseInterfaceXML(stringify(resolveFile(node, file)))).active = true;
  }
}

/** `testParseStorage` with `testOpenVolumesForPool`: active, persistent pools and their volumes. */
function parsePools(state: TestDriverState, root: XmlElement, file: string | null): void {
  for (const node of children(root, "pool")) {
    const el = resolveFile(node, file);
    const obj = state.pools.addDef(parseStoragePoolXML(stringify(el), 0), false);
    const def = testStoragePoolDefaults(obj.def);
    obj.persistent = true;
    obj.active = true;
    for (const volNode of children(el, "volume")) {
      const vol = parseStorageVolXML(def, stringify(resolveFile(volNode, file)));
      // Unlike createXML, a volume from a node file keeps the path and key it states.
      vol.target.path ??= `${def.target.path}/${vol.name}`;
      vol.key ??= vol.target.path;
      obj.volumes.add(vol);
      def.allocation += vol.allocation;
      def.available = def.capacity - def.allocation;
    }
  }
}

/** `testParseNodedevs`. */
function parseNodeDevices(state: TestDriverState, root: XmlElement, file: string | null): void {
  for (const node of children(root, "device")) {
    state.devices.assignDef(parseNodeDeviceXML(stringify(resolveFile(node, file))));
  }
}

function parseAuthUsers(state: TestDriverState, root: XmlElement): void {
  for (const user of children(child(root, "auth"), "user")) {
    const username = textOf(user) ?? "";
    if (username === "") throw xmlError("missing username in /node/auth/user field");
    state.auths.push({ username, password: user.attributes.password });
  }
}

/**
 * Fills a state from a node document; `file` is the node file's path (null for the built-in
 * default node) and anchors relative `file=` references.
 *
 * @example
 * ```ts
 * import { loadNode } from "./node_loader.ts";
 * import { TestDriverState } from "./driver_state.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * const state = new TestDriverState();
 * loadNode(state, parse("<node/>"), null);
 * ```
 */
export function loadNode(state: TestDriverState, root: XmlElement, file: string | null): void {
  if (root.name !== "node") throw xmlError("Root element is not 'node'");
  parseNodeInfo(state, root);
  parseDomains(state, root, file);
  parseNetworks(state, root, file);
  parseInterfaces(state, root, file);
  parsePools(state, root, file);
  parseNodeDevices(state, root, file);
  parseAuthUsers(state, root);
}

/**
 * Reads and parses a node file the way `virXMLParseFileCtxt` reports problems: an unreadable
 * file is "failed to parse xml document", a wrong root "expecting root element of 'node'".
 *
 * @example
 * ```ts
 * import { readNodeFile } from "./node_loader.ts";
 * const root = readNodeFile("/srv/nodes/empty-node.xml");
 * ```
 */
export function readNodeFile(path: string): XmlElement {
  const root = readDocument(path);
  if (root.name !== "node") {
    throw VirError.report(
      "XML",
      "XML_ERROR",
      `expecting root element of 'node', not '${root.name}'`,
    );
  }
  return root;
}
