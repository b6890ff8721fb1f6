// Real QEMU 7.2 (TCG) under the edgevirt QEMU driver. Without QEMU this test is ignored on a
// developer machine but FAILS in CI (CI set), so a missing emulator never passes silently.
import assert from "node:assert/strict";
import { waitFor } from "../../wait.ts";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { type QemuProcess, SystemLauncher } from "../../../drivers/qemu/process/mod.ts";
import { VIR } from "../../../util/constants.ts";
import type { DriverConnection, DriverEvent } from "../../../util/driver.ts";
import type { VirError } from "../../../util/errors.ts";
import { realQemuTest } from "./real_qemu.ts";

const XML = `<domain type='qemu'><name>rq</name>
<memory unit='MiB'>128</memory><vcpu placement='static' current='1'>4</vcpu>
<vcpus><vcpu id='0' enabled='yes' hotpluggable='no'/><vcpu id='1' enabled='no' hotpluggable='yes'/>
<vcpu id='2' enabled='no' hotpluggable='yes'/><vcpu id='3' enabled='no' hotpluggable='yes'/></vcpus>
<os><type arch='x86_64' machine='q35'>hvm</type></os>
<cpu mode='custom' match='exact'><model fallback='allow'>qemu64</model>
<topology sockets='4' dies='1' cores='1' threads='1'/></cpu>
<devices><memballoon model='none'/></devices></domain>`;

/** A launcher that remembers the processes so the test can reach QEMU's monitor directly. */
class TappedLauncher extends SystemLauncher {
  readonly procs: QemuProcess[] = [];
  override async launch(e: string, argv: string[], path: string): Promise<QemuProcess> {
    const p = await super.launch(e, argv, path);
    this.procs.push(p);
    return p;
  }
}

async function open(dir: string, launcher: SystemLauncher) {
  const conn = await qemuConnectDriver.open(new URL("qemu:///session"), {
    stateDir: dir,
    launcher,
  }) as DriverConnection;
  const events: string[] = [];
  conn.subscribe!((ev: DriverEvent) => {
    if (ev.eventId === VIR.DOMAIN_EVENT_ID_LIFECYCLE) {
      events.push(`${ev.data.event}/${ev.data.detail}`);
    } else if (ev.eventId === VIR.DOMAIN_EVENT_ID_REBOOT) events.push("REBOOT");
  });
  return { conn, events };
}

/**
 * Runs `fn` with a driver of its own over real QEMU in a fresh state folder; every QEMU it
 * started is killed and the folder removed afterwards, whatever happened.
 */
