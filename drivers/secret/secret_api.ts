/**
 * The calls of libvirt's secret driver (secret_driver.c): list, lookup by UUID and usage,
 * define (with `virSecretObjListAdd`'s duplicate rules and the ephemeral/persistent switch),
 * XML, set/get value (a private secret's value never leaves the driver) and undefine, with
 * their events.
 *
 * @module
 */
import type { DriverConnection, SecretRef } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { methodTable } from "../../util/method_table.ts";
import type { InternalSecretValue } from "../../util/secret_internal.ts";
import { generateUUID } from "../../util/uuid.ts";
import { pairFilter } from "../../conf/objects/list_filter.ts";
import { formatSecretXML, parseSecretXML } from "../../conf/secret/mod.ts";
import { type SecretObj, secretRef, type SecretState, usageID } from "./state.ts";

const F = "SECRET";
const E = VIR;

const LIST_FLAGS = E.CONNECT_LIST_SECRETS_EPHEMERAL | E.CONNECT_LIST_SECRETS_NO_EPHEMERAL |
  E.CONNECT_LIST_SECRETS_PRIVATE | E.CONNECT_LIST_SECRETS_NO_PRIVATE;

function secretByUUID(state: SecretState, uuid: string): SecretObj {
  const obj = state.secrets.get(uuid.toLowerCase());
  if (!obj) {
    throw VirError.report(F, "NO_SECRET", `no secret with matching uuid '${uuid.toLowerCase()}'`);
  }
  return obj;
}

function valueOf(obj: SecretObj): number[] {
  if (!obj.value) {
    throw VirError.report(F, "NO_SECRET", `secret '${obj.def.uuid}' does not have a value`);
  }
  return [...obj.value];
}

/**
 * The daemon's own read of a secret's value (libvirt's `VIR_SECRET_GET_VALUE_INTERNAL_CALL`):
 * private secrets too, for the drivers of this host only (see `util/secret_internal.ts`).
 *
 * @example
 * ```ts
 * import { secretInternalValue } from "./secret_api.ts";
 * import { SecretState } from "./state.ts";
 * const read = secretInternalValue(new SecretState({ configDir: "/tmp/c", stateDir: "/tmp/s" }));
 * ```
 */
export function secretInternalValue(state: SecretState): InternalSecretValue {
  return {
    secretGetValueInternal: (ref) => {
      try {
        return Promise.resolve(valueOf(secretByUUID(state, ref.uuid)));
      } catch (e) {
        return Promise.reject(e);
      }
    },
  };
}

/**
 * The secret calls of one secret driver connection.
 *
 * @example
 * ```ts
 * import { secretMethods } from "./secret_api.ts";
 * import { SecretState } from "./state.ts";
 * secretMethods(new SecretState({ configDir: "/tmp/c", stateDir: "/tmp/s" }));
 * ```
 */
export function secretMethods(state: SecretState): Partial<DriverConnection> {
  const byUUID = (uuid: string): SecretObj => secretByUUID(state, uuid);
  const of = (ref: SecretRef) => byUUID(ref.uuid);
  return methodTable({
    connectNumOfSecrets: () => state.secrets.size,
    connectListSecrets: () => [...state.secrets.keys()],
    connectListAllSecrets: (flags) => {
      checkFlags(flags, LIST_FLAGS, "secretConnectListAllSecrets", F);
      return [...state.secrets.values()].filter(({ def }) =>
        pairFilter(
          flags,
          E.CONNECT_LIST_SECRETS_EPHEMERAL,
          E.CONNECT_LIST_SECRETS_NO_EPHEMERAL,
          def.ephemeral,
        ) &&
        pairFilter(
          flags,
          E.CONNECT_LIST_SECRETS_PRIVATE,
          E.CONNECT_LIST_SECRETS_NO_PRIVATE,
          def.private,
        )
      ).map(({ def }) => secretRef(def));
    },
    secretLookupByUUID: (uuid) => secretRef(byUUID(uuid).def),
    secretLookupByUsage: (usageType, id) => {
      const obj = [...state.secrets.values()].find(({ def }) =>
        secretRef(def).usageType === usageType && usageID(def) === id
      );
      if (!obj) throw VirError.report(F, "NO_SECRET", `no secret with matching usage '${id}'`);
      return secretRef(obj.def);
    },
    secretDefineXML: async (xml, flags) => {
      checkFlags(flags, E.SECRET_DEFINE_VALIDATE, "secretDefineXML", F);
      const def = parseSecretXML(xml, flags);
      if (!def.uuid) def.uuid = generateUUID();
      const existing = state.secrets.get(def.uuid);
      if (existing) {
        if (usageID(existing.def) !== usageID(def)) {
          throw VirError.report(
            F,
            "INTERNAL_ERROR",
            `a secret with UUID ${def.uuid} is already defined for use with ${
              usageID(existing.def)
            }`,
          );
        }
        if (existing.def.private && !def.private) {
          throw VirError.report(
            F,
            "INTERNAL_ERROR",
            "cannot change private flag on existing secret",
          );
        }
      } else {
        const clash = [...state.secrets.values()].find(({ def: d }) =>
          d.usage && def.usage && d.usage.type === def.usage.type && usageID(d) === usageID(def)
        );
        if (clash) {
          throw VirError.report(
            F,
            "INTERNAL_ERROR",
            `a secret with UUID ${clash.def.uuid} already defined for use with ${usageID(def)}`,
          );
        }
      }
      const obj: SecretObj = existing ?? { def };
      const backup = obj.def;
      obj.def = def;
      try {
        if (!def.ephemeral) {
          if (backup.ephemeral || !existing) await state.saveValue(obj);
          await state.saveConfig(obj);
        } else if (existing && !backup.ephemeral) {
          await state.deleteFiles(def.uuid);
        }
      } catch (e) {
        if (existing) obj.def = backup;
        throw e;
      }
      state.secrets.set(def.uuid, obj);
      state.emit(def, E.SECRET_EVENT_DEFINED);
      return secretRef(def);
    },
    secretGetXMLDesc: (ref, flags) => {
      checkFlags(flags, 0, "secretGetXMLDesc", F);
      return formatSecretXML(of(ref).def);
    },
    secretSetValue: async (ref, value, flags) => {
      checkFlags(flags, 0, "secretSetValue", F);
      const obj = of(ref);
      const old = obj.value;
      obj.value = Uint8Array.from(value);
      if (!obj.def.ephemeral) {
        try {
          await state.saveValue(obj);
        } catch (e) {
          obj.value = old;
          throw e;
        }
      }
      state.emit(obj.def);
    },
    secretGetValue: (ref, flags) => {
      checkFlags(flags, 0, "secretGetValue", F);
      const obj = of(ref);
      // libvirt refuses every caller but the daemon itself, so over any connection.
      if (obj.def.private) throw VirError.report(F, "INVALID_SECRET", "secret is private");
      return valueOf(obj);
    },
    secretUndefine: async (ref) => {
      const obj = of(ref);
      await state.deleteFiles(obj.def.uuid);
      state.emit(obj.def, E.SECRET_EVENT_UNDEFINED);
      state.secrets.delete(obj.def.uuid);
    },
  });
}
