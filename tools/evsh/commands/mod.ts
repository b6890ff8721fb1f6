/**
 * evsh's command handlers by name; their option tables are virsh's (`virsh_defs.ts`). A run
 * loads only the module of the command it runs: the names below are plain data, each module is
 * imported on first use (a one-command process would otherwise load every handler, the XML
 * parser among them, before it starts).
 * @module
 */
import type { CommandDef } from "../context.ts";

/** One handler module: the commands it defines and how to load them. */
export interface CommandModule {
  /** The names of its commands (`CommandDef.name`), separated by spaces. */
  readonly names: string;
  /** Imports the module; its handlers, in `names` order. */
  load(): Promise<readonly CommandDef[]>;
}

/**
 * Every handler module (a test checks that each `names` matches what its module defines).
 *
 * @example
 * ```ts
 * import { COMMAND_MODULES } from "./mod.ts";
 * COMMAND_MODULES[0].names; // "list"
 * ```
 */
export const COMMAND_MODULES: readonly CommandModule[] = [
  {
    names: "list",
    load: async () => [(await import("./domain_list.ts")).LIST_COMMAND],
  },
  {
    names: "dominfo domstate domid domname domuuid dumpxml",
    load: async () => (await import("./domain_info.ts")).DOMAIN_INFO_COMMANDS,
  },
  {
    names:
      "define create start undefine reset domrename shutdown reboot destroy suspend resume autostart managedsave save restore",
    load: async () => (await import("./domain_lifecycle.ts")).DOMAIN_LIFECYCLE_COMMANDS,
  },
  {
    names: "vcpucount vcpuinfo setvcpus setvcpu",
    load: async () => (await import("./domain_vcpu.ts")).DOMAIN_VCPU_COMMANDS,
  },
  {
    names: "setmem setmaxmem",
    load: async () => (await import("./domain_memory.ts")).DOMAIN_MEMORY_COMMANDS,
  },
  {
    names: "nodecpumap maxvcpus uri hostname version nodeinfo capabilities sysinfo",
    load: async () => (await import("./host.ts")).HOST_COMMANDS,
  },
  {
    names:
      "nodecpustats nodememstats node-memory-tune nodesevinfo nodesuspend freecell freepages allocpages domcapabilities pool-capabilities cpu-models",
    load: async () => (await import("./host_node.ts")).HOST_NODE_COMMANDS,
  },
  {
    names: "cpu-compare cpu-baseline hypervisor-cpu-compare hypervisor-cpu-baseline",
    load: async () => (await import("./host_cpu.ts")).HOST_CPU_COMMANDS,
  },
  {
    names:
      "net-list net-info net-dumpxml net-define net-create net-undefine net-start net-destroy net-autostart net-uuid net-name",
    load: async () => (await import("./network.ts")).NETWORK_COMMANDS,
  },
  {
    names:
      "net-port-list net-port-create net-port-dumpxml net-port-delete net-dhcp-leases iface-begin iface-commit iface-rollback net-update",
    load: async () => (await import("./network_port.ts")).NETWORK_PORT_COMMANDS,
  },
  {
    names:
      "pool-list pool-info pool-dumpxml pool-define pool-create pool-refresh pool-delete pool-build pool-undefine pool-start pool-destroy pool-autostart",
    load: async () => (await import("./pool.ts")).POOL_COMMANDS,
  },
  {
    names:
      "pool-define-as pool-create-as find-storage-pool-sources-as find-storage-pool-sources pool-name pool-uuid vol-name vol-pool",
    load: async () => (await import("./pool_as.ts")).POOL_AS_COMMANDS,
  },
  {
    names: "vol-key vol-list vol-info vol-path vol-dumpxml vol-create vol-delete",
    load: async () => (await import("./volume.ts")).VOLUME_COMMANDS,
  },
  {
    names: "vol-create-as vol-create-from vol-clone vol-resize vol-wipe vol-upload vol-download",
    load: async () => (await import("./volume_ops.ts")).VOLUME_OPS_COMMANDS,
  },
  {
    names:
      "iface-list iface-dumpxml iface-define iface-undefine iface-start iface-destroy iface-mac iface-name",
    load: async () => (await import("./interface.ts")).INTERFACE_COMMANDS,
  },
  {
    names: "iface-bridge iface-unbridge",
    load: async () => (await import("./interface_bridge.ts")).INTERFACE_BRIDGE_COMMANDS,
  },
  {
    names:
      "nodedev-list nodedev-dumpxml nodedev-destroy nodedev-detach nodedev-reattach nodedev-reset nodedev-create nodedev-define nodedev-undefine nodedev-start nodedev-autostart nodedev-info",
    load: async () => (await import("./nodedev.ts")).NODEDEV_COMMANDS,
  },
  {
    names:
      "snapshot-create-as snapshot-create snapshot-dumpxml snapshot-delete snapshot-parent snapshot-info snapshot-current snapshot-revert snapshot-list",
    load: async () => (await import("./snapshot.ts")).SNAPSHOT_COMMANDS,
  },
  {
    names:
      "checkpoint-create checkpoint-create-as checkpoint-info checkpoint-parent checkpoint-dumpxml checkpoint-delete checkpoint-list",
    load: async () => (await import("./checkpoint.ts")).CHECKPOINT_COMMANDS,
  },
  {
    names:
      "migrate-setspeed migrate-getspeed migrate-setmaxdowntime migrate-getmaxdowntime migrate-compcache migrate-postcopy domdirtyrate-calc",
    load: async () => (await import("./domain_migrate.ts")).DOMAIN_MIGRATE_COMMANDS,
  },
  {
    names:
      "domfsfreeze domfsthaw domfstrim domfsinfo dompmsuspend dompmwakeup guestvcpus set-user-password send-process-signal guest-agent-timeout get-user-sshkeys set-user-sshkeys",
    load: async () => (await import("./domain_guest.ts")).DOMAIN_GUEST_COMMANDS,
  },
  {
    names:
      "attach-device detach-device update-device detach-device-alias update-memory-device set-lifecycle-action",
    load: async () => (await import("./domain_devices.ts")).DOMAIN_DEVICES_COMMANDS,
  },
  {
    names: "detach-disk detach-interface change-media",
    load: async () => (await import("./domain_detach.ts")).DOMAIN_DETACH_COMMANDS,
  },
  {
    names: "attach-interface",
    load: async () => (await import("./domain_attach.ts")).DOMAIN_ATTACH_COMMANDS,
  },
  {
    names: "domblkstat blockresize domblkthreshold blockjob blockpull blockcommit",
    load: async () => (await import("./domain_block.ts")).DOMAIN_BLOCK_COMMANDS,
  },
  {
    names: "domdisplay vncdisplay",
    load: async () => (await import("./domain_display.ts")).DOMAIN_DISPLAY_COMMANDS,
  },
  {
    names: "domifaddr domif-setlink guestinfo",
    load: async () => (await import("./domain_iface.ts")).DOMAIN_IFACE_COMMANDS,
  },
  {
    names: "metadata desc",
    load: async () => (await import("./domain_metadata.ts")).DOMAIN_METADATA_COMMANDS,
  },
  {
    names:
      "qemu-monitor-command qemu-attach qemu-agent-command lxc-enter-namespace domsetlaunchsecstate backup-begin backup-dumpxml dom-fd-associate ttyconsole domxml-from-native domxml-to-native",
    load: async () => (await import("./domain_misc.ts")).DOMAIN_MISC_COMMANDS,
  },
  {
    names:
      "dommemstat domtime domcontrol domhostname domifstat domlaunchsecinfo inject-nmi domblkinfo domblkerror domblklist domiflist domif-getlink cpu-stats",
    load: async () => (await import("./domain_monitor.ts")).DOMAIN_MONITOR_COMMANDS,
  },
  {
    names: "vcpupin emulatorpin iothreadinfo iothreadpin iothreadadd iothreaddel iothreadset",
    load: async () => (await import("./domain_pin.ts")).DOMAIN_PIN_COMMANDS,
  },
  {
    names: "schedinfo memtune numatune perf blkiotune domiftune blkdeviotune",
    load: async () => (await import("./domain_tune.ts")).DOMAIN_TUNE_COMMANDS,
  },
  {
    names:
      "managedsave-dumpxml managedsave-define managedsave-remove managedsave-edit save-image-dumpxml save-image-define save-image-edit domjobinfo domjobabort dump",
    load: async () => (await import("./domain_save_image.ts")).DOMAIN_SAVE_IMAGE_COMMANDS,
  },
  {
    names:
      "secret-define secret-dumpxml secret-set-value secret-get-value secret-undefine secret-list",
    load: async () => (await import("./secret.ts")).SECRET_COMMANDS,
  },
  {
    names:
      "nwfilter-define nwfilter-undefine nwfilter-dumpxml nwfilter-list nwfilter-binding-create nwfilter-binding-delete nwfilter-binding-dumpxml nwfilter-binding-list",
    load: async () => (await import("./nwfilter.ts")).NWFILTER_COMMANDS,
  },
  {
    names: "help",
    load: async () => [(await import("./help.ts")).HELP_COMMAND],
  },
  {
    names: "echo quit exit pwd cd connect self-test complete",
    load: async () => (await import("./virsh_itself.ts")).VIRSH_ITSELF_COMMANDS,
  },
  {
    names: "send-key",
    load: async () => [(await import("./domain_send_key.ts")).SEND_KEY_COMMAND],
  },
  {
    names: "domstats",
    load: async () => [(await import("./domain_stats.ts")).DOMSTATS_COMMAND],
  },
  {
    names: "migrate",
    load: async () => [(await import("./domain_migrate_run.ts")).MIGRATE_COMMAND],
  },
  {
    names: "attach-disk",
    load: async () => [(await import("./domain_attach_disk.ts")).ATTACH_DISK_COMMAND],
  },
  {
    names: "blockcopy",
    load: async () => [(await import("./domain_block_copy.ts")).BLOCKCOPY_COMMAND],
  },
  {
    names: "edit net-edit pool-edit iface-edit nwfilter-edit snapshot-edit checkpoint-edit",
    load: async () => (await import("./edit.ts")).EDIT_COMMANDS,
  },
  {
    names: "event net-event pool-event nodedev-event secret-event qemu-monitor-event",
    load: async () => (await import("./events.ts")).EVENT_COMMANDS,
  },
  {
    names: "console",
    load: async () => [(await import("./domain_console.ts")).CONSOLE_COMMAND],
  },
  {
    names: "screenshot",
    load: async () => [(await import("./domain_screenshot.ts")).SCREENSHOT_COMMAND],
  },
];

const BY_NAME = new Map(
  COMMAND_MODULES.flatMap((m) => m.names.split(" ").map((n) => [n, m] as const)),
);

/**
 * The handler of the command of that name (aliases are resolved by the parser), its module
 * loaded on first use.
 *
 * @example
 * ```ts
 * import { findCommand } from "./mod.ts";
 * (await findCommand("dominfo"))?.name; // "dominfo"
 * ```
 */
export async function findCommand(name: string): Promise<CommandDef | undefined> {
  const defs = await BY_NAME.get(name)?.load();
  return defs?.find((d) => d.name === name);
}