async function withTapped(
  prefix: string,
  fn: (
    t: Awaited<ReturnType<typeof open>> & { dir: string; launcher: TappedLauncher },
  ) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  const launcher = new TappedLauncher();
  try {
    await fn({ dir, launcher, ...await open(dir, launcher) });
  } finally {
    for (const p of launcher.procs) p.kill("SIGKILL");
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

realQemuTest({
  name: "real QEMU: start, hotplug to 4, live pin, unplug timeout, destroy, crash, re-attach",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "ev-qemu-" });
    const launcher = new TappedLauncher();
    const { conn, events } = await open(dir, launcher);
    const live = VIR.DOMAIN_AFFECT_LIVE;
    try {
      const dom = await conn.domainDefineXMLFlags!(XML, 0);
      let t = performance.now();
      const running = await conn.domainCreateWithFlags!(dom, 0);
      console.log(`start: ${(performance.now() - t).toFixed(0)} ms`);
      assert.deepEqual(await conn.domainGetState!(running, 0), [1, 1]);

      t = performance.now();
      await conn.domainSetVcpusFlags!(running, 4, live);
      console.log(`hotplug 3 vCPUs: ${(performance.now() - t).toFixed(0)} ms`);
      assert.equal(await conn.domainGetVcpusFlags!(running, live), 4);
      assert.equal(await conn.domainGetVcpusFlags!(running, VIR.DOMAIN_AFFECT_CONFIG), 1);
      assert.equal((await conn.domainGetVcpus!(running)).info.length, 4);
      const status = JSON.parse(await Deno.readTextFile(`${dir}/run/rq.status.json`));
      const tids: number[] = status.vcpus.map((v: { tid: number }) => v.tid);
      assert.equal(new Set(tids).size, 4, `distinct thread ids: ${tids}`);
      for (const tid of tids) assert.ok(Deno.statSync(`/proc/${status.pid}/task/${tid}`));

      // A live pin moves the vCPU's thread: the kernel's affinity is what getVcpus reports.
      await conn.domainPinVcpuFlags!(running, 1, [true], live);
      const allowed = (await Deno.readTextFile(`/proc/${status.pid}/task/${tids[1]}/status`))
        .match(/^Cpus_allowed_list:\s*(\S+)/m)?.[1];
      assert.equal(allowed, "0");
      const host = navigator.hardwareConcurrency;
      assert.deepEqual(
        (await conn.domainGetVcpus!(running)).cpumaps[1],
        Array.from({ length: host }, (_, i) => i === 0),
      );
      assert.match(await conn.domainGetXMLDesc!(running, 0), /<vcpupin vcpu='1' cpuset='0'\/>/);

      // No guest OS: QEMU refuses device_del at once (legacy ACPI CPU hotplug).
      const legacy = (await conn.domainSetVcpusFlags!(running, 3, live).catch((e) =>
        e
      )) as VirError;
      assert.equal(legacy.codeName, "VIR_ERR_INTERNAL_ERROR");
      assert.match(legacy.message, /acpi: device unplug request for not supported device type/);

      // Modern mode forced: device_del is accepted, no ACK ever comes: libvirt's 5 s timeout.
      const mon = launcher.procs[0].monitor;
      const acpi = await mon.run<string>("qom-get", { path: "/machine", property: "acpi-device" });
      await mon.run("qom-set", { path: acpi, property: "cpu-hotplug-legacy", value: false });
      t = performance.now();
      const timeout = (await conn.domainSetVcpu!(running, "3", 0, live).catch((e) =>
        e
      )) as VirError;
      const waited = performance.now() - t;
      assert.equal(timeout.codeName, "VIR_ERR_OPERATION_TIMEOUT");
      assert.ok(waited >= 4900 && waited < 6500, `waited ${waited} ms`);
      assert.equal(await conn.domainGetVcpusFlags!(running, live), 4);
      assert.match(
        await conn.domainGetXMLDesc!(running, 0),
        /<vcpu id='3' enabled='yes' hotpluggable='yes' order='4'\/>/,
      );

      events.length = 0;
      await conn.domainDestroyFlags!(running, 0);
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(events, ["6/2", "5/1"]);

      // kill -9: shut off / crashed with STOPPED/FAILED.
      const again = await conn.domainCreateWithFlags!(dom, 0);
      const pid = launcher.procs[1].pid;
      await new Promise((r) => setTimeout(r, 20)); // let the start events through first
      events.length = 0;
      Deno.kill(pid, "SIGKILL");
      await waitFor(async () => (await conn.domainGetState!(again, 0))[0] === VIR.DOMAIN_SHUTOFF);
      assert.deepEqual(await conn.domainGetState!(again, 0), [5, VIR.DOMAIN_SHUTOFF_CRASHED]);
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(events, [`5/${VIR.DOMAIN_EVENT_STOPPED_FAILED}`]);

      // Driver restart: QEMU keeps running and is re-attached with its vCPU state.
      const third = await conn.domainCreateWithFlags!(dom, 0);
      await conn.domainSetVcpusFlags!(third, 2, live);
      await conn.connectClose();
      const reopened = await open(dir, new SystemLauncher());
      const ref = await reopened.conn.domainLookupByName!("rq");
      assert.equal(ref.id, third.id);
      assert.deepEqual(await reopened.conn.domainGetState!(ref, 0), [1, 1]);
      assert.equal(await reopened.conn.domainGetVcpusFlags!(ref, live), 2);
      await reopened.conn.domainSetVcpusFlags!(ref, 3, live);
      await reopened.conn.domainDestroyFlags!(ref, 0);
      await reopened.conn.domainUndefineFlags!(ref, 0);
      await reopened.conn.connectClose();
    } finally {
      for (const p of launcher.procs) p.kill("SIGKILL");
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

const POWER_XML = (extra: string) =>
  `<domain type='qemu'><name>rp</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='q35'>hvm</type></os>${extra}
<devices><memballoon model='none'/></devices></domain>`;

realQemuTest({
  name: "real QEMU without a guest OS: shutdown/reboot/reset as libvirt 9.0, on_reboot destroy",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "ev-qemu-power-" });
    const launcher = new TappedLauncher();
    const { conn, events } = await open(dir, launcher);
    const settle = () => new Promise((r) => setTimeout(r, 300));
    try {
      const dom = await conn.domainCreateXML!(POWER_XML(""), 0);
      await settle();
      events.length = 0;
      // Nobody answers the ACPI button: both calls succeed and the guest keeps running.
      await conn.domainShutdownFlags!(dom, 0);
      await conn.domainReboot!(dom, 0);
      await settle();
      assert.deepEqual(events, []);
      assert.deepEqual(await conn.domainGetState!(dom, 0), [1, 1]);
      // A reset reboots at once; SeaBIOS resets once more itself (libvirt shows 2 REBOOTs).
      await conn.domainReset!(dom, 0);
      await waitFor(() => events.length >= 2);
      assert.ok(events.every((e) => e === "REBOOT"), `${events}`);
      assert.deepEqual(await conn.domainGetState!(dom, 0), [1, 1]);
      await conn.domainDestroyFlags!(dom, 0);

      // on_reboot destroy: set-action reboot=shutdown turns the reset into a host shutdown,
      // and -no-shutdown leaves the ending to the driver: SHUTDOWN/HOST, then STOPPED/SHUTDOWN.
      const d = await conn.domainCreateXML!(POWER_XML("<on_reboot>destroy</on_reboot>"), 0);
      await settle();
      events.length = 0;
      await conn.domainReset!(d, 0);
      await waitFor(() => events.length >= 2);
      await settle();
      assert.deepEqual(events, [
        `${VIR.DOMAIN_EVENT_SHUTDOWN}/${VIR.DOMAIN_EVENT_SHUTDOWN_HOST}`,
        `${VIR.DOMAIN_EVENT_STOPPED}/${VIR.DOMAIN_EVENT_STOPPED_SHUTDOWN}`,
      ]);
      assert.ok(!launcher.procs[1].alive());
      await conn.connectClose();
    } finally {
      for (const p of launcher.procs) p.kill("SIGKILL");
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

/** A PCI device as QMP `query-pci` lists it; a bridge (a root port) holds its own devices. */
interface QueryPciDevice {
  slot: number;
  function: number;
  qdev_id: string;
  pci_bridge?: { devices?: QueryPciDevice[] };
}

/** `alias → parent/slot.function` as QEMU placed the devices (parent: `root` or a bridge id). */
function qemuPlacement(devices: QueryPciDevice[], parent = "root"): Record<string, string> {
  return Object.assign(
    {},
    ...devices.map((d) => ({
      [d.qdev_id]: `${parent}/${d.slot}.${d.function}`,
      ...qemuPlacement(d.pci_bridge?.devices ?? [], d.qdev_id),
    })),
  );
}

/**
 * The disk on the chipset's own controller each machine's test adds, away from the first bus and
 * unit that QEMU would pick by itself: pc's IDE channel 1 unit 1, q35's SATA port 2 (AHCI has a
 * bus per port), as `bus=ide.N` / `unit` must place them.
 */
const CHIPSET_DISK = {
  pc: { xml: "<disk type='file' device='disk'>", target: "hdd' bus='ide", bus: "ide.1", unit: 1 },
  q35: {
    xml: "<disk type='file' device='cdrom'>",
    target: "sdc' bus='sata",
    bus: "ide.2",
    unit: 0,
  },
};

for (const machine of ["pc", "q35"] as const) {
  realQemuTest({
    name: `real QEMU ${machine}: disks, NICs, sound cards, watchdog, RNG, 9p share and balloon ` +
      "sit where the live XML says, disks boot in their order",
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      await withTapped("ev-qemu-pci-", async ({ conn, launcher, dir }) => {
        await Deno.writeFile(`${dir}/disk.img`, new Uint8Array(1 << 20));
        await Deno.writeFile(`${dir}/chipset.img`, new Uint8Array(1 << 20));
        const chipset = CHIPSET_DISK[machine];
        const dom = await conn.domainCreateXML!(
          `<domain type='qemu'><name>pci-${machine}</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='${machine}'>hvm</type></os><devices>
<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${dir}/disk.img'/>
<target dev='vda' bus='virtio'/><boot order='2'/></disk>
${chipset.xml}<source file='${dir}/chipset.img'/><target dev='${chipset.target}'/><boot order='1'/>
</disk>
<interface type='user'><model type='virtio'/></interface><input type='tablet' bus='usb'/>
<interface type='user'><model type='e1000'/></interface>
<sound model='ich9'/><sound model='ac97'/><watchdog model='i6300esb' action='dump'/>
<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
<filesystem type='mount' accessmode='mapped'><source dir='${dir}'/><target dir='share'/>
</filesystem>
</devices></domain>`,
          0,
        );
        const live = await conn.domainGetXMLDesc!(dom, 0);
        const expected: Record<string, string> = {};
        const re =
          /<alias name='([^']+)'\/>\s*<address type='pci' domain='0x0000' bus='(\w+)' slot='(\w+)' function='(\w+)'/g;
        for (const [, alias, bus, slot, fn] of live.matchAll(re)) {
          // The chipset's own IDE/SATA function has no QEMU id to look it up by.
          if (alias === "ide") continue;
          const parent = Number(bus) ? `pci.${Number(bus)}` : "root";
          expected[alias] = `${parent}/${Number(slot)}.${Number(fn)}`;
        }
        for (
          const id of [
            "virtio-disk0",
            "net0",
            "net1",
            "balloon0",
            "usb",
            "sound0",
            "sound1",
            "watchdog0",
            "rng0",
            "fs0",
          ]
        ) {
          assert.ok(expected[id], id);
        }
        // q35 puts the e1000, a conventional PCI device, in a pcie-to-pci-bridge's slot 1.
        if (machine === "q35") assert.match(expected.net1, /^pci\.\d+\/1\.0$/);
        // and the ICH9 sound card where the real chipset has its HD audio.
        if (machine === "q35") assert.equal(expected.sound0, "root/27.0");
        // query-pci follows bridges by bus number, which the firmware assigns as it boots.
        let actual: Record<string, string> = {};
        await waitFor(async () => {
          const pci = await launcher.procs[0].monitor.run<{ devices: QueryPciDevice[] }[]>(
            "query-pci",
          );
          actual = qemuPlacement(pci[0].devices);
          return Object.keys(expected).every((alias) => alias in actual);
        }).catch(() => {});
        for (const [alias, at] of Object.entries(expected)) assert.equal(actual[alias], at, alias);
        // The chipset disk's alias comes from its drive address, the one QEMU must have used.
        const drive = live.match(/<alias name='((?:ide|sata)0-\d-\d)'\/>\s*<address type='drive'/);
        assert.ok(drive, "the chipset disk has a drive address");
        const qom = (id: string, property: string) =>
          launcher.procs[0].monitor.run<string | number>("qom-get", {
            path: `/machine/peripheral/${id}`,
            property,
          });
        assert.ok(String(await qom(drive[1], "parent_bus")).endsWith(`/${chipset.bus}`));
        assert.equal(await qom(drive[1], "unit"), chipset.unit);
        assert.equal(await qom(drive[1], "bootindex"), 1);
        assert.equal(await qom("virtio-disk0", "bootindex"), 2);
        // The sound cards play into the audio backend libvirt names, not one QEMU picks itself.
        assert.equal(await qom("sound0-codec0", "audiodev"), "audio1");
        assert.equal(await qom("sound1", "audiodev"), "audio1");
        // The RNG reads the host's file through its backend object.
        assert.equal(await qom("rng0", "rng"), "/objects/objrng0");
        // The share's tag, the name the guest mounts it by.
        assert.equal(await qom("fs0/virtio-backend", "mount_tag"), "share");
        await conn.domainDestroyFlags!(dom, 0);
        await conn.connectClose();
      });
    },
  });
}

realQemuTest({
  name: "real QEMU q35: a SPICE server on an allocated port with its password, QXL, SPICE " +
    "agent channel and USB redirection",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withTapped("ev-qemu-spice-", async ({ conn, launcher }) => {
      const dom = await conn.domainCreateXML!(
        `<domain type='qemu'><name>spice</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='q35'>hvm</type></os><devices>
<channel type='spicevmc'><target type='virtio' name='com.redhat.spice.0'/></channel>
<graphics type='spice' autoport='yes' passwd='s3cret'><listen type='address'/></graphics>
<video><model type='qxl'/></video>
<redirdev bus='usb' type='spicevmc'/><redirdev bus='usb' type='spicevmc'/>
</devices></domain>`,
        0,
      );
      const live = await conn.domainGetXMLDesc!(dom, VIR.DOMAIN_XML_SECURE);
      // The port the driver allocated and the configured listen address, as libvirt's live XML.
      const m = live.match(
        /<graphics type='spice' port='(\d+)' autoport='yes' listen='127\.0\.0\.1' passwd='s3cret'>/,
      );
      assert.ok(m, live.match(/<graphics[^>]*>/)?.[0]);
      const port = Number(m[1]);
      assert.ok(port >= 5900);
      const monitor = launcher.procs[0].monitor;
      const info = await monitor.run<
        { enabled: boolean; port: number; host: string; auth: string }
      >(
        "query-spice",
      );
      assert.deepEqual([info.enabled, info.port, info.host, info.auth], [
        true,
        port,
        "127.0.0.1",
        "spice",
      ]);
      const qom = (path: string, property: string) =>
        monitor.run<string>("qom-get", { path: `/machine/peripheral/${path}`, property });
      assert.equal(await qom("redir1", "chardev"), "charredir1");
      assert.equal(await qom("video0", "vgamem_mb"), 16);
      // A second domain gets the next free port.
      const other = await conn.domainCreateXML!(
        `<domain type='qemu'><name>spice2</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64'>hvm</type></os><devices><graphics type='spice' autoport='yes'/>
</devices></domain>`,
        0,
      );
      const port2 = Number(
        (await conn.domainGetXMLDesc!(other, 0)).match(/<graphics type='spice' port='(\d+)'/)?.[1],
      );
      assert.ok(port2 > 0 && port2 !== port, `${port2}`);
      await conn.domainDestroyFlags!(other, 0);
      await conn.domainDestroyFlags!(dom, 0);
      await conn.connectClose();
    });
  },
});

