/**
 * The QEMU guest agent client (libvirt 9.0's `qemu_agent.c`): JSON lines over the unix socket of
 * the domain's `org.qemu.guest_agent.0` channel, one message in flight at a time. Before the
 * first command, and again after a timeout, it re-synchronises with `guest-sync` and a fresh id
 * (garbage before the first reply is normal: the agent may still flush an old answer); replies
 * that arrive after their command gave up are dropped. Timeouts follow
 * `VIR_DOMAIN_QEMU_AGENT_COMMAND_*`: -2 blocks, -1 is 5 s, 0 does not wait, N > 0 waits N s.
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import { strerror } from "../../../util/strerror.ts";

/** `VIR_DOMAIN_QEMU_AGENT_COMMAND_BLOCK`: wait for ever. */
export const AGENT_BLOCK = -2;
/** `VIR_DOMAIN_QEMU_AGENT_COMMAND_DEFAULT`: {@link AGENT_WAIT_SECONDS}. */
export const AGENT_DEFAULT = -1;
/** `VIR_DOMAIN_QEMU_AGENT_COMMAND_SHUTDOWN`: how long a guest-shutdown waits for its event. */
export const AGENT_SHUTDOWN_SECONDS = 60;
/** `QEMU_AGENT_WAIT_TIME`: the default wait, and the longest a sync waits. */
const AGENT_WAIT_SECONDS = 5;
/** `QEMU_AGENT_MAX_RESPONSE`: a reply may not be longer. */
const MAX_RESPONSE = 10 * 1024 * 1024;

/** The QMP events some agent commands answer with instead of a reply (`qemuAgentEvent`). */
export type AgentEvent = "shutdown" | "reset" | "suspend";

/** A command's reply when the agent lacks the command and the caller allowed that (`-2`). */
export const UNSUPPORTED: unique symbol = Symbol("agent command unsupported");

/** How the agent tells its owner that it ended (libvirt's `qemuAgentCallbacks`). */
export interface AgentCallbacks {
  /** The socket closed (`eofNotify`). */
  eof(agent: QemuAgent): void;
  /** The agent sent what cannot be understood (`errorNotify`): no more commands. */
  error(agent: QemuAgent): void;
}

interface Message {
  sync: boolean;
  /** The id a sync waits for. */
  id?: number;
  /** The first sync of a handshake, which tolerates garbage. */
  first?: boolean;
  finish(reply?: Record<string, unknown>): void;
}

const unresponsive = (detail: string) => VirError.report("QEMU", "AGENT_UNRESPONSIVE", detail);
const internal = (detail: string) => VirError.report("QEMU", "INTERNAL_ERROR", detail);

/** `qemuAgentStringifyErrorClass`: a readable text for an error that has no `desc`. */
const ERROR_CLASSES: Record<string, string> = {
  BufferOverrun: "Buffer overrun",
  CommandDisabled: "The command has been disabled for this instance",
  CommandNotFound: "The command has not been found",
  FdNotFound: "File descriptor not found",
  InvalidParameter: "Invalid parameter",
  InvalidParameterType: "Invalid parameter type",
  InvalidParameterValue: "Invalid parameter value",
  OpenFileFailed: "Cannot open file",
  QgaCommandFailed: "Guest agent command failed",
  QMPBadInputObjectMember: "Bad QMP input object member",
  QMPExtraInputObjectMember: "Unexpected extra object member",
  UndefinedError: "An undefined error has occurred",
  Unsupported: "this feature or command is not currently supported",
};

/**
 * One connection to a guest agent.
 *
 * @example
 * ```ts
 * import { AGENT_DEFAULT, QemuAgent } from "./qemu_agent.ts";
 * const agent = await QemuAgent.open("/run/ev/channel/org.qemu.guest_agent.0", -2, {
 *   eof: () => {},
 *   error: () => {},
 * });
 * const reply = await agent.command({ execute: "guest-get-time" }, AGENT_DEFAULT);
 * agent.close();
 * ```
 */
export class QemuAgent {
  /** The per-command timeout in seconds (`agent->timeout`, set by agent-timeout). */
  timeout: number;
  /** False once the channel was closed under a waiting command (`agent->running`). */
  running = true;
  #conn: Deno.UnixConn;
  #callbacks: AgentCallbacks;
  #msg?: Message;
  #inSync = false;
  #lastError?: VirError;
  #awaitEvent?: AgentEvent;
  #closed = false;

  private constructor(conn: Deno.UnixConn, timeout: number, callbacks: AgentCallbacks) {
    this.#conn = conn;
    this.timeout = timeout;
    this.#callbacks = callbacks;
    void this.#readLoop();
  }

