/**
 * A guest user's SSH authorized keys through the guest agent (`qemuDomainAuthorizedSSHKeysGet`
 * and `…Set` of libvirt 9.0, `qemuAgentSSH*AuthorizedKeys`): read with
 * `guest-ssh-get-authorized-keys`, replaced or appended with `guest-ssh-add-authorized-keys`
 * (`reset` unless APPEND), removed with `guest-ssh-remove-authorized-keys`.
 *
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import { run } from "./agent_api.ts";
import { availableAgent } from "./agent_channel.ts";
import type { QemuAgent } from "./qemu_agent.ts";

const F = "QEMU";

/**
 * In the agent job, `fn` with the agent: unlike most agent calls, libvirt checks no more than
 * the agent's availability (`qemuDomainAgentAvailable`: its "domain is not running" is the
 * QEMU driver's own error).
 */
function withAvailableAgent<T>(obj: QemuDomainObj, fn: (agent: QemuAgent) => Promise<T>) {
  return obj.agentJob.run(() => fn(availableAgent(obj)));
}

/**
 * `qemuDomainAuthorizedSSHKeysGet`: the keys in `user`'s authorized keys file.
 *
 * @example
 * ```ts
 * import { getAuthorizedSSHKeys } from "./ssh_keys.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * const keys = await getAuthorizedSSHKeys(obj, "root", 0);
 * ```
 */
export async function getAuthorizedSSHKeys(
  obj: QemuDomainObj,
  user: string,
  flags: number,
): Promise<string[]> {
  checkFlags(flags, 0, "qemuDomainAuthorizedSSHKeysGet", F);
  const reply = await withAvailableAgent(
    obj,
    (agent) => run(agent, "guest-ssh-get-authorized-keys", { username: user }),
  );
  const data = reply.return as Record<string, unknown> | undefined;
  const keys = data !== null && typeof data === "object" ? data.keys : undefined;
  if (!Array.isArray(keys)) {
    throw VirError.report(F, "INTERNAL_ERROR", "qemu agent didn't return an array of keys");
  }
  // virJSONValueArrayToStringList, whose error names no domain of its own.
  if (keys.some((k) => typeof k !== "string")) {
    throw VirError.report(
      "NONE",
      "INTERNAL_ERROR",
      "JSON string array contains non-string element",
    );
  }
  return keys;
}

/**
 * `qemuDomainAuthorizedSSHKeysSet`: `keys` become `user`'s authorized keys, are added to them
 * (APPEND) or removed from them (REMOVE).
 *
 * @example
 * ```ts
 * import { setAuthorizedSSHKeys } from "./ssh_keys.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await setAuthorizedSSHKeys(obj, "root", ["ssh-ed25519 AAAA… me@host"], 1);
 * ```
 */
export async function setAuthorizedSSHKeys(
  obj: QemuDomainObj,
  user: string,
  keys: string[],
  flags: number,
): Promise<void> {
  const append = VIR.DOMAIN_AUTHORIZED_SSH_KEYS_SET_APPEND;
  const remove = VIR.DOMAIN_AUTHORIZED_SSH_KEYS_SET_REMOVE;
  checkFlags(flags, append | remove, "qemuDomainAuthorizedSSHKeysSet", F);
  await withAvailableAgent(
    obj,
    (agent) =>
      flags & remove
        ? run(agent, "guest-ssh-remove-authorized-keys", { username: user, keys })
        : run(agent, "guest-ssh-add-authorized-keys", {
          username: user,
          keys,
          reset: !(flags & append),
        }),
  );
}
