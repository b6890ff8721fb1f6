/**
 * What libvirt 9.0's domain parser keeps, and in which order its formatter writes it, for the
 * sections edgevirt round-trips as element trees. Each entry is `attributes | children`, in
 * output order; a leading `#` on the entry means the element carries text. An element is looked
 * up as `parent/name` first, then as `name`. Whatever is not listed is dropped, as libvirt's
 * parser ignores what it does not know.
 *
 * @example
 * ```ts
 * import { elementSpec } from "./schema.ts";
 * elementSpec("disk", "target")?.attrs; // ["dev", "bus", "tray", "removable", "rotation_rate"]
 * ```
 * @module
 */
import { type NameOrder, nameOrder } from "../../util/xml/mod.ts";

/** Known attributes and children of one element, in libvirt's output order. */
export interface ElementSpec {
  attrs: string[];
  kids: string[];
  /** Positions in `kids`. */
  order: NameOrder;
  text: boolean;
  /** Keep the subtree verbatim (`<metadata>` content). */
  verbatim: boolean;
}

/** `<address>` attributes depend on its type. */
const ADDRESSES: Record<string, string> = {
  "address:pci": "type domain bus slot function multifunction|zpci",
  "address:drive": "type controller bus target unit|",
  "address:virtio-serial": "type controller bus port|",
  "address:ccid": "type controller slot|",
  "address:usb": "type bus port|",
  "address:spapr-vio": "type reg|",
  "address:ccw": "type cssid ssid devno|",
  "address:isa": "type iobase irq|",
  "address:dimm": "type slot base|",
  "address:virtio-mmio": "type|",
  "address:virtio-s390": "type|",
  "address:unassigned": "type|",
  "zpci": "uid fid|",
};

/** Feature flags without content, and the `state='on|off'` ones. */
const FLAGS = "acpi pae hap viridian privnet e820_host relaxed vapic vpindex runtime synic reset " +
  "frequencies reenlightenment ipi evmcs avic hidden hint-dedicated poll-control pv-ipi " +
  "passthrough";

/** virDomainVirtioOptionsFormat: the `<driver>` of devices whose only driver options are virtio's. */
const VIRTIO_DRIVER = "iommu ats packed page_per_vq|";

