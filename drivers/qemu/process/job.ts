/**
 * A domain job (libvirt's `virDomainObjBeginJob`): one modifying operation at a time per
 * domain, queued in call order.
 *
 * @module
 */
import { SerialQueue } from "../../../util/serial.ts";

/**
 * A FIFO mutex for one domain.
 *
 * @example
 * ```ts
 * import { DomainJob } from "./job.ts";
 * const job = new DomainJob();
 * const result = await job.run(async () => 42);
 * ```
 */
export class DomainJob extends SerialQueue {}
