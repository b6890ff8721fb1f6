/**
 * The texts of `evsh --help` and `evsh -V` (virsh's `virshUsage`, `virshShowVersion`).
 * @module
 */
import { GROUPS, hasFlag } from "./virsh_defs.ts";

/**
 * `virshUsage` for program name `prog`: the options, then every command by group.
 *
 * @example
 * ```ts
 * import { usage } from "./usage.ts";
 * usage("evsh").startsWith("\nevsh [options]... [<command_string>]\n"); // true
 * ```
 */
export function usage(prog: string): string {
  let s = `\n${prog} [options]... [<command_string>]` +
    `\n${prog} [options]... <command> [args...]\n\n` +
    "  options:\n" +
    "    -c | --connect=URI      hypervisor connection URI\n" +
    "    -d | --debug=NUM        debug level [0-4]\n" +
    "    -e | --escape <char>    set escape sequence for console\n" +
    "    -h | --help             this help\n" +
    "    -k | --keepalive-interval=NUM\n" +
    "                            keepalive interval in seconds, 0 for disable\n" +
    "    -K | --keepalive-count=NUM\n" +
    "                            number of possible missed keepalive messages\n" +
    "    -l | --log=FILE         output logging to file\n" +
    "    -q | --quiet            quiet mode\n" +
    "    -r | --readonly         connect readonly\n" +
    "    -t | --timing           print timing information\n" +
    "    -v                      short version\n" +
    "    -V                      long version\n" +
    "         --version[=TYPE]   version, TYPE is short or long (default short)\n" +
    "  commands (non interactive mode):\n\n";
  for (const g of GROUPS) {
    s += ` ${g.name} (help keyword '${g.keyword}')\n`;
    for (const c of g.commands) {
      if (hasFlag(c, "alias") || hasFlag(c, "hidden")) continue;
      s += `    ${c.name.padEnd(30)} ${c.help}\n`;
    }
    s += "\n";
  }
  return s + "\n  (specify help <group> for details about the commands in the group)\n" +
    "\n  (specify help <command> for details about the command)\n\n";
}

/** The version evsh matches (`VERSION`). */
export const VERSION = "9.0.0";

/**
 * `virshShowVersion`: the long version, naming what this build of evsh can reach.
 *
 * @example
 * ```ts
 * import { longVersion } from "./usage.ts";
 * longVersion().split("\n")[0]; // "Virsh command line tool of libvirt 9.0.0"
 * ```
 */
export function longVersion(): string {
  return `Virsh command line tool of libvirt ${VERSION}\n` +
    "See web site at https://libvirt.org/\n\n" +
    "Compiled with support for:\n" +
    " Hypervisors: QEMU/KVM Test\n" +
    " Networking: Remote\n" +
    " Miscellaneous: Readline\n";
}