const TABLE: Record<string, string> = {
  // top-level sections
  "metadata": "*",
  "memoryBacking": "|hugepages nosharepages locked source access allocation discard",
  "hugepages": "|page",
  "page": "size unit nodeset|",
  "memoryBacking/source": "type|",
  "memoryBacking/nosharepages": "|",
  "memoryBacking/locked": "|",
  "memoryBacking/discard": "|",
  "access": "mode|",
  "allocation": "mode threads|",
  // The simulator's tuning APIs take these child orders (kidOrder).
  "blkiotune": "|weight device",
  "memtune": "|hard_limit soft_limit min_guarantee swap_hard_limit",
  "hard_limit": "#unit|",
  "soft_limit": "#unit|",
  "min_guarantee": "#unit|",
  "swap_hard_limit": "#unit|",
  "weight": "#|",
  "iothreadids": "|iothread",
  "iothreadids/iothread": "id thread_pool_min thread_pool_max|",
  "defaultiothread": "thread_pool_min thread_pool_max|",
  "cputune": "|shares period quota global_period global_quota emulator_period emulator_quota " +
    "iothread_period iothread_quota vcpupin emulatorpin iothreadpin emulatorsched vcpusched " +
    "iothreadsched cachetune memorytune",
  "shares": "#|",
  "period": "#|",
  "quota": "#|",
  "global_period": "#|",
  "global_quota": "#|",
  "emulator_period": "#|",
  "emulator_quota": "#|",
  "iothread_period": "#|",
  "iothread_quota": "#|",
  "vcpupin": "vcpu cpuset|",
  "emulatorpin": "cpuset|",
  "iothreadpin": "iothread cpuset|",
  "vcpusched": "vcpus scheduler priority|",
  "iothreadsched": "iothreads scheduler priority|",
  "emulatorsched": "scheduler priority|",
  "cachetune": "vcpus id|cache monitor",
  "cachetune/cache": "id level type size unit|",
  "monitor": "level vcpus|",
  "memorytune": "vcpus id|node monitor",
  "memorytune/node": "id bandwidth|",
  "numatune": "|memory memnode",
  "numatune/memory": "mode placement nodeset|",
  "memnode": "cellid mode nodeset|",
  "resource": "|partition fibrechannel",
  "partition": "#|",
  "fibrechannel": "appid|",
  "bootloader": "#|",
  "bootloader_args": "#|",
  "os/loader": "#readonly secure type stateless format|",
  "os/nvram": "#template format|",
  "os/kernel": "#|",
  "os/initrd": "#|",
  "os/cmdline": "#|",
  "os/dtb": "#|",
  "os/root": "#|",
  "os/init": "#|",
  "os/initarg": "#|",
  "os/initdir": "#|",
  "os/inituser": "#|",
  "os/initgroup": "#|",
  "os/initenv": "#name|",
  "os/firmware": "|feature",
  "os/firmware/feature": "enabled name|",
  "os/bootmenu": "enable timeout|",
  "os/smbios": "mode|",
  "os/bios": "useserial rebootTimeout|",
  "os/acpi": "|table",
  "os/acpi/table": "#type|",
  "idmap": "|uid gid",
  "uid": "start target count|",
  "gid": "start target count|",
  "features": "|acpi apic pae hap viridian privnet hyperv kvm xen pvspinlock capabilities " +
    "pmu vmport gic smm ioapic hpt vmcoreinfo htm nested-hv msrs ccf-assist cfpc sbbc ibs " +
    "tcg async-teardown",
  "apic": "eoi|",
  "hap": "state|",
  "pvspinlock": "state|",
  "pmu": "state|",
  "vmport": "state|",
  "gic": "version|",
  "smm": "state|tseg",
  "tseg": "#unit|",
  "ioapic": "driver|",
  "hpt": "resizing|maxpagesize",
  "maxpagesize": "#unit|",
  "vmcoreinfo": "state|",
  "htm": "state|",
  "nested-hv": "state|",
  "ccf-assist": "state|",
  "async-teardown": "enabled|",
  "msrs": "unknown|",
  "cfpc": "value|",
  "sbbc": "value|",
  "ibs": "value|",
  "capabilities": "policy|",
  "hyperv": "mode|relaxed vapic spinlocks vpindex runtime synic stimer reset vendor_id " +
    "frequencies reenlightenment tlbflush ipi evmcs avic",
  "hyperv/spinlocks": "state retries|",
  "hyperv/stimer": "state|direct",
  "hyperv/vendor_id": "state value|",
  "hyperv/tlbflush": "state|",
  "kvm": "|hidden hint-dedicated poll-control pv-ipi dirty-ring",
  "dirty-ring": "state size|",
  "xen": "|e820_host passthrough",
  "cpu/model": "#fallback vendor_id|",
  "cpu/vendor": "#|",
  "cpu/feature": "policy name|",
  "cpu/cache": "level mode|",
  "cpu/maxphysaddr": "mode bits|",
  "cpu/numa": "|cell",
  "cell": "id cpus memory unit discard memAccess|distances cache interconnects",
  "distances": "|sibling",
  "sibling": "id value|",
  "timer": "name present tickpolicy track frequency mode|catchup",
  "catchup": "threshold slew limit|",
  "pm": "|suspend-to-mem suspend-to-disk",
  "suspend-to-mem": "enabled|",
  "suspend-to-disk": "enabled|",
  "perf": "|event",
  "perf/event": "name enabled|",
  "seclabel": "type model relabel|label imagelabel baselabel",
  "label": "#|",
  "imagelabel": "#|",
  "baselabel": "#|",
  "keywrap": "|cipher",
  "cipher": "name state|",
  "launchSecurity": "type|cbitpos reducedPhysBits policy dhCert session",
  "cbitpos": "#|",
  "reducedPhysBits": "#|",
  "policy": "#|",
  "dhCert": "#|",
  "session": "#|",
  // devices
  "disk": "type device model rawio sgio snapshot|driver auth source backingStore " +
    "backenddomain geometry blockio mirror target iotune readonly shareable transient " +
    "serial wwn vendor product encryption boot alias address",
  "disk/driver": "name type cache error_policy rerror_policy io ioeventfd event_idx copy_on_read " +
    "discard iothread detect_zeroes queues queue_size iommu ats packed page_per_vq|",
  // virDomainDiskSourceFormat: by storage type the attributes of its parser, a network
  // source's parts, an NVMe source's address; then (added by disk_source.ts) the slices,
  // labels and reservations among the credentials.
  "disk/source":
    "file fdgroup dev dir protocol name query tls tlsHostname pool volume mode startupPolicy " +
    "index|host identity snapshot config initiator ssl cookies readahead timeout address auth " +
    "encryption reconnect",
  "disk/source/host": "name port transport socket|",
  "disk/source/identity": "user group|",
  // An HTTP(S) source's cookies: secrets, written only in a secure dump (format.ts).
  "disk/source/cookies": "|cookie",
  "cookies/cookie": "#name|",
  "disk/source/snapshot": "name|",
  // An RBD source's Ceph configuration file.
  "disk/source/config": "file|",
  // A network source's credentials, iSCSI initiator and curl options.
  "auth": "username|secret",
  "auth/secret": "type uuid usage|",
  "initiator": "|iqn",
  "iqn": "name|",
  "ssl": "verify|",
  "readahead": "size|",
  "timeout": "seconds|",
  // The backing chain and a block job's destination (live XML, and the persistent XML of a
  // disk made by an external snapshot).
  "disk/backingStore": "type index|format source backingStore",
  "backingStore/backingStore": "type index|format source backingStore",
  "backingStore/format": "type|",
  "backingStore/source": "file dev index|",
  "mirror": "type job ready|format source",
  "mirror/format": "type|",
  "mirror/source": "file dev index|",
  // A disk's (or its source's) encryption: kept, so a driver that cannot decrypt refuses it.
  "encryption": "format engine|secret cipher ivgen",
  "encryption/secret": "type uuid usage|",
  "encryption/cipher": "name size mode hash|",
  "encryption/ivgen": "name hash|",
  "backenddomain": "name|",
  "disk/target": "dev bus tray removable rotation_rate|",
  "readonly": "|",
  "shareable": "|",
  "transient": "shareBacking|",
  "serial": "#|",
  "wwn": "#|",
  "vendor": "#|",
  "product": "#|",
  "boot": "order loadparm|",
  "geometry": "cyls heads secs trans|",
  "blockio": "logical_block_size physical_block_size|",
  "alias": "name|",
  // virDomainControllerDefFormat: the PCI model and target, the driver, the device info, then
  // the 64-bit PCI hole.
  "controller": "type index model ports vectors maxGrantFrames maxEventChannels|model target " +
    "driver alias address pcihole64",
  "controller/model": "name|",
  "controller/target": "chassisNr chassis port busNr hotplug index memReserve|node",
  "controller/driver": "queues cmd_per_lun max_sectors ioeventfd iothread|",
  "filesystem": "type accessmode model multidevs fmode dmode|driver binary source target " +
    "readonly boot alias address",
  "filesystem/binary": "path xattr|cache sandbox lock thread_pool",
  "filesystem/source": "dir dev file name usage units pool volume socket|",
  "filesystem/target": "dir|",
  "filesystem/driver": "type format queue wrpolicy iommu ats packed page_per_vq|",
  "interface/virtualport": "type|parameters",
  "parameters": "managerid typeid typeidversion instanceid interfaceid profileid|",
  "interface/script": "path|",
  "interface/downscript": "path|",
  "interface/guest": "dev actual|",
  // A virtio NIC's offloads (virDomainVirtioNetHostOptsFormat / GuestOptsFormat).
  "interface/driver/host": "csum gso tso4 tso6 ecn ufo mrg_rxbuf|",
  "interface/driver/guest": "csum tso4 tso6 ecn ufo|",
  "interface/driver": "name txmode ioeventfd event_idx queues rx_queue_size tx_queue_size " +
    "rss rss_hash_report iommu ats packed page_per_vq|host guest",
  "interface/link": "state|",
  "interface/mtu": "size|",
  // virDomainDeviceInfoFormat's ROM (NICs and hostdevs only).
  "interface/rom": "enabled bar file|",
  "hostdev/rom": "enabled bar file|",
  "interface/filterref": "filter|parameter",
  "interface/bandwidth": "|inbound outbound",
  "smartcard": "mode type|certificate database source protocol alias address",
  "certificate": "#|",
  "database": "#|",
  "serial/target": "type port|model",
  "console/target": "type port|",
  "parallel/target": "port|",
  "channel/target": "type name address port state|",
  "target/model": "name|",
  "protocol": "type|",
  "log": "file append|",
  "reconnect": "enabled timeout|",
  "input": "type bus model|driver source address alias",
  "input/driver": VIRTIO_DRIVER,
  "tpm": "model|backend alias address",
  "sound": "model|codec audio alias address",
  "codec": "type|",
  "audio": "id type|",
  "video": "|driver model alias address",
  // virDomainVideoDriverDefFormat: the virtio options, then the backend (qemu or vhostuser).
  "video/driver": "iommu ats packed page_per_vq name|",
  "video/model": "type ram vram vram64 vgamem heads primary|acceleration resolution",
  "acceleration": "accel3d accel2d rendernode|",
  "resolution": "x y|",
  // virDomainHostdevDefFormat: the source, a SCSI device's readonly and shareable flags, then
  // the device info.
  "hostdev": "mode type managed model display ramfb|driver source readonly " +
    "shareable teaming boot alias rom address",
  // Capabilities-mode hostdevs name their block device, character device or interface.
  "hostdev/source": "protocol name wwpn startupPolicy guestReset writeFiltering|vendor product " +
    "host auth initiator adapter address block char interface",
  // A SCSI device's host adapter, an iSCSI one's portal.
  "hostdev/teaming": "type persistent|",
  "hostdev/source/adapter": "name|",
  "hostdev/source/host": "name port|",
  "hostdev/source/block": "#|",
  "hostdev/source/char": "#|",
  "hostdev/source/interface": "#|",
  "hostdev/source/vendor": "id|",
  "hostdev/source/product": "id|",
  "hostdev/source/address": "domain bus slot function device target unit uuid|",
  "redirdev": "bus type|source protocol boot alias address",
  "hub": "type|alias address",
  "watchdog": "model action|alias address",
  "memballoon": "model autodeflate freePageReporting|stats alias address driver",
  "memballoon/driver": VIRTIO_DRIVER,
  "stats": "period|",
  "rng": "model|rate backend driver alias address",
  "rng/driver": VIRTIO_DRIVER,
  "rate": "bytes period|",
  "rng/backend": "#model type|source protocol",
  "panic": "model|address",
  "devices/nvram": "|alias address",
  "shmem": "name role|model size server msi alias address",
  "memory": "model access discard|source target alias address",
  "iommu": "model|driver alias address",
  "vsock": "model|cid alias acpi address driver",
  "vsock/driver": VIRTIO_DRIVER,
  "cid": "auto address|",
  "graphics/channel": "name mode|",
  "image": "compression|",
  "jpeg": "compression|",
  "zlib": "compression|",
  "playback": "compression|",
  "streaming": "mode|",
  "clipboard": "copypaste|",
  "mouse": "mode|",
  "filetransfer": "enable|",
  "gl": "enable rendernode|",
};

