/**
 * Memory devices of a fake QEMU 7.2, for the hotplug tests: the memory backends and the
 * `pc-dimm`/`nvdimm`/`virtio-mem-pci` devices of the command line and of `object-add` /
 * `device_add`, `query-memory-devices` with QEMU's addresses (device memory from 4 GiB, each
 * device after the previous ones), a virtio-mem's `requested-size` by `qom-set`, and the guest's
 * side: a guest with a virtio-mem driver plugs what is requested (MEMORY_DEVICE_SIZE_CHANGE),
 * a DIMM unplug follows the unplug policy (a guest without ACPI support never acknowledges it),
 * a virtio-mem has none.
 *
 * @module
 */
import type { FakeQemu, FakeReply, UnplugPolicy } from "./fake_qemu.ts";
import { FakeUnplugs } from "./fake_unplug.ts";

/** One memory device the fake runs. */
interface FakeMemoryDevice {
  driver: string;
  memdev: string;
  addr: number;
  slot?: number;
  node: number;
  requested: number;
  /** What the guest plugged (a virtio-mem's), or the backend's size. */
  size: number;
}

/** Where QEMU 7.2's device memory starts for a small x86 guest. */
const DEVICE_MEMORY_BASE = 0x100000000;
const MEMORY_DRIVERS = new Set(["pc-dimm", "nvdimm", "virtio-mem-pci"]);

function err(desc: string, cls = "GenericError"): FakeReply {
  return { error: { class: cls, desc } };
}

/** What the model's guest does. */
export interface FakeMemoryOptions {
  /** The guest runs a virtio-mem driver: it plugs the requested size. */
  virtioMemDriver?: boolean;
  /** What happens after a DIMM's `device_del` (default: no guest acknowledges it). */
  unplug?: UnplugPolicy;
  /** QEMU's refusal of every memory `device_add`, this error text. */
  deviceAddError?: string;
}

/**
 * The memory devices of one fake QEMU; `handle` answers the commands it knows.
 *
 * @example
 * ```ts
 * import { FakeMemoryDevices } from "./fake_memory.ts";
 * const memory = new FakeMemoryDevices();
 * memory.openCommandLine(["-object", '{"qom-type":"memory-backend-ram","id":"memdimm0","size":1048576}']);
 * memory.handle("query-memory-devices", {}); // { return: [] }
 * ```
 */
export class FakeMemoryDevices {
  readonly backends = new Map<string, number>();
  readonly devices = new Map<string, FakeMemoryDevice>();
  #fake?: FakeQemu;
  #options: FakeMemoryOptions;
  #unplugs: FakeUnplugs;