  /** `qemuAgentOpen`: connects to the channel's socket; a failure is a system error. */
  static async open(path: string, timeout: number, callbacks: AgentCallbacks): Promise<QemuAgent> {
    let conn: Deno.UnixConn;
    try {
      conn = await Deno.connect({ transport: "unix", path });
    } catch (err) {
      throw VirError.report(
        "QEMU",
        "SYSTEM_ERROR",
        `failed to connect to agent socket: ${strerror(err)}`,
      );
    }
    return new QemuAgent(conn, timeout, callbacks);
  }

  /**
   * `qemuAgentCommandFull`: syncs, sends `cmd`, waits `seconds` and returns the whole reply
   * (`{"return": …}`), or null when the command was answered by the event it awaited. An agent
   * error is libvirt's "unable to execute QEMU agent command 'NAME': DESC", except that with
   * `reportUnsupported` false a missing or disabled command gives {@link UNSUPPORTED}.
   */
  async command(
    cmd: Record<string, unknown>,
    seconds: number,
    options: { reportUnsupported?: boolean; awaitEvent?: AgentEvent } = {},
  ): Promise<Record<string, unknown> | null | typeof UNSUPPORTED> {
    const awaitEvent = options.awaitEvent;
    try {
      if (!this.running) {
        throw unresponsive("Guest agent disappeared while executing command");
      }
      await this.#guestSync();
      this.#awaitEvent = awaitEvent;
      const reply = await this.#send(stringify(cmd) + "\n", { sync: false }, seconds);
      if (!reply) {
        if (awaitEvent) return null;
        throw this.running
          ? internal("Missing agent reply object")
          : unresponsive("Guest agent disappeared while executing command");
      }
      return checkError(cmd, reply, options.reportUnsupported ?? true);
    } finally {
      this.#awaitEvent = undefined;
    }
  }

  /** `qemuAgentNotifyEvent`: a command waiting for `event` is done. */
  notifyEvent(event: AgentEvent): void {
    if (this.#awaitEvent !== event) return;
    this.#awaitEvent = undefined;
    this.#msg?.finish();
  }

  /** `qemuAgentNotifyClose`: the guest closed the channel; a waiting command ends empty. */
  notifyClose(): void {
    this.running = false;
    this.#msg?.finish();
  }

  /** `qemuAgentClose`: drops the socket; a waiting command ends empty. */
  close(): void {
    if (!this.#closed) {
      this.#closed = true;
      try {
        this.#conn.close();
      } catch {
        // The peer closed it first.
      }
    }
    this.notifyClose();
  }

  /** `qemuAgentGuestSync`: two tries of `guest-sync`, unless already in sync. */
  async #guestSync(): Promise<void> {
    if (this.#inSync) return;
    // A shorter agent timeout than the default also bounds the sync.
    const seconds = this.timeout >= 0 && this.timeout < AGENT_WAIT_SECONDS
      ? this.timeout
      : AGENT_DEFAULT;
    for (const first of [true, false]) {
      const id = Date.now();
      const line = `{"execute":"guest-sync", "arguments":{"id":${id}}}\n`;
      if (await this.#send(line, { sync: true, id, first }, seconds)) {
        this.#inSync = true;
        return;
      }
    }
    throw this.running
      ? internal("Missing agent reply object")
      : unresponsive("Guest agent disappeared while executing command");
  }

  /**
   * `qemuAgentSend`: writes `line`, then waits for the reply, the end of the wait (no reply) or
   * the timeout. An I/O error on the agent is the error of every later command.
   */
  #send(
    line: string,
    kind: Omit<Message, "finish">,
    seconds: number,
  ): Promise<Record<string, unknown> | undefined> {
    if (this.#lastError) return Promise.reject(this.#lastError);
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const msg: Message = {
        ...kind,
        finish: (reply) => {
          clearTimeout(timer);
          if (this.#msg === msg) this.#msg = undefined;
          if (this.#lastError) reject(this.#lastError);
          else resolve(reply);
        },
      };
      this.#msg = msg;
      const timeout = () => {
        // What the guest says later belongs to no one: dropped, and the next command syncs.
        if (this.#msg === msg) this.#msg = undefined;
        this.#inSync = false;
        reject(unresponsive("Guest agent not available for now"));
      };
      if (seconds > AGENT_BLOCK) {
        const ms = (seconds === AGENT_DEFAULT ? AGENT_WAIT_SECONDS : seconds) * 1000;
        // NOWAIT's deadline has passed before any reply can come (libvirt's wait ends at once).
        if (ms === 0) queueMicrotask(timeout);
        else timer = setTimeout(timeout, ms);
      }
      this.#writeAll(new TextEncoder().encode(line)).catch((err) => {
        this.#fail(
          VirError.report("QEMU", "SYSTEM_ERROR", `Unable to write to agent: ${strerror(err)}`),
        );
      });
    });
  }

  /** A socket write may take only part of the bytes: the rest follows (libvirt's IOWrite). */
  async #writeAll(bytes: Uint8Array): Promise<void> {
    for (let done = 0; done < bytes.length;) done += await this.#conn.write(bytes.subarray(done));
  }

  async #readLoop(): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    const chunk = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const n = await this.#conn.read(chunk);
        if (n === null) break;
        buffer += decoder.decode(chunk.subarray(0, n), { stream: true });
        let nl: number;
        while ((nl = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          this.#processLine(line);
        }
        if (buffer.length >= MAX_RESPONSE) {
          throw VirError.report(
            "QEMU",
            "SYSTEM_ERROR",
            `No complete agent response found in ${MAX_RESPONSE} bytes: Numerical result out of range`,
          );
        }
      }
    } catch (err) {
      if (this.#closed) return;
      this.#fail(
        err instanceof VirError
          ? err
          : VirError.report("QEMU", "SYSTEM_ERROR", `Unable to read from agent: ${strerror(err)}`),
      );
      return;
    }
    if (this.#closed) return;
    // qemuAgentIO: an end of file with nothing else reported.
    this.#lastError ??= internal("Error while processing agent IO");
    this.#msg?.finish();
    this.#callbacks.eof(this);
  }

  /** `qemuAgentIOProcessLine`. */
  #processLine(line: string): void {
    const msg = this.#msg;
    let obj: unknown;
    try {
      obj = parseJson(line);
    } catch {
      // Receiving garbage on the first sync is the regular situation.
      if (msg?.sync && msg.first) return msg.finish();
      return this.#fail(internal(`cannot parse json ${line}: syntax error`));
    }
    if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
      return this.#fail(internal(`Parsed JSON reply '${line}' isn't an object`));
    }
    const reply = obj as Record<string, unknown>;
    if ("QMP" in reply || "event" in reply) return;
    if (!("error" in reply) && !("return" in reply)) {
      return this.#fail(internal(`Unknown JSON reply '${line}'`));
    }
    // A reply with no command waiting is a late one: out of sync, dropped.
    if (!msg) return;
    if (msg.sync && reply.return !== msg.id) return;
    msg.finish(reply);
  }

  /** An I/O or protocol error: kept for every later command, and the owner told. */
  #fail(err: VirError): void {
    if (this.#lastError) return;
    this.#lastError = err;
    this.#msg?.finish();
    this.#callbacks.error(this);
  }
}