/**
 * Specs by element name, then by parent and grandparent: a lookup is a few map reads rather
 * than building `grandparent/parent/name` keys for every element of every document.
 */
interface SpecsOfName {
  /** The spec of `name` wherever no path entry applies. */
  any?: ElementSpec;
  byParent: Map<string, { spec?: ElementSpec; byGrandparent: Map<string, ElementSpec> }>;
}

const specs = new Map<string, SpecsOfName>();
/** `<address>` specs by the address type. */
const addressSpecs = new Map<string, ElementSpec>();
const flags = Object.fromEntries(FLAGS.split(" ").map((f) => [f, "state|"]));
for (const [key, raw] of Object.entries({ ...flags, ...TABLE, ...ADDRESSES })) {
  const verbatim = raw === "*";
  const text = raw.startsWith("#");
  const [a, k = ""] = (text ? raw.slice(1) : raw).split("|");
  const kids = k ? k.split(" ") : [];
  // Every device with a device info (alias and address) may carry its ACPI index, written
  // just before the address (virDomainDeviceInfoFormat).
  if (kids.includes("alias") && kids.includes("address") && !kids.includes("acpi")) {
    kids.splice(kids.indexOf("address"), 0, "acpi");
  }
  // And its USB companion controller's `<master>`, written right after the alias.
  if (kids.includes("alias") && kids.includes("address")) {
    kids.splice(kids.indexOf("alias") + 1, 0, "master");
  }
  const spec = { attrs: a ? a.split(" ") : [], kids, order: nameOrder(kids), text, verbatim };
  if (key.startsWith("address:")) {
    addressSpecs.set(key.slice("address:".length), spec);
    continue;
  }
  const path = key.split("/");
  const name = path[path.length - 1];
  let of = specs.get(name);
  if (!of) specs.set(name, of = { byParent: new Map() });
  if (path.length === 1) {
    of.any = spec;
    continue;
  }
  const parent = path[path.length - 2];
  let byParent = of.byParent.get(parent);
  if (!byParent) of.byParent.set(parent, byParent = { byGrandparent: new Map() });
  if (path.length === 2) byParent.spec = spec;
  else byParent.byGrandparent.set(path[0], spec);
}

/**
 * The spec of element `name` found under an element called `parent` (or under the path
 * `grandparent/parent`), or undefined when libvirt does not know it there.
 */
export function elementSpec(
  parent: string,
  name: string,
  grandparent = "",
  type?: string,
): ElementSpec | undefined {
  const of = specs.get(name);
  const byParent = of?.byParent.get(parent);
  const byPath = byParent?.byGrandparent.get(grandparent) ?? byParent?.spec;
  if (byPath) return byPath;
  return name === "address" ? addressSpecs.get(type!) : of?.any;
}