realQemuTest({
  // PCI hotplug on i440fx needs ACPI.
  name: "real QEMU: a virtio RNG plugged into a running domain reads the host's file; a " +
    "watchdog plugs in",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withTapped("ev-qemu-rng-", async ({ conn, launcher }) => {
      const dom = await conn.domainCreateXML!(
        `<domain type='qemu'><name>rng</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features><devices/>
</domain>`,
        0,
      );
      await conn.domainAttachDeviceFlags!(
        dom,
        "<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>",
        VIR.DOMAIN_AFFECT_LIVE,
      );
      const live = await conn.domainGetXMLDesc!(dom, 0);
      const slot = Number(
        live.match(
          /<alias name='rng0'\/>\s*<address type='pci' domain='0x0000' bus='0x00' slot='(\w+)'/,
        )
          ?.[1],
      );
      const monitor = launcher.procs[0].monitor;
      const pci = await monitor.run<{ devices: QueryPciDevice[] }[]>("query-pci");
      assert.equal(qemuPlacement(pci[0].devices).rng0, `root/${slot}.0`);
      assert.equal(
        await monitor.run("qom-get", { path: "/objects/objrng0", property: "filename" }),
        "/dev/urandom",
      );
      // A watchdog too: QEMU takes its action and the device.
      await conn.domainAttachDeviceFlags!(
        dom,
        "<watchdog model='i6300esb' action='poweroff'/>",
        VIR.DOMAIN_AFFECT_LIVE,
      );
      const after = await monitor.run<{ devices: QueryPciDevice[] }[]>("query-pci");
      assert.ok(qemuPlacement(after[0].devices).watchdog0);
      await conn.domainDestroyFlags!(dom, 0);
      await conn.connectClose();
    });
  },
});

realQemuTest({
  name: "real QEMU: a guest defined for memory hotplug starts with its slots and maximum",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withTapped("ev-qemu-maxmem-", async ({ conn, launcher }) => {
      const dom = await conn.domainCreateXML!(
        `<domain type='qemu'><name>maxmem</name><maxMemory slots='4' unit='MiB'>512</maxMemory>
<memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os>
<cpu><numa><cell id='0' cpus='0' memory='64' unit='MiB'/></numa></cpu><devices/></domain>`,
        0,
      );
      const cmdline = Deno.readTextFileSync(`/proc/${launcher.procs[0].pid}/cmdline`).split("\0");
      assert.equal(cmdline[cmdline.indexOf("-m") + 1], "size=65536k,slots=4,maxmem=524288k");
      const summary = await launcher.procs[0].monitor.run<{ "base-memory": number }>(
        "query-memory-size-summary",
      );
      assert.equal(summary["base-memory"], 64 << 20);
      await conn.domainDestroyFlags!(dom, 0);
      await conn.connectClose();
    }),
});
