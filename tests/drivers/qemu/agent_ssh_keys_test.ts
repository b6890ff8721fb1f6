// A guest user's SSH authorized keys through the guest agent, as libvirt 9.0's
// qemuDomainAuthorizedSSHKeysGet/Set (qemuAgentSSH*AuthorizedKeys): the fake agent keeps each
// user's keys as qemu-ga's guest-ssh-* commands do (add: reset or append without duplicates,
// remove: missing keys ignored); the driver sends libvirt's arguments and reads the reply with
// libvirt's checks. The flag and availability refusals are replayed from libvirt's recording in
// api_calls_recorded_test.ts.
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { AGENT_CHANNEL, withDomain } from "./agent_harness.ts";
import type { AgentReply } from "./fake_agent.ts";
import { rejectsWith } from "./rejects_with.ts";

const E = VIR;
const K1 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOne one@host";
const K2 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAITwo two@host";

/** qemu-ga's authorized_keys handling, per user. */
function sshAgent(files: Map<string, string[]>) {
  const keysOf = (a: Record<string, unknown>) => a.keys as string[];
  const user = (a: Record<string, unknown>) => a.username as string;
  return {
    "guest-ssh-get-authorized-keys": (a: Record<string, unknown>): AgentReply => ({
      return: { keys: files.get(user(a)) ?? [] },
    }),
    "guest-ssh-add-authorized-keys": (a: Record<string, unknown>): AgentReply => {
      const now = a.reset ? [] : files.get(user(a)) ?? [];
      files.set(user(a), [...now, ...keysOf(a).filter((k) => !now.includes(k))]);
      return { return: {} };
    },
    "guest-ssh-remove-authorized-keys": (a: Record<string, unknown>): AgentReply => {
      files.set(user(a), (files.get(user(a)) ?? []).filter((k) => !keysOf(a).includes(k)));
      return { return: {} };
    },
  };
}

Deno.test("ssh keys: reset, append, remove and get with the agent's commands", async () => {
  await withDomain(AGENT_CHANNEL, async ({ conn, dom, plugAgent }) => {
    const files = new Map<string, string[]>();
    const agent = await plugAgent({ replies: sshAgent(files) });
    await conn.domainAuthorizedSSHKeysSet!(dom, "alice", [K1], 0);
    await conn.domainAuthorizedSSHKeysSet!(
      dom,
      "alice",
      [K2],
      E.DOMAIN_AUTHORIZED_SSH_KEYS_SET_APPEND,
    );
    assert.deepEqual(await conn.domainAuthorizedSSHKeysGet!(dom, "alice", 0), [K1, K2]);
    await conn.domainAuthorizedSSHKeysSet!(
      dom,
      "alice",
      [K1],
      E.DOMAIN_AUTHORIZED_SSH_KEYS_SET_REMOVE,
    );
    assert.deepEqual(await conn.domainAuthorizedSSHKeysGet!(dom, "alice", 0), [K2]);
    assert.deepEqual(
      agent.commands.filter((c) => c.execute !== "guest-sync").map((c) => [c.execute, c.arguments]),
      [
        ["guest-ssh-add-authorized-keys", { username: "alice", keys: [K1], reset: true }],
        ["guest-ssh-add-authorized-keys", { username: "alice", keys: [K2], reset: false }],
        ["guest-ssh-get-authorized-keys", { username: "alice" }],
        ["guest-ssh-remove-authorized-keys", { username: "alice", keys: [K1] }],
        ["guest-ssh-get-authorized-keys", { username: "alice" }],
      ],
    );
  });
});

Deno.test("ssh keys refusals: a reply without keys, non-string keys, the agent's own error", async () => {
  await withDomain(AGENT_CHANNEL, async ({ conn, dom, plugAgent }) => {
    await plugAgent({
      replies: {
        "guest-ssh-get-authorized-keys": (a) =>
          a.username === "root"
            ? { return: {} }
            : a.username === "mixed"
            ? { return: { keys: [K1, 7] } }
            : { error: { class: "GenericError", desc: "failed to open file" } },
      },
    });
    await rejectsWith(
      () => conn.domainAuthorizedSSHKeysGet!(dom, "root", 0),
      "VIR_ERR_INTERNAL_ERROR",
      "internal error: qemu agent didn't return an array of keys",
    );
    await rejectsWith(
      () => conn.domainAuthorizedSSHKeysGet!(dom, "mixed", 0),
      "VIR_ERR_INTERNAL_ERROR",
      "internal error: JSON string array contains non-string element",
    );
    await rejectsWith(
      () => conn.domainAuthorizedSSHKeysGet!(dom, "bob", 0),
      "VIR_ERR_INTERNAL_ERROR",
      "internal error: unable to execute QEMU agent command 'guest-ssh-get-authorized-keys': failed to open file",
    );
  });
});

Deno.test("ssh keys without a connected agent: libvirt's 'not connected'", async () => {
  await withDomain(AGENT_CHANNEL, async ({ conn, dom }) => {
    await rejectsWith(
      () => conn.domainAuthorizedSSHKeysGet!(dom, "root", 0),
      "VIR_ERR_AGENT_UNRESPONSIVE",
      "Guest agent is not responding: QEMU guest agent is not connected",
    );
  });
});
