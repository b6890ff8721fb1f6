/**
 * virsh 9.0's help texts for the commands evsh implements, copied from `virsh help` and
 * `virsh help COMMAND` (data, not code): everything a command's help shows that its option
 * table cannot give. The layout lives in `help.ts`.
 *
 * Commands whose option table differs from virsh's (options evsh does not implement, such as
 * `dumpxml --xpath`) carry only their one-line help: virsh's option texts would describe
 * options evsh does not have, so `help COMMAND` declines them.
 * @module
 */

/** One command's texts (virsh's `vshCmdInfo` plus each `vshCmdOptDef.help`). */
export interface HelpText {
  /** The one-line help, shown in the NAME section and in the group lists. */
  help: string;
  /** The DESCRIPTION section, when virsh has one; may span lines, indented as virsh stores it. */
  desc?: string;
  /** Each option's help text, by option name; absent when evsh's options differ from virsh's. */
  options?: Readonly<Record<string, string>>;
}

/** A command group of `virsh help` (`vshCmdGrp`), restricted to evsh's commands in virsh's order. */
export interface HelpGroup {
  name: string;
  keyword: string;
  commands: readonly string[];
}

/**
 * Help texts by command name.
 *
 * @example
 * ```ts
 * import { HELP_TEXT } from "./help_text.ts";
 * HELP_TEXT.dominfo.help; // "domain information"
 * ```
 */
