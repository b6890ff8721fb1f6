/**
 * QEMU 7.2's block and device layer for {@link FakeQemu} (its `onCommand` hook): block nodes
 * (`blockdev-add`/`-del`), chardev backends (`chardev-add`/`-remove`), disk and chardev
 * frontends (`device_add`/`device_del` with DEVICE_DELETED after the unplug policy), trays and media, `query-block`, `block_resize`, internal snapshot jobs,
 * `blockdev-create`, `transaction`s of `blockdev-snapshot`, `blockdev-backup` and dirty bitmap actions, commit, stream and backup jobs (JOB_STATUS_CHANGE),
 * the balloon (a guest driver that follows its target) and `qom-set`, the NBD server of a
 * storage migration's destination (`nbd-server-start`/`-stop`, `block-export-add`), with
 * QEMU's error texts.
 *
 * @module
 */
import type { FakeQemu, FakeReply, UnplugPolicy } from "./fake_qemu.ts";
import { FakeUnplugs } from "./fake_unplug.ts";

/** A disk frontend the fake knows. */
export interface FakeDisk {
  /** The qdev id (libvirt's alias). */
  id: string;
  driver: string;
  /** The node of the inserted medium, if any. */
  node?: string;
  /** The `-drive` id of a disk from the command line (query-block's `device`). */
  drive?: string;
  /** The chardev backend of a chardev frontend. */
  chardev?: string;
  trayOpen?: boolean;
  /** QEMU's `io-status` after an I/O error stopped the guest ("failed", "nospace"). */
  ioStatus?: string;
  /** The throttle fields `block_set_io_throttle` set last. */
  throttle?: Record<string, unknown>;
}

/** A dirty bitmap of a node. */
export interface FakeBitmap {
  name: string;
  persistent: boolean;
  recording: boolean;
  busy: boolean;
  inconsistent?: boolean;
  granularity: number;
  count: number;
}

/** Options of {@link FakeBlockDevices}. */
export interface FakeBlockOptions {
  /** Disks present at start (the command line's). */
  disks?: FakeDisk[];
  /** What `device_del` of a disk does (default `ack`); see {@link UnplugPolicy}. */
  unplug?: UnplugPolicy;
  /** Files `blockdev-add` cannot open. */
  missing?: string[];
  /** Whether the machine has a balloon device whose guest driver follows targets (default). */
  balloon?: boolean;
  /** Block jobs stay running (until cancelled) rather than getting ready or concluding at once. */
  holdJobs?: boolean;
}

/** Frontends the model plugs: disks and the chardev frontends a virtio-serial bus takes. */
const FRONTENDS = new Set([
  "virtio-blk-pci",
  "usb-storage",
  "scsi-hd",
  "scsi-cd",
  "ide-cd",
  "ide-hd",
  "virtserialport",
  "isa-serial",
]);

/** `query-block-jobs`' type of each block job command. */
const BLOCK_JOB_TYPES: Record<string, string> = {
  "block-commit": "commit",
  "block-stream": "stream",
  "blockdev-mirror": "mirror",
  "blockdev-backup": "backup",
};

function err(desc: string, cls = "GenericError"): FakeReply {
  return { error: { class: cls, desc } };
}

/** QEMU's throttle fields of an unthrottled disk, as `query-block` lists them. */
const THROTTLE_ZERO = Object.fromEntries(
  ["bps", "bps_rd", "bps_wr", "iops", "iops_rd", "iops_wr"].flatMap((f) => [
    [f, 0],
    [`${f}_max`, 0],
  ]).concat([["iops_size", 0]]),
);

/**
 * The block model; pass {@link FakeBlockDevices.handle} as the fake's `onCommand` and
 * {@link FakeBlockDevices.bind} the fake once it exists, so events reach its monitor.
 *
 * @example
 * ```ts
 * import { FakeBlockDevices } from "./fake_block.ts";
 * import { FakeLauncher } from "./fake_launcher.ts";
 * const block = new FakeBlockDevices();
 * const launcher = new FakeLauncher({ onCommand: block.handle });
 * ```
 */
