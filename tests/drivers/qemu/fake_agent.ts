/**
 * A fake QEMU guest agent for tests: listens on the channel's unix socket (where QEMU's
 * `server=on` chardev would be) and speaks qemu-ga's JSON lines. `guest-sync` echoes its id;
 * other commands are answered by `replies` (a `{return}` or `{error}`; `null` = no answer, as
 * `guest-shutdown` on success), else with CommandNotFound as qemu-ga does.
 *
 * @module
 */
import { readLines } from "../../../drivers/qemu/monitor/byte_stream.ts";

/** What the fake answers to one command; null sends nothing. */
export type AgentReply = { return: unknown } | { error: { class: string; desc?: string } } | null;

/** One command the fake received. */
export interface AgentCommand {
  execute: string;
  arguments?: Record<string, unknown>;
}

/** Options of {@link FakeAgent.listen}. */
export interface FakeAgentOptions {
  /** Replies by command name. */
  replies?: Record<string, (args: Record<string, unknown>) => AgentReply | string>;
  /** Sent raw before the first sync's reply (what a restarted agent may leave in the pipe). */
  garbageBeforeFirstSync?: Uint8Array;
}

/**
 * The fake agent.
 *
 * @example
 * ```ts ignore
 * const agent = FakeAgent.listen(path, { replies: { "guest-get-time": () => ({ return: 1 }) } });
 * await agent.close();
 * ```
 */
export class FakeAgent {
  /** Every command received (syncs included), in order. */
  readonly commands: AgentCommand[] = [];
  /** While true, commands other than guest-sync get no answer (a hung agent). */
  silent = false;
  #listener: Deno.Listener<Deno.UnixConn, Deno.UnixAddr>;
  #conns = new Set<Deno.UnixConn>();
  #options: FakeAgentOptions;
  #synced = false;
  #served: Promise<void>;

  private constructor(listener: Deno.Listener<Deno.UnixConn, Deno.UnixAddr>, o: FakeAgentOptions) {
    this.#listener = listener;
    this.#options = o;
    this.#served = this.#accept();
  }

  /** Listens on `path` (removing a stale socket first, as QEMU does). */
  static listen(path: string, options: FakeAgentOptions = {}): FakeAgent {
    try {
      Deno.removeSync(path);
    } catch {
      // No stale socket.
    }
    return new FakeAgent(Deno.listen({ transport: "unix", path }), options);
  }

  /** The names of the commands received, syncs left out. */
  get executed(): string[] {
    return this.commands.map((c) => c.execute).filter((c) => c !== "guest-sync");
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    this.#listener.close();
    for (const c of this.#conns) this.#closeConn(c);
    await this.#served;
  }

  /** Drops the open connections (the agent's end of the socket closes). */
  hangUp(): void {
    for (const c of this.#conns) this.#closeConn(c);
  }

  #closeConn(c: Deno.UnixConn): void {
    this.#conns.delete(c);
    try {
      c.close();
    } catch {
      // Already closed.
    }
  }

  async #accept(): Promise<void> {
    const serving: Promise<void>[] = [];
    try {
      for await (const conn of this.#listener) {
        this.#conns.add(conn);
        serving.push(this.#serve(conn));
      }
    } catch {
      // The listener closed.
    }
    await Promise.all(serving);
  }

  async #serve(conn: Deno.UnixConn): Promise<void> {
    try {
      for await (const line of readLines(conn.readable.getReader())) {
        await this.#answer(conn, JSON.parse(line) as AgentCommand);
      }
    } catch {
      // The driver or the test closed the connection.
    }
    this.#closeConn(conn);
  }

  async #answer(conn: Deno.UnixConn, cmd: AgentCommand): Promise<void> {
    this.commands.push(cmd);
    const out: (Uint8Array | string)[] = [];
    if (cmd.execute === "guest-sync") {
      const garbage = this.#options.garbageBeforeFirstSync;
      if (!this.#synced && garbage) out.push(garbage, "\n");
      this.#synced = true;
      // qemu-ga echoes the id as it read it: the raw digits, however large.
      out.push(`{"return": ${String(cmd.arguments?.id)}}\n`);
    } else if (!this.silent) {
      const handler = this.#options.replies?.[cmd.execute];
      const reply = handler ? handler(cmd.arguments ?? {}) : {
        error: { class: "CommandNotFound", desc: `The command ${cmd.execute} has not been found` },
      };
      if (typeof reply === "string") out.push(reply + "\n");
      else if (reply !== null) out.push(JSON.stringify(reply) + "\n");
    }
    for (const piece of out) {
      await conn.write(typeof piece === "string" ? new TextEncoder().encode(piece) : piece);
    }
  }
}