/**
 * JSON.parse with integers beyond 2^53 kept exact (as BigInt), as libvirt's parser keeps them.
 *
 * @example
 * ```ts
 * import { parseJson } from "./qemu_agent.ts";
 * parseJson('{"time": 1700000000123456789}'); // { time: 1700000000123456789n }
 * ```
 */
export function parseJson(text: string): unknown {
  return JSON.parse(text, exactIntegers);
}

/**
 * JSON.parse's reviver keeping integers beyond 2^53 exact, as BigInt: the guest's clock is
 * in nanoseconds since 1970.
 */
function exactIntegers(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value !== "number" || Number.isSafeInteger(value)) return value;
  const source = context?.source;
  return source !== undefined && /^-?\d+$/.test(source) ? BigInt(source) : value;
}

/**
 * JSON.stringify that writes a BigInt as a JSON integer (libvirt's compact JSON).
 *
 * @example
 * ```ts
 * import { stringify } from "./qemu_agent.ts";
 * stringify({ return: 1700000000123456789n }); // '{"return":1700000000123456789}'
 * ```
 */
export function stringify(cmd: unknown): string {
  const mark = "\u0000bigint:";
  return JSON.stringify(cmd, (_k, v) => typeof v === "bigint" ? `${mark}${v}` : v)!
    .replace(/"\\u0000bigint:(-?\d+)"/g, "$1");
}

/** `qemuAgentCheckError`. */
function checkError(
  cmd: Record<string, unknown>,
  reply: Record<string, unknown>,
  reportUnsupported: boolean,
): Record<string, unknown> | typeof UNSUPPORTED {
  const name = typeof cmd.execute === "string" ? cmd.execute : "<unknown>";
  if ("error" in reply) {
    const error = reply.error as { class?: unknown; desc?: unknown } | null;
    if (!error || typeof error !== "object") {
      throw internal(`unable to execute QEMU agent command '${name}'`);
    }
    const klass = typeof error.class === "string" ? error.class : undefined;
    if (!reportUnsupported && (klass === "CommandNotFound" || klass === "CommandDisabled")) {
      return UNSUPPORTED;
    }
    const detail = typeof error.desc === "string"
      ? error.desc
      : klass
      ? ERROR_CLASSES[klass] ?? klass
      : "unknown QEMU command error";
    throw internal(`unable to execute QEMU agent command '${name}': ${detail}`);
  }
  if (!("return" in reply)) throw internal(`unable to execute QEMU agent command '${name}'`);
  return reply;
}
