/**
 * The secret driver's state for one config directory (libvirt's `virSecretDriverState` and
 * `virSecretObjList`): secrets by UUID, their config files (`UUID.xml`) and encrypted values
 * (`UUID.value`), never a file for an ephemeral secret, and the secret events.
 *
 * @module
 */
import type { DriverEvent, SecretRef } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { EventHub } from "../../util/event_hub.ts";
import { SerialQueue } from "../../util/serial.ts";
import type { DriverPaths } from "../../util/driver_paths.ts";
import { formatSecretXML, parseSecretXML, type SecretDef } from "../../conf/secret/mod.ts";
import { ValueCipher } from "./value_cipher.ts";

/** A secret and its value. */
export interface SecretObj {
  def: SecretDef;
  value?: Uint8Array;
}

/**
 * The usage id of a secret (volume path, name, target), `""` without usage.
 *
 * @example
 * ```ts
 * import { usageID } from "./state.ts";
 * usageID({ uuid: "", ephemeral: false, private: false, usage: { type: "ceph", name: "c" } }); // "c"
 * ```
 */
export function usageID(def: SecretDef): string {
  const u = def.usage;
  return u?.volume ?? u?.name ?? u?.target ?? "";
}

/**
 * The handle of a secret (`virGetSecret`).
 *
 * @example
 * ```ts
 * import { secretRef } from "./state.ts";
 * secretRef({ uuid: "u", ephemeral: false, private: false }).usageType; // 0
 * ```
 */
export function secretRef(def: SecretDef): SecretRef {
  const type = def.usage
    ? ["none", "volume", "ceph", "iscsi", "tls", "vtpm"].indexOf(def.usage.type)
    : 0;
  return { uuid: def.uuid, usageType: type, usageID: usageID(def) };
}

/** One secret driver's secrets and files. */
export class SecretState {
  /** Secrets by UUID, in definition order. */
  readonly secrets = new Map<string, SecretObj>();
  /** Secret events for every connection. */
  readonly events = new EventHub<DriverEvent>();
  /** Every call of every connection, one at a time (libvirt's secret object locks). */
  readonly queue = new SerialQueue();
  readonly #paths: DriverPaths;
  #cipher?: Promise<ValueCipher>;

  constructor(paths: DriverPaths) {
    this.#paths = paths;
  }

  #file(uuid: string, ext: string): string {
    return `${this.#paths.configDir}/${uuid}.${ext}`;
  }

  #cipherOnce(): Promise<ValueCipher> {
    this.#cipher ??= ValueCipher.open(`${this.#paths.configDir}/secrets-encryption-key`);
    return this.#cipher;
  }

  /** `virSecretLoadAllConfigs`: every `UUID.xml` with its value. */
  async load(): Promise<void> {
    const names: string[] = [];
    try {
      for await (const e of Deno.readDir(this.#paths.configDir)) {
        if (e.isFile && e.name.endsWith(".xml")) names.push(e.name);
      }
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return;
      throw e;
    }
    for (const name of names.sort()) {
      const def = parseSecretXML(await Deno.readTextFile(`${this.#paths.configDir}/${name}`));
      if (`${def.uuid}.xml` !== name) {
        throw VirError.report(
          "SECRET",
          "INTERNAL_ERROR",
          `<uuid> does not match secret file name '${name}'`,
        );
      }
      const obj: SecretObj = { def };
      try {
        const box = await Deno.readFile(this.#file(def.uuid, "value"));
        obj.value = await (await this.#cipherOnce()).open(def.uuid, box);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
      this.secrets.set(def.uuid, obj);
    }
  }

  /** `virSecretObjSaveConfig`. */
  async saveConfig(obj: SecretObj): Promise<void> {
    await writeFile(
      this.#file(obj.def.uuid, "xml"),
      new TextEncoder().encode(formatSecretXML(obj.def)),
    );
  }

  /** `virSecretObjSaveData`: the encrypted value, when there is one. */
  async saveValue(obj: SecretObj): Promise<void> {
    if (!obj.value) return;
    const box = await (await this.#cipherOnce()).seal(obj.def.uuid, obj.value);
    await writeFile(this.#file(obj.def.uuid, "value"), box);
  }

  /** `virSecretObjDeleteConfig` and `…DeleteData`. */
  async deleteFiles(uuid: string): Promise<void> {
    for (const ext of ["xml", "value"]) {
      try {
        await Deno.remove(this.#file(uuid, ext));
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
    }
  }

  /** Queues a lifecycle event (`event` given) or the value-changed event. */
  emit(def: SecretDef, event?: number): void {
    this.events.emit({
      family: "secret",
      eventId: event === undefined
        ? VIR.SECRET_EVENT_ID_VALUE_CHANGED
        : VIR.SECRET_EVENT_ID_LIFECYCLE,
      ref: secretRef(def),
      data: event === undefined ? {} : { event, detail: 0 },
    });
  }
}

/** Writes a file of mode 0600 atomically (a temporary file renamed over it). */
async function writeFile(path: string, data: Uint8Array): Promise<void> {
  try {
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true, mode: 0o700 });
    const tmp = `${path}.new`;
    await Deno.writeFile(tmp, data, { mode: 0o600 });
    await Deno.rename(tmp, path);
  } catch (e) {
    throw VirError.report(
      "SECRET",
      "SYSTEM_ERROR",
      `cannot write '${path}': ${(e as Error).message.replace(/ \(os error \d+\).*$/s, "")}`,
    );
  }
}
