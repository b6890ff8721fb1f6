/**
 * The storage node of a network disk source as libvirt 9.0 builds it
 * (`qemuBlockStorageSourceGetBackendProps` and its per-protocol helpers in `qemu_block.c`): the
 * QEMU block driver named after the protocol and the protocol's own properties, in libvirt's
 * order. QEMU 7.2 loads some of these drivers (curl, iscsi, gluster, rbd, ssh) as modules that
 * a host may lack; as with libvirt, QEMU then refuses the start itself ("Unknown driver …"),
 * so nothing is dropped.
 *
 * @module
 */
import { NETWORK_DEFAULT_PORTS } from "../../../conf/common/disk_source.ts";
import { definedProps } from "../json_props.ts";
import { VirError } from "../../../util/errors.ts";
import { child, children, type XmlElement } from "../../../util/xml/mod.ts";
import { unsupported } from "../command/unsupported.ts";

/** One `<host>` of a source, as libvirt's `virStorageNetHostDef` after default ports. */
interface Host {
  transport: string;
  name?: string;
  port: number;
  socket?: string;
}

function hostsOf(source: XmlElement, protocol: string): Host[] {
  return children(source, "host").map((h) => ({
    transport: h.attributes.transport ?? "tcp",
    name: h.attributes.name,
    port: h.attributes.port ? Number(h.attributes.port) : NETWORK_DEFAULT_PORTS[protocol] ?? 0,
    socket: h.attributes.socket,
  }));
}

const internal = (message: string) => VirError.report("QEMU", "INTERNAL_ERROR", message);

/** `qemuBlockStorageSourceBuildJSONSocketAddress`. */
function socketAddress(host: Host): Record<string, unknown> {
  if (host.transport === "tcp") return { type: "inet", host: host.name, port: `${host.port}` };
  if (host.transport === "unix") return { type: "unix", path: host.socket };
  throw internal(`transport protocol '${host.transport}' is not yet supported`);
}

/** `qemuBlockStorageSourceBuildJSONInetSocketAddress`. */
function inetAddress(host: Host): Record<string, unknown> {
  if (host.transport !== "tcp") {
    throw internal("only TCP protocol can be converted to InetSocketAddress");
  }
  return { host: host.name, port: `${host.port}` };
}

/** The one host a protocol takes, or libvirt's error for another count. */
function oneHost(hosts: Host[], message: string): Host {
  if (hosts.length !== 1) throw internal(message);
  return hosts[0];
}

/** `qemuBlockStorageSourceGetURI` formatted as virURIFormat does (IPv6 hosts bracketed). */
function uriOf(protocol: string, hosts: Host[], path: string | undefined, query?: string): string {
  const host = oneHost(hosts, `protocol '${protocol}' accepts only one host`);
  const scheme = host.transport === "tcp" ? protocol : `${protocol}+${host.transport}`;
  const server = host.name?.includes(":") ? `[${host.name}]` : host.name ?? "";
  const port = host.transport === "tcp" && host.port ? `:${host.port}` : "";
  const p = path === undefined ? "" : path.startsWith("/") ? path : `/${path}`;
  return `${scheme}://${server}${port}${p}${query ? `?${query}` : ""}`;
}

/** `pool/image` of gluster and rbd names (the parser checked the slash). */
function splitName(name: string): [string, string] {
  const at = name.indexOf("/");
  return [name.slice(0, at), name.slice(at + 1)];
}

/** The credentials a source's storage node names: the user and the secret object's id. */
export interface SourceAuth {
  username?: string;
  id: string;
}

type Props = (src: XmlElement, hosts: Host[], auth?: SourceAuth) => Record<string, unknown>;

