/**
 * libvirt's port allocators (`virPortAllocatorRange`): ports of a range handed out to one user at
 * a time in this process, skipping any the host already has bound.
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";

/**
 * One named range of ports.
 *
 * @example
 * ```ts
 * import { PortRange } from "./port_range.ts";
 * const range = new PortRange("display", 5900, 65535);
 * const port = range.acquire();
 * range.release(port);
 * ```
 */
export class PortRange {
  readonly #used = new Set<number>();

  constructor(readonly name: string, readonly min: number, readonly max: number) {}

  /** `virPortAllocatorAcquire`: the first port neither handed out nor bound on the host. */
  acquire(): number {
    for (let port = this.min; port <= this.max; port++) {
      if (this.#used.has(port)) continue;
      try {
        Deno.listen({ hostname: "0.0.0.0", port }).close();
      } catch (err) {
        // Only a port in use is skipped; any other failure is the allocator's.
        if (err instanceof Deno.errors.AddrInUse) continue;
        throw err;
      }
      this.#used.add(port);
      return port;
    }
    throw VirError.report(
      "NONE",
      "INTERNAL_ERROR",
      `Unable to find an unused port in range '${this.name}' (${this.min}-${this.max})`,
    );
  }

  /** `virPortAllocatorSetUsed`: a port a definition names itself, kept from others. */
  setUsed(port: number): void {
    if (port >= this.min && port <= this.max) this.#used.add(port);
  }

  /** `virPortAllocatorRelease`. */
  release(port: number): void {
    this.#used.delete(port);
  }
}

/** libvirt's `remote_display_port_min`/`max`: where SPICE ports come from. */
export const DISPLAY_PORTS: PortRange = new PortRange("display", 5900, 65535);
