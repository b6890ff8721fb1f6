/**
 * evsh's command handlers by name; their option tables are virsh's (`virsh_defs.ts`).
 * @module
 */
import type { CommandDef } from "../context.ts";
import { CHECKPOINT_COMMANDS } from "./checkpoint.ts";
import { DOMAIN_ATTACH_COMMANDS } from "./domain_attach.ts";
import { DOMAIN_BLOCK_COMMANDS } from "./domain_block.ts";
import { DOMAIN_DETACH_COMMANDS } from "./domain_detach.ts";
import { DOMAIN_DEVICES_COMMANDS } from "./domain_devices.ts";
import { DOMAIN_DISPLAY_COMMANDS } from "./domain_display.ts";
import { DOMAIN_GUEST_COMMANDS } from "./domain_guest.ts";
import { DOMAIN_IFACE_COMMANDS } from "./domain_iface.ts";
import { DOMAIN_INFO_COMMANDS } from "./domain_info.ts";
import { DOMAIN_METADATA_COMMANDS } from "./domain_metadata.ts";
import { DOMAIN_LIFECYCLE_COMMANDS } from "./domain_lifecycle.ts";
import { LIST_COMMAND } from "./domain_list.ts";
import { DOMAIN_MEMORY_COMMANDS } from "./domain_memory.ts";
import { DOMAIN_VCPU_COMMANDS } from "./domain_vcpu.ts";
import { HELP_COMMAND } from "./help.ts";
import { HOST_COMMANDS } from "./host.ts";
import { HOST_CPU_COMMANDS } from "./host_cpu.ts";
import { HOST_NODE_COMMANDS } from "./host_node.ts";
import { INTERFACE_COMMANDS } from "./interface.ts";
import { INTERFACE_BRIDGE_COMMANDS } from "./interface_bridge.ts";
import { NETWORK_COMMANDS } from "./network.ts";
import { NETWORK_PORT_COMMANDS } from "./network_port.ts";
import { NODEDEV_COMMANDS } from "./nodedev.ts";
import { POOL_COMMANDS } from "./pool.ts";
import { POOL_AS_COMMANDS } from "./pool_as.ts";
import { SNAPSHOT_COMMANDS } from "./snapshot.ts";
import { VOLUME_COMMANDS } from "./volume.ts";
import { VOLUME_OPS_COMMANDS } from "./volume_ops.ts";
import { DOMAIN_MIGRATE_COMMANDS } from "./domain_migrate.ts";
import { DOMAIN_MISC_COMMANDS } from "./domain_misc.ts";
import { DOMAIN_MONITOR_COMMANDS } from "./domain_monitor.ts";
import { DOMAIN_PIN_COMMANDS } from "./domain_pin.ts";
import { DOMAIN_TUNE_COMMANDS } from "./domain_tune.ts";
import { DOMAIN_SAVE_IMAGE_COMMANDS } from "./domain_save_image.ts";
import { NWFILTER_COMMANDS } from "./nwfilter.ts";
import { SECRET_COMMANDS } from "./secret.ts";
import { VIRSH_ITSELF_COMMANDS } from "./virsh_itself.ts";
import { SEND_KEY_COMMAND } from "./domain_send_key.ts";
import { DOMSTATS_COMMAND } from "./domain_stats.ts";
import { MIGRATE_COMMAND } from "./domain_migrate_run.ts";
import { ATTACH_DISK_COMMAND } from "./domain_attach_disk.ts";
import { BLOCKCOPY_COMMAND } from "./domain_block_copy.ts";
import { EDIT_COMMANDS } from "./edit.ts";
import { EVENT_COMMANDS } from "./events.ts";
import { CONSOLE_COMMAND } from "./domain_console.ts";
import { SCREENSHOT_COMMAND } from "./domain_screenshot.ts";

/** Every evsh command handler. */
export const COMMANDS: readonly CommandDef[] = [
  LIST_COMMAND,
  ...DOMAIN_INFO_COMMANDS,
  ...DOMAIN_LIFECYCLE_COMMANDS,
  ...DOMAIN_VCPU_COMMANDS,
  ...DOMAIN_MEMORY_COMMANDS,
  ...HOST_COMMANDS,
  ...HOST_NODE_COMMANDS,
  ...HOST_CPU_COMMANDS,
  ...NETWORK_COMMANDS,
  ...NETWORK_PORT_COMMANDS,
  ...POOL_COMMANDS,
  ...POOL_AS_COMMANDS,
  ...VOLUME_COMMANDS,
  ...VOLUME_OPS_COMMANDS,
  ...INTERFACE_COMMANDS,
  ...INTERFACE_BRIDGE_COMMANDS,
  ...NODEDEV_COMMANDS,
  ...SNAPSHOT_COMMANDS,
  ...CHECKPOINT_COMMANDS,
  ...DOMAIN_MIGRATE_COMMANDS,
  ...DOMAIN_GUEST_COMMANDS,
  ...DOMAIN_DEVICES_COMMANDS,
  ...DOMAIN_DETACH_COMMANDS,
  ...DOMAIN_ATTACH_COMMANDS,
  ...DOMAIN_BLOCK_COMMANDS,
  ...DOMAIN_DISPLAY_COMMANDS,
  ...DOMAIN_IFACE_COMMANDS,
  ...DOMAIN_METADATA_COMMANDS,
  ...DOMAIN_MISC_COMMANDS,
  ...DOMAIN_MONITOR_COMMANDS,
  ...DOMAIN_PIN_COMMANDS,
  ...DOMAIN_TUNE_COMMANDS,
  ...DOMAIN_SAVE_IMAGE_COMMANDS,
  ...SECRET_COMMANDS,
  ...NWFILTER_COMMANDS,
  HELP_COMMAND,
  ...VIRSH_ITSELF_COMMANDS,
  SEND_KEY_COMMAND,
  DOMSTATS_COMMAND,
  MIGRATE_COMMAND,
  ATTACH_DISK_COMMAND,
  BLOCKCOPY_COMMAND,
  ...EDIT_COMMANDS,
  ...EVENT_COMMANDS,
  CONSOLE_COMMAND,
  SCREENSHOT_COMMAND,
];

const BY_NAME = new Map(COMMANDS.map((c) => [c.name, c]));

/**
 * The handler of the command of that name (aliases are resolved by the parser).
 *
 * @example
 * ```ts
 * import { findCommand } from "./mod.ts";
 * findCommand("dominfo")?.name; // "dominfo"
 * ```
 */
export function findCommand(name: string): CommandDef | undefined {
  return BY_NAME.get(name);
}
