/**
 * The storage driver's state for one config directory (libvirt's `virStorageDriverState`):
 * its pools, their config files (`NAME.xml`), autostart links (`autostart/NAME.xml`) and the
 * state files of active pools (`stateDir/NAME.xml`, so a restarted daemon takes running pools
 * back), and the pool events.
 *
 * @module
 */
import type { DriverEvent, StoragePoolRef } from "../../util/driver.ts";
import { VirError } from "../../util/errors.ts";
import { EventHub } from "../../util/event_hub.ts";
import { SerialQueue } from "../../util/serial.ts";
import type { DriverPaths } from "../../util/driver_paths.ts";
import { pathExists, removeIfExists, xmlFiles } from "../../util/config_files.ts";
import {
  poolEvent,
  type PoolObj,
  StoragePoolObjList,
} from "../../conf/objects/storage_pool_obj.ts";
import { formatStoragePoolXML, parseStoragePoolXML } from "../../conf/storage_pool/mod.ts";

/** One storage driver's pools and files. */
export class StorageState {
  /** The pools. */
  readonly pools = new StoragePoolObjList();
  /** Pool events for every connection. */
  readonly events = new EventHub<DriverEvent>();
  /** Where configs and state files go. */
  readonly paths: DriverPaths;
  /** Every call of every connection, one at a time (libvirt's pool and volume locks). */
  readonly queue = new SerialQueue();

  constructor(paths: DriverPaths) {
    this.paths = paths;
  }

  /** The config file of pool `name`. */
  configFile(name: string): string {
    return `${this.paths.configDir}/${name}.xml`;
  }

  /** The autostart link of pool `name`. */
  autostartLink(name: string): string {
    return `${this.paths.configDir}/autostart/${name}.xml`;
  }

  /** `virStoragePoolObjSaveDef`: writes the pool's config file. */
  async saveConfig(obj: PoolObj): Promise<void> {
    await writeXML(this.paths.configDir, this.configFile(obj.def.name), obj);
  }

  /** Records (`active`) or forgets that the pool runs, for a restarted daemon. */
  async saveStatus(obj: PoolObj, active: boolean): Promise<void> {
    const file = `${this.paths.stateDir}/${obj.def.name}.xml`;
    if (active) await writeXML(this.paths.stateDir, file, obj);
    else await removeIfExists(file);
  }

  /** `virStoragePoolObjDeleteDef`: removes the config file and the autostart link. */
  async deleteConfig(obj: PoolObj): Promise<void> {
    await removeIfExists(this.autostartLink(obj.def.name));
    await removeIfExists(this.configFile(obj.def.name));
  }

  /** Makes or removes the autostart link. */
  async setAutostart(obj: PoolObj, on: boolean): Promise<void> {
    const link = this.autostartLink(obj.def.name);
    if (on) {
      await Deno.mkdir(`${this.paths.configDir}/autostart`, { recursive: true });
      await removeIfExists(link);
      await Deno.symlink(this.configFile(obj.def.name), link);
    } else {
      await removeIfExists(link);
    }
    obj.autostart = on;
  }

  /**
   * `virStoragePoolObjLoadAllConfigs` then `…LoadAllState`: the persistent pools from their
   * config files (autostart from the links), and which pools were running.
   */
  async load(): Promise<{ running: PoolObj[]; autostart: PoolObj[] }> {
    for (const file of await xmlFiles(this.paths.configDir)) {
      const obj = this.pools.addDef(
        parseStoragePoolXML(await Deno.readTextFile(`${this.paths.configDir}/${file}`)),
        false,
      );
      obj.persistent = true;
      obj.autostart = await pathExists(this.autostartLink(obj.def.name));
    }
    const running: PoolObj[] = [];
    for (const file of await xmlFiles(this.paths.stateDir)) {
      const def = parseStoragePoolXML(await Deno.readTextFile(`${this.paths.stateDir}/${file}`));
      running.push(this.pools.findByUUID(def.uuid) ?? this.pools.addDef(def, false));
    }
    const autostart = this.pools.filter((p) => p.autostart && !running.includes(p));
    return { running, autostart };
  }

  /** Queues a pool lifecycle event, or the refresh event when `event` is omitted. */
  emit(ref: StoragePoolRef, event?: number): void {
    this.events.emit(poolEvent(ref, event));
  }
}

async function writeXML(dir: string, file: string, obj: PoolObj): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true });
    const tmp = `${file}.new`;
    await Deno.writeTextFile(tmp, formatStoragePoolXML(obj.def), { mode: 0o600 });
    await Deno.rename(tmp, file);
  } catch (e) {
    throw VirError.report(
      "STORAGE",
      "SYSTEM_ERROR",
      `cannot save config file '${file}': ${(e as Error).message}`,
    );
  }
}