export class FakeBlockDevices {
  /** Block nodes by name: their file, or the node they sit on. */
  readonly nodes = new Map<
    string,
    // `actual`: the image's bytes on disk (`actual-size`); `highest`: `wr_highest_offset`.
    {
      file?: string;
      on?: string;
      size: number;
      drv?: string;
      actual?: number;
      highest?: number;
      /** Dirty bitmaps as `query-named-block-nodes` lists them (`count`: dirty bytes). */
      bitmaps?: FakeBitmap[];
    }
  >();
  /** Disk frontends by id. */
  readonly disks = new Map<string, FakeDisk>();
  /** Chardev backends by id (`chardev-add`), a pty's path as QEMU would pick it. */
  readonly chardevs = new Map<string, { type: string; pty?: string }>();
  /** Internal snapshot tags by node (`snapshot-save` / `snapshot-delete`). */
  readonly snapshots = new Map<string, Set<string>>();
  /** Jobs not yet dismissed. */
  readonly jobs: {
    id: string;
    type: string;
    status: string;
    error?: string;
    /** The node the disk moves to when a ready job completes (a mirror's target). */
    pivot?: { from: string; to: string };
    speed?: number;
    /** The progress `query-block-jobs` reports (QEMU's `offset` of `len`), 0 of 0 unless set. */
    offset?: number;
    len?: number;
    /** The progress `query-jobs` reports, 1 of 1 unless set. */
    progress?: { current: number; total: number };
  }[] = [];
  /** The NBD server (`nbd-server-start`'s address) while it runs. */
  nbdServer?: Record<string, unknown>;
  /** NBD exports by name, with the node each serves. */
  readonly exports = new Map<string, { id: string; node: string; writable: boolean }>();
  /** The balloon target in bytes, the guest-stats polling interval, once set. */
  balloon?: number;
  statsPeriod?: number;
  #fake?: FakeQemu;
  #opts: FakeBlockOptions;
  #unplugs: FakeUnplugs;

