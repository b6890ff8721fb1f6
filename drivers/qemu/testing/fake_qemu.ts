/**
 * A scriptable in-process stand-in for QEMU 7.2's QMP monitor that models x86 vCPU hotplug:
 * CPU slots by socket/core/thread, QOM paths, thread ids, `device_add` / `device_del` with
 * QEMU's error texts, and every way an unplug can end (acknowledged, held back and released
 * later in any order, lost, rejected by the guest, or refused in legacy ACPI mode). The
 * driver's tests and the gateway's tests run the real QMP client against it.
 *
 * @module
 */
import { type ByteStream, readLines, streamPair } from "../monitor/byte_stream.ts";
import { FakeDirtyRate } from "./fake_dirty_rate.ts";

/**
 * What happens after `device_del` of a vCPU:
 * - `ack`: after `unplugDelayMs` the CPU goes away and DEVICE_DELETED arrives;
 * - `hold`: nothing until {@link FakeQemu.releaseUnplug} (late or reordered events);
 * - `lost`: the CPU goes away but DEVICE_DELETED for it never comes (QEMU 7.2 with a guest);
 * - `reject`: the guest refuses: DEVICE_UNPLUG_GUEST_ERROR;
 * - `legacy`: refused at once, as QEMU does while ACPI CPU hotplug is in legacy mode.
 */
export type UnplugPolicy = "ack" | "hold" | "lost" | "reject" | "legacy";

/** A reply override: a `return` value or a QMP error. */
export type FakeReply = { return: unknown } | { error: { class: string; desc: string } };

/** Options of {@link FakeQemu}. */
export interface FakeQemuOptions {
  sockets?: number;
  cores?: number;
  threads?: number;
  /** vCPUs present at start (the `-smp N`). Default 1. */
  bootCpus?: number;
  cpuType?: string;
  pid?: number;
  /** `distinct` (KVM/MTTCG: one thread per vCPU) or `shared` (TCG: every vCPU on one thread). */
  tids?: "distinct" | "shared";
  /** Policy for `device_del`, globally or per alias. Default `ack`. */
  unplug?: UnplugPolicy | ((alias: string) => UnplugPolicy);
  unplugDelayMs?: number;
  /** Emit QEMU 7.2's DEVICE_DELETED for the `…/lapic` child before the CPU's own. Default true. */
  lapicEvent?: boolean;
  /** Aliases whose `query-cpus-fast` entry lacks a thread id. */
  noTid?: string[];
  /** Delay before every reply, in ms. */
  replyDelayMs?: number;
  /** Starts paused (`-S`). Default true. */
  paused?: boolean;
  /** `-no-shutdown`: a guest power-off pauses instead of ending QEMU. Default false. */
  noShutdown?: boolean;
  /**
   * What the guest does when the ACPI power button is pressed: `ignore` (no OS, QEMU 7.2 only
   * emits POWERDOWN) or `poweroff` (an OS that powers off). Default `ignore`.
   */
  powerButton?: "ignore" | "poweroff";
  /** The machine has a pvpanic device (`-device pvpanic`), so the guest can report a panic. */
  pvpanic?: boolean;
  /** The guest name (`-name guest=…`) `query-name` answers. */
  name?: string;
  /** Labels of the pty chardevs (`-chardev pty,id=…`), each given a `/dev/pts/N` in order. */
  ptys?: string[];
  /**
   * The virtio channels (`-chardev socket,id=LABEL` + `-device virtserialport,id=ID`): each is
   * in `query-chardev`, its port closed until {@link FakeQemu.guestOpenPort} opens it.
   */
  channels?: { label: string; id: string }[];
  /** The machine has ACPI (no `-no-acpi`): it can wake up from suspend. Default false. */
  acpi?: boolean;
  /** The VNC display (`-vnc 127.0.0.1:N`; 0 for an autoport server), none without. */
  vncDisplay?: number;
  /** The VNC server asks for a password (`-vnc …,password=on`): only then can one be set. */
  vncPassword?: boolean;
  /**
   * Guest RAM in KiB (`-m size=Nk`) when the machine has a virtio balloon; without one the
   * balloon commands fail as QEMU's do (DeviceNotActive). No guest driver ever moves it.
   */
  balloonKiB?: number;
  /** The `iothread` objects of the command line (`-object {"qom-type":"iothread",…}`), by id. */
  iothreads?: string[];
  /**
   * The `events` migration capability exists (QEMU 7.2 has it); false stands for a QEMU without
   * it, which sends no MIGRATION events. Default true.
   */
  migrationEvents?: boolean;
  /**
   * Intercepts a command before the model handles it (`qemu` is the fake that got it); return
   * undefined to fall through.
   */
  onCommand?: (
    execute: string,
    args: Record<string, unknown>,
    qemu: FakeQemu,
  ) => FakeReply | undefined;
}

