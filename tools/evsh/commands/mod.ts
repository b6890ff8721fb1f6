/**
 * evsh's command table: every command, by name.
 * @module
 */
import type { CommandDef } from "../context.ts";
import { DOMAIN_INFO_COMMANDS } from "./domain_info.ts";
import { DOMAIN_LIFECYCLE_COMMANDS } from "./domain_lifecycle.ts";
import { LIST_COMMAND } from "./domain_list.ts";
import { DOMAIN_MEMORY_COMMANDS } from "./domain_memory.ts";
import { DOMAIN_VCPU_COMMANDS } from "./domain_vcpu.ts";
import { helpCommand } from "./help.ts";
import { HOST_COMMANDS } from "./host.ts";
import { INTERFACE_COMMANDS } from "./interface.ts";
import { NETWORK_COMMANDS } from "./network.ts";
import { NODEDEV_COMMANDS } from "./nodedev.ts";
import { POOL_COMMANDS } from "./pool.ts";
import { VOLUME_COMMANDS } from "./volume.ts";

/** Every evsh command. */
export const COMMANDS: readonly CommandDef[] = [
  LIST_COMMAND,
  ...DOMAIN_INFO_COMMANDS,
  ...DOMAIN_LIFECYCLE_COMMANDS,
  ...DOMAIN_VCPU_COMMANDS,
  ...DOMAIN_MEMORY_COMMANDS,
  ...HOST_COMMANDS,
  ...NETWORK_COMMANDS,
  ...POOL_COMMANDS,
  ...VOLUME_COMMANDS,
  ...INTERFACE_COMMANDS,
  ...NODEDEV_COMMANDS,
  // Looks commands up through findCommand, which reads BY_NAME only when help runs.
  helpCommand(findCommand),
];

const BY_NAME = new Map(COMMANDS.map((c) => [c.name, c]));

/**
 * The command of that name (`vshCmddefSearch`).
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