export const HELP_TEXT: Readonly<Record<string, HelpText>> = {
  list: {
    help: "list domains",
  },
  dominfo: {
    help: "domain information",
    desc: "Returns basic information about the domain.",
    options: { domain: "domain name, id or uuid" },
  },
  domstate: {
    help: "domain state",
    desc: "Returns state about a domain.",
    options: { domain: "domain name, id or uuid", reason: "also print reason for the state" },
  },
  domid: {
    help: "convert a domain name or UUID to domain id",
    options: { domain: "domain name or uuid" },
  },
  domname: {
    help: "convert a domain id or UUID to domain name",
    options: { domain: "domain id or uuid" },
  },
  domuuid: {
    help: "convert a domain name or id to domain UUID",
    options: { domain: "domain id or name" },
  },
  dumpxml: {
    help: "domain information in XML",
  },
  define: {
    help: "define (but don't start) a domain from an XML file",
    desc: "Define a domain.",
    options: {
      file: "file containing an XML domain description",
      validate: "validate the XML against the schema",
    },
  },
  create: {
    help: "create a domain from an XML file",
  },
  start: {
    help: "start a (previously defined) inactive domain",
  },
  undefine: {
    help: "undefine a domain",
  },
  shutdown: {
    help: "gracefully shutdown a domain",
  },
  reboot: {
    help: "reboot a domain",
  },
  destroy: {
    help: "destroy (stop) a domain",
  },
  suspend: {
    help: "suspend a domain",
    desc: "Suspend a running domain.",
    options: { domain: "domain name, id or uuid" },
  },
  resume: {
    help: "resume a domain",
    desc: "Resume a previously suspended domain.",
    options: { domain: "domain name, id or uuid" },
  },
  autostart: {
    help: "autostart a domain",
    desc: "Configure a domain to be automatically started at boot.",
    options: { domain: "domain name, id or uuid", disable: "disable autostarting" },
  },
  managedsave: {
    help: "managed save of a domain state",
    desc:
      "Save and destroy a running domain, so it can be restarted from\n    the same state at a later time.  When the virsh 'start'\n    command is next run for the domain, it will automatically\n    be started from this saved state.",
    options: {
      domain: "domain name, id or uuid",
      "bypass-cache": "avoid file system cache when saving",
      running: "set domain to be running on next start",
      paused: "set domain to be paused on next start",
      verbose: "display the progress of save",
    },
  },
  save: {
    help: "save a domain state to a file",
    desc: "Save the RAM state of a running domain.",
    options: {
      domain: "domain name, id or uuid",
      file: "where to save the data",
      "bypass-cache": "avoid file system cache when saving",
      xml: "filename containing updated XML for the target",
      running: "set domain to be running on restore",
      paused: "set domain to be paused on restore",
      verbose: "display the progress of save",
    },
  },
  restore: {
    help: "restore a domain from a saved state in a file",
  },
  vcpucount: {
    help: "domain vcpu counts",
    desc: "Returns the number of virtual CPUs used by the domain.",
    options: {
      domain: "domain name, id or uuid",
      maximum: "get maximum count of vcpus",
      active: "get number of currently active vcpus",
      live: "get value from running domain",
      config: "get value to be used on next boot",
      current: "get value according to current domain state",
      guest: "retrieve vcpu count from the guest instead of the hypervisor",
    },
  },
  vcpuinfo: {
    help: "detailed domain vcpu information",
    desc: "Returns basic information about the domain virtual CPUs.",
    options: { domain: "domain name, id or uuid", pretty: "return human readable output" },
  },
  setvcpus: {
    help: "change number of virtual CPUs",
    desc: "Change the number of virtual CPUs in the guest domain.",
    options: {
      domain: "domain name, id or uuid",
      count: "number of virtual CPUs",
      maximum: "set maximum limit on next boot",
      config: "affect next boot",
      live: "affect running domain",
      current: "affect current domain",
      guest: "modify cpu state in the guest",
      hotpluggable: "make added vcpus hot(un)pluggable",
    },
  },
  setvcpu: {
    help: "attach/detach vcpu or groups of threads",
    desc: "Add or remove vcpus",
    options: {
      domain: "domain name, id or uuid",
      vcpulist: "ids of vcpus to manipulate",
      enable: "enable cpus specified by cpumap",
      disable: "disable cpus specified by cpumap",
      config: "affect next boot",
      live: "affect running domain",
      current: "affect current domain",
    },
  },
  setmem: {
    help: "change memory allocation",
    desc: "Change the current memory allocation in the guest domain.",
    options: {
      domain: "domain name, id or uuid",
      size: "new memory size, as scaled integer (default KiB)",
      config: "affect next boot",
      live: "affect running domain",
      current: "affect current domain",
    },
  },
  setmaxmem: {
    help: "change maximum memory limit",
    desc: "Change the maximum memory allocation limit in the guest domain.",
    options: {
      domain: "domain name, id or uuid",
      size: "new maximum memory size, as scaled integer (default KiB)",
      config: "affect next boot",
      live: "affect running domain",
      current: "affect current domain",
    },
  },
  uri: {
    help: "print the hypervisor canonical URI",
    options: {},
  },
  hostname: {
    help: "print the hypervisor hostname",
    options: {},
  },
  version: {
    help: "show version",
  },
  nodeinfo: {
    help: "node information",
    desc: "Returns basic information about the node.",
    options: {},
  },
  capabilities: {
    help: "capabilities",
    desc: "Returns capabilities of hypervisor/driver.",
    options: {},
  },
  sysinfo: {
    help: "print the hypervisor sysinfo",
    desc: "output an XML string for the hypervisor sysinfo, if available",
    options: {},
  },
  "net-list": {
    help: "list networks",
    desc: "Returns list of networks.",
    options: {
      inactive: "list inactive networks",
      all: "list inactive & active networks",
      persistent: "list persistent networks",
      transient: "list transient networks",
      autostart: "list networks with autostart enabled",
      "no-autostart": "list networks with autostart disabled",
      uuid: "list uuid's only",
      name: "list network names only",
      table: "list table (default)",
    },
  },
  "net-info": {
    help: "network information",
    desc: "Returns basic information about the network",
    options: { network: "network name or uuid" },
  },
  "net-dumpxml": {
    help: "network information in XML",
  },
  "net-define": {
    help:
      "define an inactive persistent virtual network or modify an existing persistent one from an XML file",
    desc: "Define or modify a persistent virtual network.",
    options: {
      file: "file containing an XML network description",
      validate: "validate the XML against the schema",
    },
  },
  "net-undefine": {
    help: "undefine a persistent network",
    desc: "Undefine the configuration for a persistent network.",
    options: { network: "network name or uuid" },
  },
  "net-start": {
    help: "start a (previously defined) inactive network",
    desc: "Start a network.",
    options: { network: "network name or uuid" },
  },
  "net-destroy": {
    help: "destroy (stop) a network",
    desc: "Forcefully stop a given network.",
    options: { network: "network name or uuid" },
  },
  "net-autostart": {
    help: "autostart a network",
    desc: "Configure a network to be automatically started at boot.",
    options: { network: "network name or uuid", disable: "disable autostarting" },
  },
  "net-uuid": {
    help: "convert a network name to network UUID",
    options: { network: "network name" },
  },
  "net-name": {
    help: "convert a network UUID to network name",
    options: { network: "network uuid" },
  },
  "pool-list": {
    help: "list pools",
  },
  "pool-info": {
    help: "storage pool information",
  },
  "pool-dumpxml": {
    help: "pool information in XML",
  },
  "pool-define": {
    help:
      "define an inactive persistent storage pool or modify an existing persistent one from an XML file",
    desc: "Define or modify a persistent storage pool.",
    options: {
      file: "file containing an XML pool description",
      validate: "validate the XML against the schema",
    },
  },
  "pool-undefine": {
    help: "undefine an inactive pool",
    desc: "Undefine the configuration for an inactive pool.",
    options: { pool: "pool name or uuid" },
  },
  "pool-start": {
    help: "start a (previously defined) inactive pool",
  },
  "pool-destroy": {
    help: "destroy (stop) a pool",
    desc: "Forcefully stop a given pool. Raw data in the pool is untouched",
    options: { pool: "pool name or uuid" },
  },
  "pool-autostart": {
    help: "autostart a pool",
    desc: "Configure a pool to be automatically started at boot.",
    options: { pool: "pool name or uuid", disable: "disable autostarting" },
  },
  "vol-list": {
    help: "list vols",
    desc: "Returns list of vols by pool.",
    options: { pool: "pool name or uuid", details: "display extended details for volumes" },
  },
  "vol-info": {
    help: "storage vol information",
  },
  "vol-path": {
    help: "returns the volume path for a given volume name or key",
    options: { vol: "volume name or key", pool: "pool name or uuid" },
  },
  "vol-dumpxml": {
    help: "vol information in XML",
  },
  "vol-create": {
    help: "create a vol from an XML file",
    desc: "Create a vol.",
    options: {
      pool: "pool name",
      file: "file containing an XML vol description",
      "prealloc-metadata": "preallocate metadata (for qcow2 instead of full allocation)",
      validate: "validate the XML against the schema",
    },
  },
  "vol-delete": {
    help: "delete a vol",
    desc: "Delete a given vol.",
    options: {
      vol: "vol name, key or path",
      pool: "pool name or uuid",
      "delete-snapshots":
        "delete snapshots associated with volume (must be supported by storage driver)",
    },
  },
  "iface-list": {
    help: "list physical host interfaces",
    desc: "Returns list of physical host interfaces.",
    options: { inactive: "list inactive interfaces", all: "list inactive & active interfaces" },
  },
  "iface-dumpxml": {
    help: "interface information in XML",
  },
  "iface-mac": {
    help: "convert an interface name to interface MAC address",
    options: { interface: "interface name" },
  },
  "iface-name": {
    help: "convert an interface MAC address to interface name",
    options: { interface: "interface mac" },
  },
  "nodedev-list": {
    help: "enumerate devices on this host",
    options: {
      tree: "list devices in a tree",
      cap: "capability names, separated by comma",
      inactive: "list inactive devices",
      all: "list inactive & active devices",
    },
  },
  "nodedev-dumpxml": {
    help: "node device details in XML",
  },
  help: {
    help: "print help",
    desc: "Prints global help, command specific help, or help for a\n    group of related commands",
    options: {
      command: "Prints global help, command specific help, or help for a group of related commands",
    },
  },
};

