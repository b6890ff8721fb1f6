/**
 * What QEMU really gave the devices whose host side it picks, written into the live definition
 * (libvirt's `qemuProcessRefreshChrs` / `qemuProcessFindCharDevicePTYsMonitor` for pty paths):
 * each pty serial's and pty channel's `/dev/pts/N` from `query-chardev`, and the VNC port from `query-vnc` (QEMU
 * takes the first free display from 5900 for an autoport server) and the address it listens on,
 * and the memory devices' addresses and sizes (see `memory_devices_live.ts`).
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { child, element, type XmlElement } from "../../util/xml/mod.ts";
import type { QemuMonitor } from "./monitor/qemu_monitor.ts";
import { refreshMemoryDevices } from "./memory_devices_live.ts";

/** One entry of QMP `query-chardev`. */
interface ChardevInfo {
  label: string;
  /** `pty:/dev/pts/N` for a pty. */
  filename: string;
}

/** QMP `query-vnc` (the fields used). */
interface VncInfo {
  enabled: boolean;
  /** `unix` for a socket, whose path is then the service. */
  family?: string;
  host?: string;
  service?: string;
}

/** Sets `<source path>` of a chardev element, keeping its other children in place. */
function setSourcePath(dev: XmlElement, path: string): void {
  const source = child(dev, "source");
  if (source) source.attributes = { ...source.attributes, path };
  else dev.children.unshift(element("source", { path }));
}

/**
 * Fills `def` (a running domain's live definition) with the pty paths and VNC port QEMU chose.
 * The command line names serial `i`'s chardev `charserial<i>`; the console of an x86 guest is a
 * view of serial 0 and shows its path twice, as `tty=` and `<source path>` (libvirt's legacy
 * console syntax).
 *
 * @example
 * ```ts
 * import { refreshLiveDevices } from "./live_devices.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * import type { QemuMonitor } from "./monitor/qemu_monitor.ts";
import { refreshMemoryDevices } from "./memory_devices_live.ts";
 * declare const def: DomainDef, monitor: QemuMonitor;
 * await refreshLiveDevices(def, monitor);
 * ```
 */
export async function refreshLiveDevices(def: DomainDef, monitor: QemuMonitor): Promise<void> {
  const other = def.devices.other;
  const serials = other.filter((d) => d.name === "serial");
  const ptyChannels = other.filter((d) => d.name === "channel" && d.attributes.type === "pty");
  if (serials.some((s) => (s.attributes.type ?? "pty") === "pty") || ptyChannels.length) {
    const chardevs = await monitor.run<ChardevInfo[]>("query-chardev");
    const ptys = new Map(
      chardevs.filter((c) => c.filename.startsWith("pty:")).map((c) => [c.label, c.filename]),
    );
    for (const channel of ptyChannels) {
      const path = ptys.get(`char${child(channel, "alias")?.attributes.name}`);
      if (path) setSourcePath(channel, path.slice("pty:".length));
    }
    serials.forEach((serial, i) => {
      const path = ptys.get(`charserial${i}`)?.slice("pty:".length);
      if (!path) return;
      setSourcePath(serial, path);
      if (i !== 0) return;
      for (const console of other.filter((d) => d.name === "console")) {
        if (child(console, "target")?.attributes.type !== "serial") continue;
        console.attributes = { type: "pty", tty: path };
        setSourcePath(console, path);
      }
    });
  }
  await refreshMemoryDevices(def, monitor);
  const vnc = other.find((d) => d.name === "graphics" && d.attributes.type === "vnc");
  if (vnc) {
    const info = await monitor.run<VncInfo>("query-vnc");
    // A unix socket has no port: its path is already the definition's.
    if (!info.enabled || !info.service || info.family === "unix") return;
    // The address QEMU listens on, on the element and its <listen> as libvirt fills them in.
    const listen = vnc.attributes.listen ?? info.host;
    vnc.attributes = { ...vnc.attributes, port: info.service, listen };
    const address = child(vnc, "listen");
    if (address?.attributes.type === "address" && !address.attributes.address && listen) {
      address.attributes = { ...address.attributes, address: listen };
    }
  }
}
