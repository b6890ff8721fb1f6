/**
 * What QEMU 7.2 does after `device_del` of a PCI (or SCSI, USB) device, for the fake device
 * models ({@link FakeBlockDevices}, {@link FakeNics}): DEVICE_DELETED after the unplug policy, a
 * virtio device's backend child reported first, by path only.
 *
 * @module
 */
import type { FakeQemu, FakeReply, UnplugPolicy } from "./fake_qemu.ts";

/**
 * The unplugs of one device model: `forget(id)` drops the device from the model and gives its
 * driver name (undefined when unknown).
 *
 * @example
 * ```ts
 * import { FakeUnplugs } from "./fake_unplug.ts";
 * const devices = new Map([["net1", "virtio-net-pci"]]);
 * const unplugs = new FakeUnplugs(() => undefined, "ack", (id) => {
 *   const driver = devices.get(id);
 *   devices.delete(id);
 *   return driver;
 * });
 * unplugs.request("net1"); // { return: {} }, then DEVICE_DELETED
 * ```
 */
export class FakeUnplugs {
  #held: string[] = [];
  #fake: () => FakeQemu | undefined;
  #policy: UnplugPolicy;
  #forget: (id: string) => string | undefined;

  constructor(
    fake: () => FakeQemu | undefined,
    policy: UnplugPolicy | undefined,
    forget: (id: string) => string | undefined,
  ) {
    this.#fake = fake;
    this.#policy = policy ?? "ack";
    this.#forget = forget;
  }

  /** `device_del` of `id`, answered as QEMU does under the policy. */
  request(id: string): FakeReply {
    const policy = this.#policy;
    if (policy === "ack" || policy === "lost") {
      setTimeout(() => policy === "ack" ? this.#deleted(id) : this.#forget(id), 5);
    } else if (policy === "hold") this.#held.push(id);
    else if (policy === "reject") {
      setTimeout(
        () =>
          this.#fake()?.emit("DEVICE_UNPLUG_GUEST_ERROR", {
            device: id,
            path: `/machine/peripheral/${id}`,
          }),
        5,
      );
    } else {
      return { error: { class: "GenericError", desc: "Bus 'pci.0' does not support hotplugging" } };
    }
    return { return: {} };
  }

  /** Sends the DEVICE_DELETED of every unplug held back (policy `hold`). */
  release(): void {
    for (const id of this.#held.splice(0)) this.#deleted(id);
  }

  #deleted(id: string): void {
    const driver = this.#forget(id);
    if (driver?.startsWith("virtio")) {
      this.#fake()?.emit("DEVICE_DELETED", { path: `/machine/peripheral/${id}/virtio-backend` });
    }
    this.#fake()?.emit("DEVICE_DELETED", { device: id, path: `/machine/peripheral/${id}` });
  }
}