/**
 * virsh's command groups that hold an evsh command, in virsh's order; groups with none are
 * left out.
 *
 * @example
 * ```ts
 * import { HELP_GROUPS } from "./help_text.ts";
 * HELP_GROUPS[0].keyword; // "domain"
 * ```
 */
export const HELP_GROUPS: readonly HelpGroup[] = [
  {
    name: "Domain Management",
    keyword: "domain",
    commands: [
      "autostart",
      "create",
      "define",
      "destroy",
      "domid",
      "domname",
      "domuuid",
      "dumpxml",
      "managedsave",
      "reboot",
      "restore",
      "resume",
      "save",
      "setmaxmem",
      "setmem",
      "setvcpus",
      "shutdown",
      "start",
      "suspend",
      "undefine",
      "vcpucount",
      "vcpuinfo",
      "setvcpu",
    ],
  },
  { name: "Domain Monitoring", keyword: "monitor", commands: ["dominfo", "domstate", "list"] },
  {
    name: "Host and Hypervisor",
    keyword: "host",
    commands: ["capabilities", "hostname", "nodeinfo", "sysinfo", "uri", "version"],
  },
  {
    name: "Interface",
    keyword: "interface",
    commands: ["iface-dumpxml", "iface-list", "iface-mac", "iface-name"],
  },
  {
    name: "Networking",
    keyword: "network",
    commands: [
      "net-autostart",
      "net-define",
      "net-destroy",
      "net-dumpxml",
      "net-info",
      "net-list",
      "net-name",
      "net-start",
      "net-undefine",
      "net-uuid",
    ],
  },
  { name: "Node Device", keyword: "nodedev", commands: ["nodedev-dumpxml", "nodedev-list"] },
  {
    name: "Storage Pool",
    keyword: "pool",
    commands: [
      "pool-autostart",
      "pool-define",
      "pool-destroy",
      "pool-dumpxml",
      "pool-info",
      "pool-list",
      "pool-start",
      "pool-undefine",
    ],
  },
  {
    name: "Storage Volume",
    keyword: "volume",
    commands: ["vol-create", "vol-delete", "vol-dumpxml", "vol-info", "vol-list", "vol-path"],
  },
  { name: "Virsh itself", keyword: "virsh", commands: ["help"] },
];
