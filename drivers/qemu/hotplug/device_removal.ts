/**
 * Waiting for QEMU to finish an unplug (libvirt's `priv->unplug`): one alias at a time, since
 * the domain job serializes unplugs; DEVICE_DELETED or DEVICE_UNPLUG_GUEST_ERROR for that alias
 * wakes the waiter.
 *
 * @module
 */

/** How a wait for a device removal ended. */
export type RemovalOutcome = "removed" | "timeout" | "rejected";

/**
 * The pending-unplug slot of one domain.
 *
 * @example
 * ```ts
 * import { DeviceRemovalTracker } from "./device_removal.ts";
 * const t = new DeviceRemovalTracker();
 * t.mark("vcpu3");
 * setTimeout(() => t.signal("vcpu3", "removed"), 10);
 * const outcome = await t.wait(5000); // "removed"
 * ```
 */
export class DeviceRemovalTracker {
  #alias?: string;
  #outcome: RemovalOutcome = "removed";
  #wake?: () => void;

  /** The alias being waited for, if any. */
  get alias(): string | undefined {
    return this.#alias;
  }

  /** Starts tracking `alias`; call before `device_del` so an early event is not missed. */
  mark(alias: string): void {
    this.#alias = alias;
    this.#outcome = "removed";
  }

  /** Stops tracking; a later event for the alias is then a late one. */
  reset(): void {
    this.#alias = undefined;
    this.#wake = undefined;
  }

  /**
   * Reports the end of an unplug. True when the tracked alias matched (the waiting job
   * finishes the removal); false when nobody waits for it any more.
   */
  signal(alias: string, outcome: "removed" | "rejected"): boolean {
    if (this.#alias === undefined || this.#alias !== alias) return false;
    this.#alias = undefined;
    this.#outcome = outcome;
    this.#wake?.();
    return true;
  }

  /** Waits up to `timeoutMs` for {@link signal}. */
  wait(timeoutMs: number): Promise<RemovalOutcome> {
    if (this.#alias === undefined) return Promise.resolve(this.#outcome);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        resolve("timeout");
      }, timeoutMs);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve(this.#outcome);
      };
    });
  }
}