/** Per protocol: the QEMU driver's properties of the source (driver name aside). */
const PROTOCOLS: Record<string, Props> = {
  nbd: (src, hosts) => ({
    server: socketAddress(oneHost(hosts, "nbd protocol accepts only one host")),
    export: src.attributes.name,
  }),
  http: curl,
  https: curl,
  ftp: curl,
  ftps: curl,
  iscsi: (src, hosts, auth) => {
    const [target, lun] = (src.attributes.name ?? "").split(/\/(.*)/);
    const host = hosts[0];
    const portal = host.name?.includes(":")
      ? `[${host.name}]:${host.port}`
      : `${host.name}:${host.port}`;
    return {
      portal,
      target,
      lun: lun === undefined ? 0 : Number(lun),
      transport: "tcp",
      user: auth?.username,
      "password-secret": auth?.id,
      "initiator-name": child(child(src, "initiator"), "iqn")?.attributes.name,
    };
  },
  gluster: (src, hosts) => {
    const [volume, path] = splitName(src.attributes.name ?? "");
    // qemu.conf's gluster_debug_level, 4 by default, reaches every gluster source.
    return { volume, path, server: hosts.map(socketAddress), debug: 4 };
  },
  rbd: (src, hosts, auth) => {
    const [pool, image] = splitName(src.attributes.name ?? "");
    return {
      pool,
      image,
      snapshot: child(src, "snapshot")?.attributes.name,
      conf: child(src, "config")?.attributes.file,
      server: hosts.length ? hosts.map(inetAddress) : undefined,
      user: auth?.username,
      // The auth modes of libvirt's old command line.
      "auth-client-required": auth ? ["cephx", "none"] : undefined,
      "key-secret": auth?.id,
    };
  },
  ssh: (src, hosts, auth) => ({
    path: src.attributes.name,
    server: inetAddress(oneHost(hosts, "ssh protocol accepts only one host")),
    user: auth?.username,
  }),
};

/** `qemuBlockStorageSourceGetCURLProps` without cookies. */
function curl(src: XmlElement, hosts: Host[], auth?: SourceAuth): Record<string, unknown> {
  const protocol = src.attributes.protocol;
  // libvirt reads <ssl verify> for the TLS protocols only; elsewhere it is not part of the source.
  const tls = protocol === "https" || protocol === "ftps";
  const verify = tls ? child(src, "ssl")?.attributes.verify : undefined;
  const timeout = child(src, "timeout")?.attributes.seconds;
  const readahead = child(src, "readahead")?.attributes.size;
  return {
    url: uriOf(protocol, hosts, src.attributes.name, src.attributes.query),
    username: auth?.username,
    "password-secret": auth?.id,
    sslverify: verify === undefined ? undefined : verify === "yes",
    timeout: timeout ? Number(timeout) : undefined,
    readahead: readahead ? Number(readahead) : undefined,
  };
}

/**
 * The storage node properties (`driver` first, then the protocol's) of a `<disk type='network'>`
 * source, with the credentials `auth` the start prepared for its `<auth>`; libvirt's refusal for
 * TFTP, which QEMU dropped. HTTP cookies and TLS need secret objects or certificates the driver
 * does not make: refused, never started without them.
 *
 * @example
 * ```ts
 * import { networkBackend } from "./disk_backend.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * networkBackend(parse("<source protocol='nbd' name='e'><host name='127.0.0.1' port='10809'/></source>"));
 * // { driver: "nbd", server: { type: "inet", host: "127.0.0.1", port: "10809" }, export: "e" }
 * ```
 */
export function networkBackend(source: XmlElement, auth?: SourceAuth): Record<string, unknown> {
  const protocol = source.attributes.protocol;
  if (protocol === "tftp") {
    throw unsupported("'tftp' protocol is not supported with this QEMU binary");
  }
  const build = PROTOCOLS[protocol];
  if (!build) {
    throw unsupported(`'${protocol}' protocol is not supported with this QEMU binary`);
  }
  if (child(source, "cookies")) {
    throw unsupported("http cookies is not supported with this QEMU binary");
  }
  if (source.attributes.tls === "yes") {
    throw unsupported("disk source TLS is not supported with this QEMU binary");
  }
  return { driver: protocol, ...definedProps(build(source, hostsOf(source, protocol), auth)) };
}

/**
 * `qemuDomainPrepareStorageSourceTLS` for the start: an NBD source that does not say whether
 * it uses TLS takes qemu.conf's `nbd_tls`, off by default, and the live XML says so
 * (`tls='no'`).
 *
 * @example
 * ```ts
 * import { prepareSourceTls } from "./disk_backend.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * const disk = parse("<disk type='network'><source protocol='nbd'/></disk>");
 * prepareSourceTls(disk);
 * disk.children; // <source protocol='nbd' tls='no'/>
 * ```
 */
export function prepareSourceTls(disk: XmlElement): void {
  const source = child(disk, "source");
  if (disk.attributes.type !== "network" || source?.attributes.protocol !== "nbd") return;
  source.attributes = { ...source.attributes, tls: source.attributes.tls ?? "no" };
}
