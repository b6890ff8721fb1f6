/**
 * QEMU 7.2's network layer for {@link FakeQemu} (its `onCommand` hook): backends
 * (`netdev_add`/`netdev_del`), NIC frontends (`device_add`/`device_del` with DEVICE_DELETED
 * after the unplug policy, `qom-list` of `/machine/peripheral`) and link states (`set_link`),
 * with QEMU's error texts. The NICs of
 * the command line are read from the argv the fake was launched with.
 *
 * @module
 */
import type { FakeQemu, FakeReply, UnplugPolicy } from "./fake_qemu.ts";
import { FakeUnplugs } from "./fake_unplug.ts";

/** NIC frontends the model plugs. */
const NIC_DRIVERS = new Set(["virtio-net-pci", "e1000", "e1000e", "rtl8139"]);

/** Options of {@link FakeNics}. */
export interface FakeNicOptions {
  /** What `device_del` of a NIC does (default `ack`); see {@link UnplugPolicy}. */
  unplug?: UnplugPolicy;
  /** Commands that fail (QEMU's GenericError with this text), by command name. */
  fail?: Record<string, string>;
}

function err(desc: string, cls = "GenericError"): FakeReply {
  return { error: { class: cls, desc } };
}

/**
 * The network model; pass {@link FakeNics.handle} as the fake's `onCommand`, let it
 * {@link FakeNics.follow} the launcher's argv, and {@link FakeNics.bind} the fake once it exists.
 *
 * @example
 * ```ts
 * import { FakeNics } from "./fake_nics.ts";
 * import { FakeLauncher } from "./fake_launcher.ts";
 * const nics = new FakeNics();
 * const launcher = new FakeLauncher({ onCommand: nics.handle });
 * ```
 */
export class FakeNics {
  /** Backends by id: their type and tap. */
  readonly netdevs = new Map<string, { type: string; ifname?: string }>();
  /** Frontends by id: driver, backend, MAC, link. */
  readonly devices = new Map<
    string,
    { driver: string; netdev: string; mac?: string; up: boolean }
  >();
  #fake?: FakeQemu;
  #opts: FakeNicOptions;
  #unplugs: FakeUnplugs;
  #launches?: readonly (readonly string[])[];
  #seen = 0;

  constructor(options: FakeNicOptions = {}) {
    this.#opts = options;
    this.#unplugs = new FakeUnplugs(() => this.#fake, options.unplug, (id) => {
      const driver = this.devices.get(id)?.driver;
      this.devices.delete(id);
      return driver;
    });
  }

  /** The fake whose monitor gets the events. */
  bind(fake: FakeQemu): void {
    this.#fake = fake;
  }

  /**
   * Follows a launcher's argv list: each new launch starts the model over with the NICs of
   * its command line, before its first command.
   */
  follow(launches: readonly (readonly string[])[]): void {
    this.#launches = launches;
  }

  #seed(argv: readonly string[]): void {
    this.netdevs.clear();
    this.devices.clear();
    argv.forEach((a, i) => {
      const props = Object.fromEntries(a.split(",").slice(1).map((p) => p.split("=")));
      if (argv[i - 1] === "-netdev") {
        this.netdevs.set(props.id, { type: a.split(",")[0], ifname: props.ifname });
      }
      const driver = a.split(",")[0];
      if (argv[i - 1] === "-device" && NIC_DRIVERS.has(driver)) {
        this.devices.set(props.id, { driver, netdev: props.netdev, mac: props.mac, up: true });
      }
    });
  }

  /** Sends the DEVICE_DELETED of every unplug held back (policy `hold`). */
  release(): void {
    this.#unplugs.release();
  }

  /** The `onCommand` hook; undefined lets the fake handle the command. */
  readonly handle = (execute: string, args: Record<string, unknown>): FakeReply | undefined => {
    if (this.#launches && this.#launches.length !== this.#seen) {
      this.#seen = this.#launches.length;
      this.#seed(this.#launches.at(-1)!);
    }
    const failure = this.#opts.fail?.[execute];
    switch (execute) {
      case "netdev_add": {
        if (failure) return err(failure);
        const id = String(args.id);
        if (this.netdevs.has(id)) return err(`Duplicate ID '${id}' for netdev`);
        this.netdevs.set(id, {
          type: String(args.type),
          ifname: args.ifname === undefined ? undefined : String(args.ifname),
        });
        return { return: {} };
      }
      case "netdev_del": {
        if (failure) return err(failure);
        const id = String(args.id);
        if (!this.netdevs.has(id)) return err(`Device '${id}' not found`, "DeviceNotFound");
        this.netdevs.delete(id);
        return { return: {} };
      }
      case "device_add":
        if (!NIC_DRIVERS.has(String(args.driver))) return undefined;
        return failure ? err(failure) : this.#deviceAdd(args);
      case "device_del":
        return this.devices.has(String(args.id))
          ? this.#unplugs.request(String(args.id))
          : undefined;
      case "qom-list":
        // Only the NICs: the model knows no other device.
        if (args.path !== "/machine/peripheral") return undefined;
        return {
          return: [...this.devices].map(([id, d]) => ({ name: id, type: `child<${d.driver}>` })),
        };
      case "set_link": {
        if (failure) return err(failure);
        const dev = this.devices.get(String(args.name));
        if (!dev) return err(`Device '${args.name}' not found`, "DeviceNotFound");
        dev.up = args.up === true;
        return { return: {} };
      }
      default:
        return undefined;
    }
  };

  #deviceAdd(args: Record<string, unknown>): FakeReply {
    const id = String(args.id);
    const netdev = String(args.netdev);
    if (this.devices.has(id)) return err(`Duplicate device ID '${id}'`);
    if (!this.netdevs.has(netdev)) {
      return err(`Property '${args.driver}.netdev' can't find value '${netdev}'`);
    }
    if ([...this.devices.values()].some((d) => d.netdev === netdev)) {
      return err(
        `Property '${args.driver}.netdev' can't take value '${netdev}', it's in use`,
      );
    }
    const mac = args.mac === undefined ? undefined : String(args.mac);
    this.devices.set(id, { driver: String(args.driver), netdev, mac, up: true });
    return { return: {} };
  }
}