  constructor(options: FakeBlockOptions = {}) {
    this.#opts = options;
    this.#unplugs = new FakeUnplugs(() => this.#fake, options.unplug, (id) => {
      const driver = this.disks.get(id)?.driver;
      this.disks.delete(id);
      return driver;
    });
    for (const d of options.disks ?? []) this.disks.set(d.id, { ...d });
  }

  /** The fake whose monitor gets the events. */
  bind(fake: FakeQemu): void {
    this.#fake = fake;
  }

  /** Sends the DEVICE_DELETED of every unplug held back (policy `hold`). */
  release(): void {
    this.#unplugs.release();
  }

  /** The `onCommand` hook; undefined lets the fake handle the command. */
  readonly handle = (execute: string, args: Record<string, unknown>): FakeReply | undefined => {
    switch (execute) {
      case "blockdev-add":
        return this.#blockdevAdd(args);
      case "blockdev-del": {
        const name = String(args["node-name"]);
        if (!this.nodes.has(name)) return err(`Failed to find node with node-name='${name}'`);
        const user = [...this.nodes].find(([, n]) => n.on === name)?.[0] ??
          [...this.disks.values()].find((d) => d.node === name)?.id;
        if (user) return err(`Node ${name} is in use`);
        this.nodes.delete(name);
        return { return: {} };
      }
      case "device_add":
        return FRONTENDS.has(String(args.driver)) ? this.#deviceAdd(args) : undefined;
      case "device_del":
        return this.disks.has(String(args.id)) ? this.#unplugs.request(String(args.id)) : undefined;
      case "query-block":
        return { return: this.#queryBlock() };
      case "query-blockstats":
        return { return: this.#queryBlockstats() };
      case "block_set_io_throttle": {
        const { id, ...throttle } = args;
        const disk = [...this.disks.values()].find((d) =>
          d.id === id || `/machine/peripheral/${d.id}/virtio-backend` === id
        );
        if (!disk) return err(`Device '${id}' not found`, "DeviceNotFound");
        disk.throttle = throttle;
        return { return: {} };
      }
      case "blockdev-open-tray":
        return this.#tray(String(args.id), true);
      case "blockdev-close-tray":
        return this.#tray(String(args.id), false);
      case "blockdev-remove-medium": {
        const disk = this.disks.get(String(args.id));
        if (!disk) return err(`Device '${args.id}' not found`, "DeviceNotFound");
        if (!disk.trayOpen) return err(`Tray of device '${args.id}' is not open`);
        disk.node = undefined;
        return { return: {} };
      }
      case "blockdev-insert-medium": {
        const disk = this.disks.get(String(args.id));
        if (!disk) return err(`Device '${args.id}' not found`, "DeviceNotFound");
        if (!disk.trayOpen) return err(`Tray of device '${args.id}' is not open`);
        if (disk.node) return err(`There already is a medium in device '${args.id}'`);
        disk.node = String(args["node-name"]);
        return { return: {} };
      }
      case "block_resize": {
        const drive = [...this.disks.values()].find((d) => d.drive && d.drive === args.device);
        const name = drive?.node ?? String(args["node-name"]);
        const node = this.nodes.get(name);
        if (!node) {
          return err(`Cannot find device='${args.device ?? ""}' nor node-name='${name}'`);
        }
        node.size = Number(args.size);
        return { return: {} };
      }
      case "chardev-add": {
        const id = String(args.id);
        if (this.chardevs.has(id)) {
          return err(`attempt to add duplicate property '${id}' to object (type 'container')`);
        }
        const type = String((args.backend as { type: string }).type);
        const pty = type === "pty" ? `/dev/pts/${200 + this.chardevs.size}` : undefined;
        this.chardevs.set(id, { type, pty });
        return { return: pty ? { pty } : {} };
      }
      case "chardev-remove": {
        const id = String(args.id);
        if (!this.chardevs.has(id)) return err(`Chardev '${id}' not found`, "DeviceNotFound");
        if ([...this.disks.values()].some((d) => d.chardev === id)) {
          return err(`Chardev '${id}' is busy`);
        }
        this.chardevs.delete(id);
        return { return: {} };
      }
      case "snapshot-save":
      case "snapshot-delete":
        return this.#snapshotJob(execute, args);
      case "query-named-block-nodes":
        return { return: this.#namedNodes() };
      case "blockdev-create":
        this.jobs.push({ id: String(args["job-id"]), type: execute, status: "concluded" });
        return { return: {} };
      case "blockdev-reopen": {
        const node = String((args.options as Record<string, unknown>[])[0]["node-name"]);
        return this.nodes.has(node) ? { return: {} } : err(`Cannot find node named '${node}'`);
      }
      case "transaction":
        return this.#transaction(args.actions as { type: string; data: Record<string, unknown> }[]);
      case "block-dirty-bitmap-remove":
        return this.#transaction([{ type: execute, data: args }]);
      case "block-commit":
      case "block-stream":
      case "blockdev-mirror":
        return this.#blockJob(execute, args);
      case "job-complete":
      case "block-job-cancel":
        return this.#endJob(String(args.id ?? args.device), execute === "job-complete");
      case "block-job-set-speed": {
        const job = this.jobs.find((j) => j.id === args.device);
        if (!job) return err(`Block job '${args.device}' not found`, "DeviceNotActive");
        job.speed = Number(args.speed);
        return { return: {} };
      }
      case "query-block-jobs":
        return {
          return: this.jobs.filter((j) => BLOCK_JOB_TYPES[j.type]).map((j) => ({
            device: j.id,
            type: BLOCK_JOB_TYPES[j.type],
            offset: j.offset ?? 0,
            len: j.len ?? 0,
            speed: j.speed ?? 0,
            ready: j.status === "ready",
          })),
        };
      case "query-jobs":
        return {
          return: this.jobs.map(({ progress, ...j }) => ({
            ...j,
            "current-progress": progress?.current ?? 1,
            "total-progress": progress?.total ?? 1,
          })),
        };
      case "job-dismiss": {
        const at = this.jobs.findIndex((j) => j.id === args.id);
        if (at < 0) return err(`Job not found`);
        this.jobs.splice(at, 1);
        return { return: {} };
      }
      case "nbd-server-start":
        if (this.nbdServer) return err("NBD server already running");
        this.nbdServer = args.addr as Record<string, unknown>;
        return { return: {} };
      case "nbd-server-stop":
        if (!this.nbdServer) return err("NBD server not running");
        this.nbdServer = undefined;
        this.exports.clear();
        return { return: {} };
      case "block-export-add": {
        if (!this.nbdServer) return err("NBD server not running");
        const node = String(args["node-name"]);
        if (!this.nodes.has(node)) return err(`Cannot find node ${node}`);
        this.exports.set(String(args.name), {
          id: String(args.id),
          node,
          writable: args.writable === true,
        });
        return { return: {} };
      }
      case "balloon":
        if (this.#opts.balloon === false) {
          return err("No balloon device has been activated", "DeviceNotActive");
        }
        {
          const before = this.balloon;
          this.balloon = Number(args.value);
          // A guest balloon driver reaching a new target at once (the start's first target is
          // the memory the guest already has).
          if (before !== undefined && before !== this.balloon) {
            setTimeout(() => this.#fake?.emit("BALLOON_CHANGE", { actual: this.balloon }), 1);
          }
          return { return: {} };
        }
      case "qom-set":
        if (args.property !== "guest-stats-polling-interval") return undefined;
        this.statsPeriod = Number(args.value);
        return { return: {} };
      default:
        return undefined;
    }
  };

  /**
   * Opens what the command line `argv` gives QEMU: its `-blockdev` nodes, and the top node of
   * each disk frontend (`-device …,drive=NODE,id=ID`) as that disk's medium.
   *
   * @example
   * ```ts
   * import { FakeBlockDevices } from "./fake_block.ts";
   * const block = new FakeBlockDevices({ disks: [{ id: "virtio-disk0", driver: "virtio-blk-pci" }] });
   * block.openCommandLine([
   *   "-blockdev", '{"driver":"file","filename":"/i/a","node-name":"libvirt-1-storage"}',
   *   "-blockdev", '{"node-name":"libvirt-1-format","driver":"raw","file":"libvirt-1-storage"}',
   *   "-device", "virtio-blk-pci,drive=libvirt-1-format,id=virtio-disk0",
   * ]);
   * block.disks.get("virtio-disk0")?.node; // "libvirt-1-format"
   * ```
   */
  openCommandLine(argv: readonly string[]): void {
    argv.forEach((a, i) => {
      if (argv[i - 1] === "-blockdev") this.#blockdevAdd(JSON.parse(a));
      if (argv[i - 1] !== "-device") return;
      const props = Object.fromEntries(a.split(",").slice(1).map((p) => p.split("=")));
      const disk = this.disks.get(props.id);
      if (disk && props.drive) disk.node = props.drive;
    });
  }

  #blockdevAdd(args: Record<string, unknown>): FakeReply {
    const name = String(args["node-name"]);
    if (this.nodes.has(name)) return err(`Duplicate nodes with node-name='${name}'`);
    if (args.driver === "file") {
      const file = String(args.filename);
      if (this.#opts.missing?.includes(file)) {
        return err(`Could not open '${file}': No such file or directory`);
      }
      this.nodes.set(name, { file, size: 1 << 20 });
    } else if (args.driver === "nbd") {
      // An NBD client node (a storage migration's target): QEMU names it by its URI.
      const server = args.server as { host?: string; port?: string };
      const file = `nbd://${server.host}:${server.port}/${args.export ?? ""}`;
      this.nodes.set(name, { file, size: 1 << 20, drv: "nbd" });
    } else {
      const on = String(args.file);
      if (!this.nodes.has(on)) return err(`Cannot find device='' nor node-name='${on}'`);
      this.nodes.set(name, { on, size: this.nodes.get(on)!.size, drv: String(args.driver) });
    }
    return { return: {} };
  }

  /** A snapshot job that concludes at once, failing as QEMU does for an unknown node or tag. */
  #snapshotJob(execute: string, args: Record<string, unknown>): FakeReply {
    const tag = String(args.tag);
    const devices = (args.devices as string[] | undefined) ?? [];
    const job = { id: String(args["job-id"]), type: execute, status: "concluded" } as {
      id: string;
      type: string;
      status: string;
      error?: string;
    };
    const missing = devices.find((d) => !this.nodes.has(d));
    if (missing) job.error = `No block device node '${missing}'`;
    else if (execute === "snapshot-save") {
      for (const d of devices) {
        this.snapshots.set(d, new Set([...this.snapshots.get(d) ?? [], tag]));
      }
    } else {
      for (const d of devices) this.snapshots.get(d)?.delete(tag);
    }
    this.jobs.push(job);
    return { return: {} };
  }

  #namedNodes(): unknown[] {
    return [...this.nodes].map(([name, n]) => {
      const drv = n.drv ?? (n.on ? "qcow2" : "file");
      return {
        "node-name": name,
        drv,
        file: n.file ?? this.nodes.get(n.on!)?.file,
        // qemu-img's default cluster size for a qcow2 image.
        image: { "virtual-size": n.size, ...(drv === "qcow2" ? { "cluster-size": 65536 } : {}) },
        ...(n.bitmaps ? { "dirty-bitmaps": n.bitmaps.map((b) => ({ ...b })) } : {}),
      };
    });
  }

  /**
   * A `transaction`, all or nothing as QEMU's: `blockdev-snapshot` (each disk on `node` moves to
   * its `overlay`) and the dirty bitmap actions (add, remove, merge: a merge's count is its
   * sources' largest), each checked first with QEMU's error texts.
   */
  #transaction(actions: { type: string; data: Record<string, unknown> }[]): FakeReply {
    const staged = new Map([...this.nodes].map(([k, n]) => [k, n.bitmaps?.map((b) => ({ ...b }))]));
    const moves: [string, string][] = [];
    const backups: Record<string, unknown>[] = [];
    for (const { type, data } of actions) {
      const node = String(data.node);
      const failed = this.#stage(staged, type, data, node);
      if (failed) return err(failed);
      if (type === "blockdev-snapshot") moves.push([node, String(data.overlay)]);
      if (type === "blockdev-backup") backups.push(data);
    }
    for (const [name, bitmaps] of staged) this.nodes.get(name)!.bitmaps = bitmaps;
    for (const data of backups) this.#backupJob(data);
    for (const [from, to] of moves) {
      for (const d of this.disks.values()) if (d.node === from) d.node = to;
    }
    return { return: {} };
  }

  /** One action applied to the staged bitmaps; QEMU's error text when it fails. */
  #stage(
    staged: Map<string, FakeBitmap[] | undefined>,
    type: string,
    data: Record<string, unknown>,
    node: string,
  ): string | undefined {
    const find = (n: string, name: string) => staged.get(n)?.find((b) => b.name === name);
    const noNode = (n: string) => `Cannot find device='${n}' nor node-name='${n}'`;
    const name = String(data.name ?? data.target);
    if (type === "blockdev-snapshot") {
      return this.nodes.has(String(data.overlay)) ? undefined : noNode(String(data.overlay));
    }
    if (type === "blockdev-backup") {
      const missing = [data.device, data.target].map(String).find((n) => !this.nodes.has(n));
      return missing === undefined ? undefined : noNode(missing);
    }
    if (!staged.has(node)) return noNode(node);
    if (type === "block-dirty-bitmap-add") {
      if (find(node, name)) return `Bitmap already exists: ${name}`;
      // QEMU lists a node's bitmaps newest first.
      staged.set(node, [{
        name,
        persistent: data.persistent === true,
        recording: data.disabled !== true,
        busy: false,
        granularity: Number(data.granularity ?? 65536),
        count: 0,
      }, ...staged.get(node) ?? []]);
      return undefined;
    }
    const bitmap = find(node, name);
    if (!bitmap) return `Dirty bitmap '${name}' not found`;
    if (type === "block-dirty-bitmap-remove") {
      staged.set(node, staged.get(node)!.filter((b) => b !== bitmap));
      return undefined;
    }
    if (type !== "block-dirty-bitmap-merge") return `Unknown action '${type}'`;
    for (const src of data.bitmaps as { node: string; name: string }[]) {
      const from = find(src.node, src.name);
      if (!from) return `Dirty bitmap '${src.name}' not found`;
      bitmap.count = Math.max(bitmap.count, from.count);
    }
    return undefined;
  }

  /** A commit or stream job: an active commit becomes ready, the others conclude. */
  /** A commit, stream or mirror job: an active commit or a mirror becomes ready, the others conclude. */
  #blockJob(execute: string, args: Record<string, unknown>): FakeReply {
    const id = String(args["job-id"]);
    const device = String(args.device);
    const mirror = execute === "blockdev-mirror";
    const active = mirror || (execute === "block-commit" && args["top-node"] === device);
    const to = String(mirror ? args.target : args["base-node"]);
    const job: (typeof this.jobs)[number] = {
      id,
      type: execute,
      status: "running",
      speed: Number(args.speed ?? 0),
      ...(active ? { pivot: { from: device, to } } : {}),
    };
    this.jobs.push(job);
    if (this.#opts.holdJobs) return { return: {} };
    setTimeout(() => {
      job.status = active ? "ready" : "concluded";
      this.#fake?.emit("JOB_STATUS_CHANGE", { id, status: job.status });
    }, 5);
    return { return: {} };
  }

  /**
   * A backup job copying its device's every byte (an incremental one: its bitmap's): done at
   * once (5 ms) unless jobs are held; cancelled, it has copied nothing and fails as QEMU's
   * ("Operation canceled").
   */
  #backupJob(data: Record<string, unknown>): void {
    const id = String(data["job-id"]);
    const device = this.nodes.get(String(data.device))!;
    const bitmap = device.bitmaps?.find((b) => b.name === data.bitmap);
    const total = bitmap ? bitmap.count : device.size;
    const job: (typeof this.jobs)[number] = {
      id,
      type: "blockdev-backup",
      status: "running",
      progress: { current: 0, total },
    };
    this.jobs.push(job);
    // sync=none (a pull backup's) copies only what the guest overwrites: it runs until cancelled.
    if (this.#opts.holdJobs || data.sync === "none") return;
    setTimeout(() => {
      if (job.status !== "running") return;
      job.progress = { current: total, total };
      job.status = "concluded";
      this.#fake?.emit("JOB_STATUS_CHANGE", { id, status: job.status });
    }, 5);
  }

  /** `job-complete` (a pivot: the disk moves to the job's target) or `block-job-cancel`. */
  #endJob(id: string, complete: boolean): FakeReply {
    const job = this.jobs.find((j) => j.id === id);
    if (!job) return err(`Block job '${id}' not found`, "DeviceNotActive");
    if (complete && job.status !== "ready") {
      return err(`The active block job '${id}' cannot be completed`);
    }
    setTimeout(() => {
      if (complete && job.pivot) {
        for (const d of this.disks.values()) if (d.node === job.pivot.from) d.node = job.pivot.to;
      }
      if (job.type === "blockdev-backup") job.error = "Operation canceled";
      job.status = "concluded";
      this.#fake?.emit("JOB_STATUS_CHANGE", { id, status: "concluded" });
    }, 5);
    return { return: {} };
  }

  #deviceAdd(args: Record<string, unknown>): FakeReply {
    const id = String(args.id);
    if (this.disks.has(id)) return err(`Duplicate device ID '${id}'`);
    const node = args.drive === undefined ? undefined : String(args.drive);
    if (node && !this.nodes.has(node)) return err(`Drive '${node}' not found`);
    const chardev = args.chardev === undefined ? undefined : String(args.chardev);
    if (chardev && !this.chardevs.has(chardev)) {
      return err(`Property '${args.driver}.chardev' can't find value '${chardev}'`);
    }
    // QEMU's ISA and IDE buses take no device once the machine runs.
    if (args.driver === "isa-serial") return err("Bus 'isa.0' does not support hotplugging");
    if (String(args.driver).startsWith("ide-")) {
      return err(`Bus '${args.bus}' does not support hotplugging`);
    }
    this.disks.set(id, { id, driver: String(args.driver), node, chardev });
    return { return: {} };
  }

  #tray(id: string, open: boolean): FakeReply {
    const disk = this.disks.get(id);
    if (!disk) return err(`Device '${id}' not found`, "DeviceNotFound");
    if (disk.trayOpen !== open) {
      disk.trayOpen = open;
      this.#fake?.emit("DEVICE_TRAY_MOVED", { device: "", id, "tray-open": open });
    }
    return { return: {} };
  }

  /** The counters of each disk with a medium: nothing read or written but `highest`. */
  #queryBlockstats(): unknown[] {
    return [...this.disks.values()].filter((d) => !d.chardev && d.node).map((d) => ({
      device: d.drive ?? "",
      qdev: d.driver.startsWith("virtio") ? `/machine/peripheral/${d.id}/virtio-backend` : d.id,
      stats: { wr_highest_offset: this.nodes.get(d.node!)?.highest ?? 0 },
    }));
  }

  #queryBlock(): unknown[] {
    return [...this.disks.values()].filter((d) => !d.chardev).map((d) => {
      const node = d.node ? this.nodes.get(d.node) : undefined;
      const file = node?.file ?? (node?.on ? this.nodes.get(node.on)?.file : undefined);
      return {
        device: d.drive ?? "",
        qdev: d.driver.startsWith("virtio") ? `/machine/peripheral/${d.id}/virtio-backend` : d.id,
        locked: false,
        removable: d.driver.endsWith("-cd"),
        ...(d.driver.endsWith("-cd") ? { "tray_open": d.trayOpen ?? false } : {}),
        ...(d.ioStatus ? { "io-status": d.ioStatus } : {}),
        ...(node
          ? {
            inserted: {
              "node-name": d.node,
              file,
              image: { "virtual-size": node.size, "actual-size": node.actual ?? 0 },
              ...THROTTLE_ZERO,
              ...d.throttle,
            },
          }
          : {}),
      };
    });
  }
}
