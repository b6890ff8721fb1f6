/**
 * The nwfilter driver's state for one config directory (libvirt's `virNWFilterDriverState`):
 * filters by UUID and name, each in `NAME.xml` as libvirt saves it, the built-in filters put
 * into a new directory as libvirt's package installs them, and the bindings.
 *
 * @module
 */
import type { DriverPaths } from "../../util/driver_paths.ts";
import { VirError } from "../../util/errors.ts";
import { SerialQueue } from "../../util/serial.ts";
import { pathExists, removeIfExists, xmlFiles } from "../../util/config_files.ts";
import {
  formatNWFilterBindingXML,
  formatNWFilterXML,
  type NWFilterBindingDef,
  type NWFilterDef,
  parseNWFilterBindingXML,
  parseNWFilterXML,
} from "../../conf/nwfilter/mod.ts";
import { BUILTIN_FILTERS } from "./builtin_filters.ts";
import type { CommandRunner } from "./tech/firewall.ts";
import { runCommand } from "../../util/run_command.ts";

/** What the driver needs from the host beyond its files. */
export interface NWFilterHost {
  /** Whether a network device exists (`virNetDevExists`). */
  linkExists(name: string): Promise<boolean>;
  /** Runs the firewall tools (ebtables, iptables, ip6tables). */
  run: CommandRunner;
}

/** The host's answers: `/sys/class/net/NAME`, its own firewall tools. */
export const SYSFS_HOST: NWFilterHost = {
  linkExists: (name) => pathExists(`/sys/class/net/${name}`),
  run: (argv) => runCommand(argv),
};

/** `virXMLSaveFile`'s warning, naming the command that edits the filter. */
const header = (name: string) =>
  "<!--\nWARNING: THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE\n" +
  "OVERWRITTEN AND LOST. Changes to this xml configuration should be made using:\n" +
  `  virsh nwfilter-edit ${name}\nor other application using the libvirt API.\n-->\n\n`;

/** One nwfilter driver's filters, bindings and files. */
export class NWFilterState {
  /** Filters by UUID, in definition order. */
  readonly filters = new Map<string, NWFilterDef>();
  /** Bindings by port device. */
  readonly bindings = new Map<string, NWFilterBindingDef>();
  /** The port devices this state put rules on (whose chains a teardown removes). */
  readonly applied = new Set<string>();
  /** Every call of every connection, one at a time (libvirt's driver mutex). */
  readonly queue = new SerialQueue();
  readonly privileged: boolean;
  readonly host: NWFilterHost;
  readonly #paths: DriverPaths;

  constructor(paths: DriverPaths, privileged: boolean, host: NWFilterHost) {
    this.#paths = paths;
    this.privileged = privileged;
    this.host = host;
  }

  /** The filter named `name`. */
  byName(name: string): NWFilterDef | undefined {
    for (const def of this.filters.values()) if (def.name === name) return def;
    return undefined;
  }

  /**
   * `nwfilterStateInitialize`: nothing for a session; else a new config directory gets the
   * built-in filters, then every `NAME.xml` is loaded, one given no UUID saved with its new one.
   */
  async load(): Promise<void> {
    if (!this.privileged) return;
    const dir = this.#paths.configDir;
    if (!await pathExists(dir)) {
      await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
      for (const [name, xml] of Object.entries(BUILTIN_FILTERS)) {
        await Deno.writeTextFile(`${dir}/${name}.xml`, xml, { mode: 0o600 });
      }
    }
    for (const file of await xmlFiles(dir)) {
      const def = parseNWFilterXML(await Deno.readTextFile(`${dir}/${file}`));
      if (`${def.name}.xml` !== file) {
        throw VirError.report(
          "NWFILTER",
          "XML_ERROR",
          `network filter config filename '${dir}/${file}' does not match name '${def.name}'`,
        );
      }
      this.filters.set(def.uuid, def);
      if (!def.uuidSpecified) await this.save(def);
    }
    await this.#loadBindings();
  }

  /** `virNWFilterSaveConfig`: `NAME.xml`, written whole or not at all. */
  async save(def: NWFilterDef): Promise<void> {
    const path = `${this.#paths.configDir}/${def.name}.xml`;
    try {
      await Deno.mkdir(this.#paths.configDir, { recursive: true, mode: 0o700 });
      await Deno.writeTextFile(`${path}.new`, header(def.name) + formatNWFilterXML(def), {
        mode: 0o600,
      });
      await Deno.rename(`${path}.new`, path);
    } catch (e) {
      throw VirError.report(
        "NWFILTER",
        "SYSTEM_ERROR",
        `cannot write '${path}': ${(e as Error).message.replace(/ \(os error \d+\).*$/s, "")}`,
      );
    }
  }

  /** `virNWFilterDeleteDef`. */
  async remove(def: NWFilterDef): Promise<void> {
    try {
      await Deno.remove(`${this.#paths.configDir}/${def.name}.xml`);
    } catch {
      throw VirError.report("NWFILTER", "INTERNAL_ERROR", `cannot remove config for ${def.name}`);
    }
  }

  /** `virNWFilterBindingObjSave`: the binding in the state directory, `PORTDEV.xml`. */
  async saveBinding(def: NWFilterBindingDef): Promise<void> {
    await Deno.mkdir(this.#paths.stateDir, { recursive: true, mode: 0o700 });
    await Deno.writeTextFile(
      `${this.#paths.stateDir}/${def.portdev}.xml`,
      formatNWFilterBindingXML(def),
      { mode: 0o600 },
    );
  }

  /** `virNWFilterBindingObjDelete`. */
  async deleteBinding(portdev: string): Promise<void> {
    await removeIfExists(`${this.#paths.stateDir}/${portdev}.xml`);
  }

  /** `virNWFilterBindingObjListLoadAllConfigs`: the bindings of a driver that ran before. */
  async #loadBindings(): Promise<void> {
    for (const file of await xmlFiles(this.#paths.stateDir)) {
      const def = parseNWFilterBindingXML(
        await Deno.readTextFile(`${this.#paths.stateDir}/${file}`),
      );
      this.bindings.set(def.portdev, def);
    }
  }
}
