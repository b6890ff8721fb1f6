/**
 * A {@link QemuLauncher} that starts {@link FakeQemu}s instead of processes, sized from the
 * `-smp` argument, with recording cgroups, so the whole driver runs in-process.
 *
 * @module
 */
import { QemuMonitor } from "../monitor/qemu_monitor.ts";
import { QmpClient } from "../monitor/qmp_client.ts";
import type { QemuLauncher, QemuProcess } from "../process/launcher.ts";
import type { QemuVersion, QmpProbeCommand, QmpProbeReply } from "../process/probe.ts";
import type { VcpuCgroup } from "../hotplug/types.ts";
import { FakeQemu, type FakeQemuOptions } from "./fake_qemu.ts";
import { RecordingCgroup } from "./recording_cgroup.ts";

/**
 * Launches fake QEMUs; every started instance stays reachable by pid for re-attach tests.
 *
 * @example
 * ```ts
 * import { FakeLauncher } from "./fake_launcher.ts";
 * const launcher = new FakeLauncher({ unplug: "hold" });
 * ```
 */
export class FakeLauncher implements QemuLauncher {
  /** Started fakes by pid. */
  readonly instances = new Map<number, FakeQemu>();
  /** The argv of every launch. */
  readonly launches: string[][] = [];
  /** The devices each launch was to get open on descriptors 3, 4, … */
  readonly fds: string[][] = [];
  /** The variables each launch was to get in its environment. */
  readonly envs: Record<string, string>[] = [];
  /** The recording cgroup of every fake, by pid. */
  readonly cgroups = new Map<number, RecordingCgroup>();
  /** The QMP socket each fake was started with, by pid. */
  readonly sockets = new Map<number, string>();
  /** The emulators whose version was asked, in order. */
  readonly probes: string[] = [];
  /** The emulators {@link FakeLauncher.probe} ran, in order. */
  readonly capabilityProbes: string[] = [];
  #options: FakeQemuOptions;
  #nextPid = 70000;

  constructor(options: FakeQemuOptions = {}) {
    this.#options = options;
  }

  async launch(
    _emulator: string,
    argv: string[],
    monitorPath: string,
    fds: readonly string[] = [],
    env: Readonly<Record<string, string>> = {},
  ): Promise<QemuProcess> {
    this.launches.push(argv);
    this.fds.push([...fds]);
    this.envs.push({ ...env });
    const smp = argv[argv.indexOf("-smp") + 1];
    const [boot, ...rest] = smp.split(",");
    const kv = Object.fromEntries(rest.map((p) => p.split("=")));
    const vnc = argv[argv.indexOf("-vnc") + 1]?.match(/:(\d+)/);
    const fake = new FakeQemu({
      ptys: argv.flatMap((a, i) =>
        argv[i - 1] === "-chardev" && a.startsWith("pty,id=") ? [a.slice("pty,id=".length)] : []
      ),
      channels: argv.flatMap((a, i) => {
        const port = argv[i - 1] === "-device" && a.startsWith("virtserialport,")
          ? Object.fromEntries(a.split(",").slice(1).map((kv) => kv.split("=")))
          : undefined;
        return port ? [{ label: port.chardev, id: port.id }] : [];
      }),
      vncDisplay: argv.includes("-vnc") && vnc ? Number(vnc[1]) : undefined,
      vncPassword: /,password=on(,|$)/.test(argv[argv.indexOf("-vnc") + 1] ?? ""),
      iothreads: argv.flatMap((a, i) => {
        const object = argv[i - 1] === "-object" && a.startsWith("{") ? JSON.parse(a) : {};
        return object["qom-type"] === "iothread" ? [String(object.id)] : [];
      }),
      balloonKiB: argv.some((a) => a.startsWith("virtio-balloon-pci"))
        ? Number(argv[argv.indexOf("-m") + 1].match(/size=(\d+)k/)?.[1])
        : undefined,
      sockets: Number(kv.sockets),
      cores: Number(kv.cores),
      threads: Number(kv.threads),
      bootCpus: Number(boot),
      pid: this.#nextPid++,
      noShutdown: argv.includes("-no-shutdown"),
      acpi: !argv.includes("-no-acpi"),
      pvpanic: argv.some((a) => a === "pvpanic" || a.startsWith("pvpanic,")),
      name: argv[argv.indexOf("-name") + 1].match(/^guest=((?:[^,]|,,)*)/)?.[1].replaceAll(
        ",,",
        ",",
      ),
      ...this.#options,
    });
    this.instances.set(fake.pid, fake);
    this.sockets.set(fake.pid, monitorPath);
    return this.#wrap(fake, await QmpClient.open(fake.connect()));
  }

