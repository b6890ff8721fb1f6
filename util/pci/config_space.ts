/**
 * A PCI device's config space file (`/sys/bus/pci/devices/…/config`) as `virpci.c` reads and
 * writes it: a few bytes at a time (every byte read from sysfs is a config cycle, a VM exit in
 * a guest, so the whole space is never read needlessly), little-endian, and the capability list
 * walked as `virPCIDeviceFindCapabilityOffset` walks it.
 *
 * @module
 */

const PCI_STATUS = 0x06;
const PCI_STATUS_CAP_LIST = 0x10;
const PCI_CAPABILITY_LIST = 0x34;
const PCI_CONF_HEADER_LEN = 0x40;

/**
 * An open config space.
 *
 * @example
 * ```ts
 * import { ConfigSpace } from "./config_space.ts";
 * const cfg = new ConfigSpace(Deno.openSync("/sys/bus/pci/devices/0000:00:00.0/config"));
 * cfg.read(0, 2); // the vendor ID
 * cfg.close();
 * ```
 */
export class ConfigSpace {
  /** The file's size: 256 for conventional PCI, 4096 for PCI Express (64 unprivileged). */
  readonly length: number;
  constructor(readonly file: Deno.FsFile) {
    this.length = file.statSync().size;
  }

  /** `len` bytes at `pos`, or undefined on a short or failed read (libvirt's errno). */
  bytes(pos: number, len: number): Uint8Array | undefined {
    if (pos + len > this.length) return undefined;
    const buf = new Uint8Array(len);
    try {
      this.file.seekSync(pos, Deno.SeekMode.Start);
      let got = 0;
      while (got < len) {
        const n = this.file.readSync(buf.subarray(got));
        if (!n) return undefined;
        got += n;
      }
    } catch {
      return undefined;
    }
    return buf;
  }

  /** A little-endian value of `len` bytes at `pos`, or undefined when it cannot be read. */
  read(pos: number, len: number): number | undefined {
    const buf = this.bytes(pos, len);
    if (!buf) return undefined;
    let v = 0;
    for (let i = len - 1; i >= 0; i--) v = v * 256 + buf[i];
    return v;
  }

  /** Writes `data` at `pos`; false when the write fails or is short. */
  writeBytes(pos: number, data: Uint8Array): boolean {
    try {
      this.file.seekSync(pos, Deno.SeekMode.Start);
      let put = 0;
      while (put < data.length) put += this.file.writeSync(data.subarray(put));
      return true;
    } catch {
      return false;
    }
  }

  /** Writes `value` as `len` little-endian bytes at `pos` (libvirt ignores these failures). */
  write(pos: number, len: number, value: number): void {
    const buf = new Uint8Array(len);
    for (let i = 0; i < len; i++) buf[i] = Math.floor(value / 256 ** i) % 256;
    this.writeBytes(pos, buf);
  }

  /**
   * `virPCIDeviceFindCapabilityOffset`: the offset of capability `id`, 0 when the list ends
   * without it, undefined when the list cannot be walked (no list, a failed read).
   */
  capability(id: number): number | undefined {
    const status = this.read(PCI_STATUS, 2);
    if (status === undefined || !(status & PCI_STATUS_CAP_LIST)) return undefined;
    let pos = this.read(PCI_CAPABILITY_LIST, 1);
    // libvirt does not guard against a looping list; 48 steps is the most a 256-byte space holds.
    for (let ttl = 48; pos !== undefined && pos >= PCI_CONF_HEADER_LEN && pos !== 0xff; ttl--) {
      if (ttl === 0) return undefined;
      const cap = this.read(pos, 1);
      if (cap === undefined) return undefined;
      if (cap === id) return pos;
      pos = this.read(pos + 1, 1);
    }
    return pos === undefined ? undefined : 0;
  }

  /** Closes the file. */
  close(): void {
    this.file.close();
  }
}