/** QEMU 7.2's migration capabilities (`query-migrate-capabilities`), all off at its start. */
const MIGRATION_CAPABILITIES = [
  "xbzrle",
  "rdma-pin-all",
  "auto-converge",
  "zero-blocks",
  "compress",
  "events",
  "postcopy-ram",
  "x-colo",
  "release-ram",
  "block",
  "return-path",
  "pause-before-switchover",
  "multifd",
  "dirty-bitmaps",
  "postcopy-blocktime",
  "late-block-activate",
  "x-ignore-shared",
  "validate-uuid",
  "background-snapshot",
  "zero-copy-send",
  "postcopy-preempt",
];

interface Slot {
  socket: number;
  core: number;
  thread: number;
  index: number;
  cpu?: { qomPath: string; alias?: string; tid: number; seq: number };
}

/** One command the fake received. */
export interface FakeCommand {
  execute: string;
  arguments?: Record<string, unknown>;
}

/**
 * The fake QEMU. Each {@link FakeQemu.connect} opens a new monitor connection to the same
 * machine state, as reconnecting to a QMP socket does.
 *
 * @example
 * ```ts
 * import { FakeQemu } from "./fake_qemu.ts";
 * import { QmpClient } from "../monitor/mod.ts";
 * const qemu = new FakeQemu({ sockets: 4, bootCpus: 1 });
 * const qmp = await QmpClient.open(qemu.connect());
 * await qmp.execute("device_add", {
 *   driver: "qemu64-x86_64-cpu", id: "vcpu1", "socket-id": 1, "core-id": 0, "thread-id": 0,
 * });
 * ```
 */
export class FakeQemu {
  /** Every command received, in order. */
  readonly commands: FakeCommand[] = [];
  /** The fake's process id (also the "main thread" id). */
  readonly pid: number;
  /** Resolves with the exit reason when the fake "exits" (`quit`, crash, powerdown). */
  readonly exited: Promise<string>;
  /** True while the vCPUs run. */
  running: boolean;

  #opts:
    & Required<
      Omit<
        FakeQemuOptions,
        | "onCommand"
        | "noTid"
        | "name"
        | "vncDisplay"
        | "balloonKiB"
        | "iothreads"
        | "migrationEvents"
      >
    >
    & Pick<FakeQemuOptions, "onCommand" | "name" | "vncDisplay" | "balloonKiB">;
  #noTid: Set<string>;
  #slots: Slot[] = [];
  #seq = 0;
  #nextTid: number;
  #nextDevice = 0;
  #writers = new Set<WritableStreamDefaultWriter<Uint8Array>>();
  #held = new Map<string, Slot>();
  #alive = true;
  #exit!: (reason: string) => void;
  /** QEMU's reboot action (`set-action reboot=…`): a guest reset resets or shuts down. */
  #rebootAction: "reset" | "shutdown" = "reset";
  #noShutdown: boolean;
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #dirtyRate = new FakeDirtyRate();
  /** The guest is suspended to RAM. */
  #suspended = false;
  /** Ids of the virtio serial ports the guest opened. */
  #openPorts = new Set<string>();
  /** The IOThread objects by id, in creation order, with their QOM properties. */
  #iothreads = new Map<string, { tid: number; props: Record<string, number> }>();
  /** The migration capabilities and their states. */
  #migrationCaps: Map<string, boolean>;