  async attach(pid: number, monitorPath: string): Promise<QemuProcess | null> {
    const fake = this.instances.get(pid);
    if (!fake?.alive || this.sockets.get(pid) !== monitorPath) return null;
    return this.#wrap(fake, await QmpClient.open(fake.connect()));
  }

  find(runDir: string): Map<string, number[]> {
    const found = new Map<string, number[]>();
    for (const [pid, fake] of this.instances) {
      const socket = this.sockets.get(pid)!;
      if (fake.alive && socket.startsWith(`${runDir}/`)) {
        found.set(socket, [...found.get(socket) ?? [], pid]);
      }
    }
    return found;
  }

  reap(pid: number): Promise<void> {
    this.instances.get(pid)?.signal("SIGKILL");
    return Promise.resolve();
  }

  queryVersion(emulator: string): Promise<QemuVersion> {
    this.probes.push(emulator);
    return Promise.resolve({ major: 7, minor: 2, micro: 0 });
  }

  /**
   * A QEMU 7.2 without KVM that knows a few machines (i440fx and q35 7.2, an old i440fx, none),
   * three CPU models (one unusable) and the device types the driver starts.
   */
  probe(emulator: string, commands: QmpProbeCommand[]): Promise<QmpProbeReply[]> {
    this.capabilityProbes.push(emulator);
    const machine = (name: string, alias: string, max: number, isDefault = false) => ({
      name,
      alias,
      "cpu-max": max,
      deprecated: false,
      "hotpluggable-cpus": true,
      ...(isDefault ? { "is-default": true } : {}),
    });
    const answers: Record<string, unknown> = {
      "query-version": { qemu: { major: 7, minor: 2, micro: 0 }, package: "fake" },
      "query-kvm": { enabled: false, present: false },
      "query-cpu-definitions": [
        { name: "qemu64", "unavailable-features": [], deprecated: false },
        { name: "EPYC", "unavailable-features": ["avx2"], deprecated: false },
        { name: "max", "unavailable-features": [], deprecated: false },
      ],
      "qom-list-types": [
        "virtio-blk-pci",
        "ide-hd",
        "ide-cd",
        "usb-storage",
        "VGA",
        "cirrus-vga",
        "virtio-vga",
        "qemu64-x86_64-cpu",
        "piix3-usb-uhci",
      ].map((name) => ({ name })),
      "query-machines": [
        machine("pc-q35-7.2", "q35", 288),
        { name: "none", "cpu-max": 1, deprecated: false, "hotpluggable-cpus": false },
        machine("pc-i440fx-7.2", "pc", 255, true),
        { name: "pc-i440fx-1.4", "cpu-max": 255, deprecated: true, "hotpluggable-cpus": true },
      ],
    };
    return Promise.resolve(
      commands.map((c) =>
        c.execute in answers ? { return: answers[c.execute] } : {
          error: {
            class: "CommandNotFound",
            desc: `The command ${c.execute} has not been found`,
          },
        }
      ),
    );
  }

  /** The fakes alive, by pid. */
  alive(): number[] {
    return [...this.instances].filter(([, f]) => f.alive).map(([pid]) => pid);
  }

  cgroup(pid: number): VcpuCgroup {
    const cg = this.cgroups.get(pid) ?? new RecordingCgroup();
    this.cgroups.set(pid, cg);
    return cg;
  }

  #wrap(fake: FakeQemu, qmp: QmpClient): QemuProcess {
    return {
      pid: fake.pid,
      monitor: new QemuMonitor(qmp),
      kill: (signal) => fake.signal(signal),
      alive: () => fake.alive,
    };
  }
}
