/**
 * The XML documents the API sequence generator passes to define/create calls: small valid
 * documents of each kind (named so later ops can find the object) and deliberately broken ones
 * (malformed, nameless, bad values), the inputs whose error code and domain must match libvirt.
 *
 * @example
 * ```ts
 * import { Random } from "../xmlgen/random.ts";
 * import { domainXml } from "./xml.ts";
 * console.log(domainXml(new Random("1"), "g1").startsWith("<domain")); // true
 * ```
 * @module
 */
import type { Random } from "../xmlgen/random.ts";

/** The broken variants every kind gets, `root` being the document element. */
function broken(r: Random, root: string, valid: string): string {
  return r.pick([
    `<${root}>`,
    `<${root}><uuid>not-a-uuid</uuid></${root}>`,
    `<${root}></${root}>`,
    valid.replace(/<name>[^<]*<\/name>/, ""),
    "<nothing/>",
    "",
  ]);
}

/** A domain document named `name` (valid unless the die says otherwise). */
export function domainXml(r: Random, name: string, validity = 0.85): string {
  const mem = r.pick([65536, 131072, 262144, 1048576]);
  const vcpu = r.int(1, 4);
  const max = r.chance(0.3) ? ` current='${r.int(1, vcpu)}'` : "";
  const disk = r.chance(0.5)
    ? "<devices><disk type='file' device='disk'><source file='/guest/" + name +
      ".img'/><target dev='vda' bus='virtio'/></disk><interface type='network'>" +
      "<source network='default'/></interface></devices>"
    : "";
  const valid = `<domain type='test'><name>${name}</name><memory>${mem}</memory>` +
    `<vcpu${max}>${vcpu}</vcpu><os><type arch='i686'>hvm</type></os>${disk}</domain>`;
  if (r.chance(validity)) return valid;
  return r.pick([
    broken(r, "domain", valid),
    valid.replace("type='test'", "type='bogus'"),
    valid.replace(`<memory>${mem}</memory>`, "<memory unit='zz'>1</memory>"),
    valid.replace(`<vcpu${max}>${vcpu}`, `<vcpu current='9'>${vcpu}`),
  ]);
}

/** A network document named `name`. */
export function networkXml(r: Random, name: string, n: number, validity = 0.85): string {
  const fwd = r.pick(["", "<forward mode='nat'/>", "<forward mode='route'/>", "<forward/>"]);
  const valid = `<network><name>${name}</name>${fwd}<bridge name='gbr${n}'/>` +
    `<ip address='192.168.${100 + n}.1' netmask='255.255.255.0'><dhcp>` +
    `<range start='192.168.${100 + n}.2' end='192.168.${100 + n}.254'/></dhcp></ip></network>`;
  if (r.chance(validity)) return valid;
  return r.pick([
    broken(r, "network", valid),
    valid.replace(fwd || "<bridge", `<forward mode='nonsense'/>${fwd ? "" : "<bridge"}`),
    valid.replace(`address='192.168.${100 + n}.1'`, "address='300.1.1.1'"),
  ]);
}

/** A storage pool document named `name`. */
export function poolXml(r: Random, name: string, validity = 0.85): string {
  const type = r.pick(["dir", "dir", "fs", "logical", "netfs"]);
  const source = type === "fs"
    ? "<source><device path='/dev/sdz'/></source>"
    : type === "netfs"
    ? "<source><host name='localhost'/><dir path='/export'/></source>"
    : type === "logical"
    ? `<source><name>${name}</name></source>`
    : "";
  const valid = `<pool type='${type}'><name>${name}</name>${source}` +
    `<target><path>/guest/${name}</path></target></pool>`;
  if (r.chance(validity)) return valid;
  return r.pick([
    broken(r, "pool", valid),
    valid.replace(`type='${type}'`, "type='bogus'"),
    valid.replace(/<target>.*<\/target>/, ""),
  ]);
}

/** A storage volume document named `name`. */
export function volumeXml(r: Random, name: string, validity = 0.85): string {
  const cap = r.pick(["1048576", "10", "1073741824", "<capacity unit='M'>5"]);
  const capEl = cap.startsWith("<") ? `${cap}</capacity>` : `<capacity>${cap}</capacity>`;
  const alloc = r.chance(0.4) ? `<allocation>${r.pick([0, 1024, 4096])}</allocation>` : "";
  const valid = `<volume><name>${name}</name>${capEl}${alloc}</volume>`;
  if (r.chance(validity)) return valid;
  return r.pick([
    broken(r, "volume", valid),
    valid.replace(capEl, ""),
    valid.replace(capEl, "<capacity unit='zz'>1</capacity>"),
  ]);
}

/** An interface document named `name` with MAC `mac`. */
export function interfaceXml(r: Random, name: string, mac: string, validity = 0.85): string {
  const type = r.pick(["ethernet", "ethernet", "bridge"]);
  const inner = type === "bridge"
    ? "<bridge><interface type='ethernet' name='" + name + "s'/></bridge>"
    : `<mac address='${mac}'/>`;
  const valid = `<interface type='${type}' name='${name}'><start mode='onboot'/>${inner}` +
    "<protocol family='ipv4'><ip address='192.168.0.5' prefix='24'/></protocol></interface>";
  if (r.chance(validity)) return valid;
  return r.pick([
    `<interface type='ethernet'><mac address='${mac}'/></interface>`,
    valid.replace(`type='${type}'`, "type='bogus'"),
    "<interface>",
    "<nothing/>",
  ]);
}

/**
 * A node device document: a vHBA, the test driver's only creatable kind, on scsi_host1 (the
 * default node's HBA with vport_ops) or on scsi_host11, which cannot hold one.
 */
export function nodeDeviceXml(r: Random, validity = 0.7): string {
  const wwn = (r.int(0, 0xffffff) + 0x1000000).toString(16).padStart(8, "0");
  const valid = "<device><parent>" + r.pick(["scsi_host1", "scsi_host1", "scsi_host11"]) +
    "</parent><capability type='scsi_host'><capability type='fc_host'>" +
    `<wwnn>20000000${wwn}</wwnn><wwpn>10000000${wwn}</wwpn>` +
    "</capability></capability></device>";
  if (r.chance(validity)) return valid;
  return r.pick([
    "<device>",
    "<device><name>x</name></device>",
    valid.replace(/<parent>[^<]*<\/parent>/, ""),
    valid.replace("fc_host", "pci"),
  ]);
}

/** A snapshot document named `name`. */
export function snapshotXml(r: Random, name: string, validity = 0.9): string {
  const desc = r.chance(0.3) ? "<description>generated</description>" : "";
  const valid = `<domainsnapshot><name>${name}</name>${desc}</domainsnapshot>`;
  if (r.chance(validity)) return valid;
  return r.pick([
    "<domainsnapshot>",
    "<nothing/>",
    "<domainsnapshot><name>a/b</name></domainsnapshot>",
  ]);
}

/** A checkpoint document named `name`. */
export function checkpointXml(r: Random, name: string, validity = 0.9): string {
  const valid = `<domaincheckpoint><name>${name}</name></domaincheckpoint>`;
  if (r.chance(validity)) return valid;
  return r.pick([
    "<domaincheckpoint>",
    "<nothing/>",
    "<domaincheckpoint><name>a/b</name></domaincheckpoint>",
    `<domaincheckpoint><name>${name}</name><disks><disk name='vdz'/></disks></domaincheckpoint>`,
  ]);
}