  constructor(options: FakeQemuOptions = {}) {
    this.#opts = {
      sockets: options.sockets ?? 4,
      cores: options.cores ?? 1,
      threads: options.threads ?? 1,
      bootCpus: options.bootCpus ?? 1,
      cpuType: options.cpuType ?? "qemu64-x86_64-cpu",
      pid: options.pid ?? 40000 + Math.floor(Math.random() * 10000),
      tids: options.tids ?? "distinct",
      unplug: options.unplug ?? "ack",
      unplugDelayMs: options.unplugDelayMs ?? 5,
      lapicEvent: options.lapicEvent ?? true,
      replyDelayMs: options.replyDelayMs ?? 0,
      paused: options.paused ?? true,
      noShutdown: options.noShutdown ?? false,
      powerButton: options.powerButton ?? "ignore",
      pvpanic: options.pvpanic ?? false,
      onCommand: options.onCommand,
      name: options.name,
      ptys: options.ptys ?? [],
      channels: options.channels ?? [],
      acpi: options.acpi ?? false,
      vncPassword: options.vncPassword ?? false,
      vncDisplay: options.vncDisplay,
      balloonKiB: options.balloonKiB,
    };
    this.#noShutdown = this.#opts.noShutdown;
    const events = options.migrationEvents ?? true;
    this.#migrationCaps = new Map(
      MIGRATION_CAPABILITIES.filter((c) => events || c !== "events").map((c) => [c, false]),
    );
    this.#noTid = new Set(options.noTid ?? []);
    this.pid = this.#opts.pid;
    this.#nextTid = this.pid + 1;
    for (const id of options.iothreads ?? []) this.#addIOThread(id);
    this.running = !this.#opts.paused;
    this.exited = new Promise((r) => (this.#exit = r));
    const { sockets, cores, threads } = this.#opts;
    for (let s = 0; s < sockets; s++) {
      for (let c = 0; c < cores; c++) {
        for (let t = 0; t < threads; t++) {
          this.#slots.push({ socket: s, core: c, thread: t, index: this.#slots.length });
        }
      }
    }
    for (let i = 0; i < this.#opts.bootCpus; i++) {
      this.#slots[i].cpu = {
        qomPath: `/machine/unattached/device[${this.#nextDevice++ === 0 ? 0 : i + 1}]`,
        tid: this.#newTid(),
        seq: this.#seq++,
      };
    }
  }

  /** True until the fake exits. */
  get alive(): boolean {
    return this.#alive;
  }

  /** Whether migration capability `name` is on (`migrate-set-capabilities`). */
  migrationCapability(name: string): boolean {
    return this.#migrationCaps.get(name) ?? false;
  }

  /** Aliases whose unplug is held back, in request order. */
  get heldUnplugs(): string[] {
    return [...this.#held.keys()];
  }

  /** QOM paths of the present vCPUs, in creation order. */
  get presentCpus(): string[] {
    return this.#present().map((s) => s.cpu!.qomPath);
  }

  /** Thread id of a present vCPU by alias, if any. */
  tidOf(alias: string): number | undefined {
    return this.#slots.find((s) => s.cpu?.alias === alias)?.cpu?.tid;
  }

  /** Opens a new monitor connection and greets on it. */
  connect(): ByteStream {
    const { client, server } = streamPair();
    if (!this.#alive) {
      server.writable.close().catch(() => {});
      return client;
    }
    const writer = server.writable.getWriter();
    this.#writers.add(writer);
    this.#send(writer, {
      QMP: {
        version: { qemu: { major: 7, minor: 2, micro: 22 }, package: "fake" },
        capabilities: ["oob"],
      },
    });
    this.#serve(server.readable.getReader(), writer);
    return client;
  }

  /** Sends an event to every open connection. */
  emit(event: string, data: Record<string, unknown> = {}): void {
    const now = Date.now();
    const msg = {
      event,
      data,
      timestamp: { seconds: Math.floor(now / 1000), microseconds: (now % 1000) * 1000 },
    };
    for (const w of this.#writers) this.#send(w, msg);
  }

  /** Completes a held unplug now: the CPU goes away and DEVICE_DELETED is sent. */
  releaseUnplug(alias: string): void {
    const slot = this.#held.get(alias);
    if (!slot) throw new Error(`no held unplug for ${alias}`);
    this.#held.delete(alias);
    this.#finishUnplug(slot, alias, true);
  }

  /**
   * A guest program opens or closes virtio serial port `id` (a guest agent starting or
   * stopping): VSERPORT_CHANGE, and the chardev's `frontend-open` follows.
   */
  guestOpenPort(id: string, open: boolean): void {
    if (open) this.#openPorts.add(id);
    else this.#openPorts.delete(id);
    this.emit("VSERPORT_CHANGE", { id, open });
  }

  /** The guest suspends to RAM (ACPI S3): SUSPEND; `system_wakeup` brings it back. */
  guestSuspend(): void {
    this.#suspended = true;
    this.emit("SUSPEND");
  }

  /** The guest powers the machine off (ACPI S5): SHUTDOWN, then a pause or the exit. */
  guestPoweroff(): void {
    this.#shutdown(true, "guest-shutdown");
  }

  /** The guest resets the machine: RESET, or a SHUTDOWN under `set-action reboot=shutdown`. */
  guestReset(): void {
    this.#reset(true, "guest-reset");
  }

  /**
   * The guest's kernel panics and tells the pvpanic device. QEMU 7.2's default panic action is
   * a shutdown, which `-no-shutdown` turns into a pause: GUEST_PANICKED (action `pause`), then
   * STOP; without it, GUEST_PANICKED (action `poweroff`) and a guest shutdown.
   */
  guestPanic(): void {
    if (!this.#opts.pvpanic) throw new Error("no pvpanic device: the guest cannot report a panic");
    if (!this.#noShutdown) {
      this.emit("GUEST_PANICKED", { action: "poweroff" });
      return this.#shutdown(true, "guest-panic");
    }
    this.emit("GUEST_PANICKED", { action: "pause" });
    this.#pause();
  }

  /** Simulates a crash: every connection drops and the fake is dead. */
  crash(reason = "crashed"): void {
    this.#die(reason);
  }

  /** A signal as QEMU takes it: SIGTERM announces a host shutdown first, SIGKILL does not. */
  signal(signal: string): void {
    if (signal !== "SIGKILL") this.emit("SHUTDOWN", { guest: false, reason: "host-signal" });
    this.#die(signal);
  }

  #shutdown(guest: boolean, reason: string): void {
    this.emit("SHUTDOWN", { guest, reason });
    if (!this.#noShutdown) return this.#die(reason);
    this.#pause();
  }

  /** The vCPUs stop, with QEMU's STOP, unless they already are stopped. */
  #pause(): void {
    if (!this.running) return;
    this.running = false;
    this.emit("STOP");
  }

  #reset(guest: boolean, reason: string): void {
    if (this.#rebootAction === "shutdown") this.#shutdown(guest, reason);
    else this.emit("RESET", { guest, reason });
  }

  #newTid(): number {
    return this.#opts.tids === "shared" ? this.pid : this.#nextTid++;
  }

  #present(): Slot[] {
    return this.#slots.filter((s) => s.cpu).sort((a, b) => a.cpu!.seq - b.cpu!.seq);
  }

  #send(writer: WritableStreamDefaultWriter<Uint8Array>, msg: unknown): void {
    writer.write(new TextEncoder().encode(JSON.stringify(msg) + "\r\n")).catch(() => {
      this.#writers.delete(writer);
    });
  }

  #later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      if (this.#alive) fn();
    }, ms);
    this.#timers.add(t);
  }

  #die(reason: string): void {
    if (!this.#alive) return;
    this.#alive = false;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const w of this.#writers) w.close().catch(() => {});
    this.#writers.clear();
    this.#exit(reason);
  }

  async #serve(
    reader: ReadableStreamDefaultReader<Uint8Array>,
    writer: WritableStreamDefaultWriter<Uint8Array>,
  ): Promise<void> {
    try {
      for await (const line of readLines(reader)) {
        const msg = JSON.parse(line) as FakeCommand & { id?: unknown };
        const args = msg.arguments ?? {};
        this.commands.push(
          msg.arguments ? { execute: msg.execute, arguments: args } : {
            execute: msg.execute,
          },
        );
        const reply = this.#opts.onCommand?.(msg.execute, args, this) ??
          this.#handle(msg.execute, args);
        const out = { ...reply, id: msg.id };
        if (this.#opts.replyDelayMs > 0) {
          await new Promise((r) => setTimeout(r, this.#opts.replyDelayMs));
        }
        if (!this.#alive) break;
        this.#send(writer, out);
        this.#afterReply(msg.execute);
      }
    } catch {
      // The client went away mid-line: this connection is over.
    } finally {
      this.#writers.delete(writer);
      writer.close().catch(() => {});
    }
  }

  #afterReply(execute: string): void {
    if (execute === "quit") {
      this.emit("SHUTDOWN", { guest: false, reason: "host-qmp-quit" });
      this.#die("quit");
    }
    // QEMU resets in its main loop right after replying, before it reads the next command;
    // under reboot=shutdown even the host's reset is a shutdown (as QEMU 7.2 does).
    if (execute === "system_reset") this.#reset(false, "host-qmp-system-reset");
  }

  #handle(execute: string, args: Record<string, unknown>): FakeReply {
    switch (execute) {
      case "qmp_capabilities":
      case "quit":
        return { return: {} };
      case "query-name":
        return { return: this.#opts.name === undefined ? {} : { name: this.#opts.name } };
      // No migration ever ran and nothing blocks one (a migration fake answers for itself).
      case "query-migrate":
        return { return: {} };
      // Guest memory holds each address's low byte; no paging, so virtual is physical.
      case "memsave":
      case "pmemsave": {
        const val = Number(args.val);
        const bytes = Uint8Array.from({ length: Number(args.size) }, (_, i) => (val + i) & 0xff);
        Deno.writeFileSync(String(args.filename), bytes);
        return { return: {} };
      }
      case "query-chardev":
        return {
          return: [
            ...this.#opts.ptys.map((label, i) => ({
              label,
              filename: `pty:/dev/pts/${100 + i}`,
              "frontend-open": false,
            })),
            ...this.#opts.channels.map(({ label, id }) => ({
              label,
              filename: "disconnected:unix:",
              "frontend-open": this.#openPorts.has(id),
            })),
          ],
        };
      case "rtc-reset-reinjection":
        return { return: {} };
      case "query-iothreads":
        return {
          return: [...this.#iothreads].map(([id, t]) => ({
            id,
            "thread-id": t.tid,
            "poll-max-ns": t.props["poll-max-ns"],
            "poll-grow": t.props["poll-grow"],
            "poll-shrink": t.props["poll-shrink"],
            "aio-max-batch": t.props["aio-max-batch"],
          })),
        };
      case "object-add":
      case "object-del":
      case "qom-set":
      case "qom-get":
        return this.#iothreadCommand(execute, args);
      // Keys and an NMI reach a guest the model does not run: QEMU answers at once.
      case "send-key":
      case "inject-nmi":
        return { return: {} };
      // The machine can wake from suspend only with ACPI (QEMU's PIIX4/ICH9 PM).
      case "query-current-machine":
        return { return: { "wakeup-suspend-support": this.#opts.acpi } };
      case "system_wakeup":
        if (!this.#opts.acpi) {
          return {
            error: {
              class: "GenericError",
              desc: "wake-up from suspend is not supported by this guest",
            },
          };
        }
        if (this.#suspended) {
          this.#suspended = false;
          this.emit("WAKEUP");
        }
        return { return: {} };
      case "query-vnc": {
        const display = this.#opts.vncDisplay;
        if (display === undefined) return { return: { enabled: false } };
        const service = String(5900 + display);
        return {
          return: { enabled: true, host: "127.0.0.1", service, family: "ipv4", auth: "none" },
        };
      }
      // QEMU 7.2's words when no VNC server runs (one without `password=on` fails alike).
      case "set_password":
      case "expire_password":
        if (this.#opts.vncDisplay !== undefined && this.#opts.vncPassword) return { return: {} };
        return err(
          "GenericError",
          execute === "set_password"
            ? "Could not set password"
            : "Could not set password expire time",
        );
      case "balloon":
      case "query-balloon": {
        const kib = this.#opts.balloonKiB;
        if (kib === undefined) {
          return err("DeviceNotActive", "No balloon device has been activated");
        }
        // No guest balloon driver: the target is taken, the guest keeps all its memory.
        return { return: execute === "balloon" ? {} : { actual: kib * 1024 } };
      }
      case "query-migrate-capabilities":
        return {
          return: [...this.#migrationCaps].map(([capability, state]) => ({ capability, state })),
        };
      case "migrate-set-capabilities":
        return this.#setMigrationCapabilities(
          args.capabilities as { capability: string; state: boolean }[],
        );
      case "query-status":
        return {
          return: { running: this.running, status: this.running ? "running" : "prelaunch" },
        };
      // QEMU emits STOP/RESUME before it replies to stop/cont.
      case "stop":
        this.#pause();
        return { return: {} };
      case "cont":
        if (!this.running) {
          this.running = true;
          this.emit("RESUME");
        }
        return { return: {} };
      case "system_powerdown":
        this.#later(0, () => {
          this.emit("POWERDOWN");
          if (this.#opts.powerButton === "poweroff") this.#later(1, () => this.guestPoweroff());
        });
        return { return: {} };
      case "system_reset":
        return { return: {} };
      case "set-action":
        if (args.reboot === "reset" || args.reboot === "shutdown") this.#rebootAction = args.reboot;
        if (args.shutdown !== undefined) this.#noShutdown = args.shutdown === "pause";
        return { return: {} };
      case "query-hotpluggable-cpus":
        return { return: this.#hotpluggable() };
      case "query-cpus-fast":
        return { return: this.#cpusFast() };
      case "device_add":
        return this.#deviceAdd(args);
      case "device_del":
        return this.#deviceDel(String(args.id));
      case "query-dirty-rate":
        return this.#dirtyRate.query();
      case "calc-dirty-rate":
        return this.#dirtyRate.calc(args, (ms, fn) => this.#later(ms, fn));
      default:
        return err("CommandNotFound", `The command ${execute} has not been found`);
    }
  }

  /** QEMU's checks all come before any change: an unknown capability changes nothing. */
  #setMigrationCapabilities(caps: { capability: string; state: boolean }[]): FakeReply {
    const unknown = caps.find((c) => !this.#migrationCaps.has(c.capability));
    if (unknown) {
      return err(
        "GenericError",
        `Parameter 'capability' does not accept value '${unknown.capability}'`,
      );
    }
    for (const c of caps) this.#migrationCaps.set(c.capability, c.state);
    return { return: {} };
  }

  #addIOThread(id: string): void {
    this.#iothreads.set(id, {
      tid: this.#nextTid++,
      // QEMU 7.2's defaults for an iothread object.
      props: {
        "poll-max-ns": 32768,
        "poll-grow": 0,
        "poll-shrink": 0,
        "aio-max-batch": 0,
        "thread-pool-min": 0,
        "thread-pool-max": 64,
      },
    });
  }

  /** IOThread objects, the only objects the model has, with QEMU 7.2's errors. */
  #iothreadCommand(execute: string, args: Record<string, unknown>): FakeReply {
    const err = (desc: string) => ({ error: { class: "GenericError", desc } });
    if (execute === "object-add") {
      const id = String(args.id);
      if (args["qom-type"] !== "iothread") return err(`invalid object type: ${args["qom-type"]}`);
      if (this.#iothreads.has(id)) {
        return err(`attempt to add duplicate property '${id}' to object (type 'container')`);
      }
      this.#addIOThread(id);
      return { return: {} };
    }
    if (execute === "object-del") {
      const id = String(args.id);
      if (!this.#iothreads.delete(id)) return err(`object '${id}' not found`);
      return { return: {} };
    }
    const path = String(args.path);
    const thread = this.#iothreads.get(path.replace(/^\/objects\//, ""));
    if (!thread) return { error: { class: "DeviceNotFound", desc: `Device '${path}' not found` } };
    const property = String(args.property);
    if (!(property in thread.props)) return err(`Property '${property}' not found`);
    if (execute === "qom-get") return { return: thread.props[property] };
    const value = Number(args.value);
    const next: Record<string, number> = { ...thread.props, [property]: value };
    if (next["thread-pool-min"] > next["thread-pool-max"]) {
      return err("thread-pool-min must be less than or equal to thread-pool-max");
    }
    thread.props[property] = value;
    return { return: {} };
  }

  #hotpluggable(): unknown[] {
    return [...this.#slots].reverse().map((s) => ({
      props: { "core-id": s.core, "thread-id": s.thread, "socket-id": s.socket },
      "vcpus-count": 1,
      ...(s.cpu ? { "qom-path": s.cpu.qomPath } : {}),
      type: this.#opts.cpuType,
    }));
  }

  #cpusFast(): unknown[] {
    return this.#present().map((s) => ({
      "cpu-index": s.index,
      "qom-path": s.cpu!.qomPath,
      ...(s.cpu!.alias && this.#noTid.has(s.cpu!.alias) ? {} : { "thread-id": s.cpu!.tid }),
      props: { "core-id": s.core, "thread-id": s.thread, "socket-id": s.socket },
      target: "x86_64",
    }));
  }

  #deviceAdd(args: Record<string, unknown>): FakeReply {
    const id = typeof args.id === "string" ? args.id : undefined;
    if (id && this.#slots.some((s) => s.cpu?.alias === id)) {
      return err("GenericError", `Duplicate device ID '${id}'`);
    }
    if (args.driver !== this.#opts.cpuType) {
      return err("GenericError", `Invalid CPU type, expected cpu type: '${this.#opts.cpuType}'`);
    }
    const limits: [string, number][] = [
      ["socket", this.#opts.sockets],
      ["core", this.#opts.cores],
      ["thread", this.#opts.threads],
    ];
    const pos: number[] = [];
    for (const [name, count] of limits) {
      const v = args[`${name}-id`];
      if (typeof v !== "number") return err("GenericError", `CPU ${name}-id is not set`);
      if (v < 0 || v >= count) {
        return err("GenericError", `Invalid CPU ${name}-id: ${v} must be in range 0:${count - 1}`);
      }
      pos.push(v);
    }
    const slot = this.#slots.find((s) =>
      s.socket === pos[0] && s.core === pos[1] && s.thread === pos[2]
    )!;
    if (slot.cpu) {
      return err("GenericError", `CPU[${slot.index}] with APIC ID ${slot.index} exists`);
    }
    const alias = id ?? `device[${this.#nextDevice}]`;
    slot.cpu = {
      qomPath: id
        ? `/machine/peripheral/${id}`
        : `/machine/peripheral-anon/device[${this.#nextDevice++}]`,
      alias: id ? alias : undefined,
      tid: this.#newTid(),
      seq: this.#seq++,
    };
    return { return: {} };
  }

  #deviceDel(id: string): FakeReply {
    const slot = this.#slots.find((s) => s.cpu?.alias === id);
    if (!slot) return err("DeviceNotFound", `Device '${id}' not found`);
    const policy = typeof this.#opts.unplug === "function"
      ? this.#opts.unplug(id)
      : this.#opts.unplug;
    if (policy === "legacy") {
      return err(
        "GenericError",
        `acpi: device unplug request for not supported device type: ${this.#opts.cpuType}`,
      );
    }
    const delay = this.#opts.unplugDelayMs;
    switch (policy) {
      case "ack":
        this.#later(delay, () => this.#finishUnplug(slot, id, true));
        break;
      case "lost":
        this.#later(delay, () => this.#finishUnplug(slot, id, false));
        break;
      case "hold":
        this.#held.set(id, slot);
        break;
      case "reject":
        this.#later(
          delay,
          () => this.emit("DEVICE_UNPLUG_GUEST_ERROR", { device: id, path: slot.cpu!.qomPath }),
        );
        break;
    }
    return { return: {} };
  }

  #finishUnplug(slot: Slot, alias: string, announce: boolean): void {
    const path = slot.cpu?.qomPath ?? `/machine/peripheral/${alias}`;
    if (this.#opts.lapicEvent) this.emit("DEVICE_DELETED", { path: `${path}/lapic` });
    slot.cpu = undefined;
    if (announce) this.emit("DEVICE_DELETED", { device: alias, path });
  }
}

function err(cls: string, desc: string): FakeReply {
  return { error: { class: cls, desc } };
}