  constructor(options: FakeMemoryOptions = {}) {
    this.#options = options;
    this.#unplugs = new FakeUnplugs(() => this.#fake, options.unplug ?? "hold", (id) => {
      const driver = this.devices.get(id)?.driver;
      this.devices.delete(id);
      return driver;
    });
  }

  /** The fake QEMU whose events the guest's side emits. */
  bind(fake: FakeQemu): void {
    this.#fake = fake;
  }

  /** Sends the DEVICE_DELETED of every unplug held back (policy `hold`). */
  releaseUnplugs(): void {
    this.#unplugs.release();
  }

  /** The backends and devices of a command line (`-object` JSON, `-device` key=value). */
  openCommandLine(argv: readonly string[]): void {
    argv.forEach((a, i) => {
      if (argv[i - 1] === "-object" && a.startsWith("{")) this.#objectAdd(JSON.parse(a));
      if (argv[i - 1] !== "-device") return;
      const [driver, ...rest] = a.split(",");
      if (!MEMORY_DRIVERS.has(driver)) return;
      const props: Record<string, unknown> = { driver };
      for (const p of rest) {
        const [k, v] = p.split("=");
        props[k] = /^\d+$/.test(v) ? Number(v) : v;
      }
      this.#deviceAdd(props);
    });
  }

  /** The reply to one command, undefined for a command (or device) the model leaves alone. */
  handle(execute: string, args: Record<string, unknown>): FakeReply | undefined {
    switch (execute) {
      case "object-add":
        return String(args["qom-type"]).startsWith("memory-backend-")
          ? this.#objectAdd(args)
          : undefined;
      case "object-del": {
        const id = String(args.id);
        if (!this.backends.has(id)) return undefined;
        if ([...this.devices.values()].some((d) => d.memdev === id)) {
          return err(`object '${id}' is in use, can not be deleted`);
        }
        this.backends.delete(id);
        return { return: {} };
      }
      case "device_add":
        if (!MEMORY_DRIVERS.has(String(args.driver))) return undefined;
        return this.#options.deviceAddError
          ? err(this.#options.deviceAddError)
          : this.#deviceAdd(args);
      case "device_del": {
        const dev = this.devices.get(String(args.id));
        if (!dev) return undefined;
        // QEMU 7.2's virtio-mem-pci and virtio-pmem-pci have no unplug.
        if (dev.driver === "virtio-mem-pci") {
          return err("virtio based memory devices cannot be unplugged.");
        }
        return this.#unplugs.request(String(args.id));
      }
      case "qom-set":
        return this.#qomSet(args);
      case "query-memory-devices":
        return { return: [...this.devices].map(([id, d]) => this.#info(id, d)) };
      default:
        return undefined;
    }
  }

  #objectAdd(args: Record<string, unknown>): FakeReply {
    const id = String(args.id);
    if (this.backends.has(id)) {
      return err(`attempt to add duplicate property '${id}' to object (type 'container')`);
    }
    this.backends.set(id, Number(args.size));
    return { return: {} };
  }

  #deviceAdd(args: Record<string, unknown>): FakeReply {
    const id = String(args.id);
    const memdev = String(args.memdev);
    if (this.devices.has(id)) return err(`Duplicate device ID '${id}'`);
    const size = this.backends.get(memdev);
    if (size === undefined) {
      return err(`Property '${args.driver}.memdev' can't find value '${memdev}'`);
    }
    const addr = [...this.devices.values()].reduce(
      (end, d) => Math.max(end, d.addr + (this.backends.get(d.memdev) ?? 0)),
      DEVICE_MEMORY_BASE,
    );
    const virtio = args.driver === "virtio-mem-pci";
    this.devices.set(id, {
      driver: String(args.driver),
      memdev,
      addr,
      slot: virtio ? undefined : Number(args.slot ?? 0),
      node: Number(args.node ?? 0),
      requested: Number(args["requested-size"] ?? 0),
      size: virtio ? 0 : size,
    });
    if (virtio) this.#guestPlugs(id);
    return { return: {} };
  }

  #qomSet(args: Record<string, unknown>): FakeReply | undefined {
    const id = String(args.path).replace(/^\/machine\/peripheral\//, "");
    const dev = this.devices.get(id);
    if (!dev || args.property !== "requested-size") return undefined;
    const value = Number(args.value);
    if (value > (this.backends.get(dev.memdev) ?? 0)) {
      return err(
        `'requested-size' cannot exceed the memory backend size(${this.backends.get(dev.memdev)})`,
      );
    }
    dev.requested = value;
    this.#guestPlugs(id);
    return { return: {} };
  }

  /** A guest with a virtio-mem driver plugs (or unplugs) up to the requested size. */
  #guestPlugs(id: string): void {
    const dev = this.devices.get(id)!;
    if (!this.#options.virtioMemDriver || dev.size === dev.requested) return;
    dev.size = dev.requested;
    this.#fake?.emit("MEMORY_DEVICE_SIZE_CHANGE", {
      id,
      size: dev.size,
      "qom-path": `/machine/peripheral/${id}`,
    });
  }

  #info(id: string, d: FakeMemoryDevice): Record<string, unknown> {
    const backend = this.backends.get(d.memdev) ?? 0;
    if (d.driver === "virtio-mem-pci") {
      return {
        type: "virtio-mem",
        data: {
          id,
          memaddr: d.addr,
          "requested-size": d.requested,
          size: d.size,
          "max-size": backend,
          "block-size": 2097152,
          node: d.node,
          memdev: `/objects/${d.memdev}`,
        },
      };
    }
    return {
      type: d.driver === "nvdimm" ? "nvdimm" : "dimm",
      data: {
        id,
        addr: d.addr,
        slot: d.slot,
        node: d.node,
        memdev: `/objects/${d.memdev}`,
        size: backend,
        hotplugged: false,
        hotpluggable: true,
      },
    };
  }
}
