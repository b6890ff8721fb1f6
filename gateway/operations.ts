/**
 * Long operations as resources, Incus's model: a request that starts one (a QEMU domain's
 * start, a save, a snapshot) answers `202 Accepted` with the operation and a `Location`;
 * `GET /v1/operations/{id}` reports its status and progress, `?wait=SECONDS` holds the answer
 * until it ends (or the time is up), and `DELETE` cancels it where libvirt can (an aborted job),
 * else refuses with libvirt's error. Finished operations are kept for a while for late readers.
 *
 * @example
 * ```ts
 * import { OperationTable } from "./operations.ts";
 * const ops = new OperationTable();
 * const op = ops.start({ owner: "admin", description: "start domain web-1", resource: "/v1/test/default/domains/web-1", run: () => Promise.resolve() });
 * await ops.wait(op.id, 1);
 * ops.view(op.id).status; // "success"
 * ```
 * @module
 */
import { VirError, type VirErrorJSON } from "../util/errors.ts";
import { asVirError } from "./http_status.ts";

/** An operation's life: Incus's status names and codes. */
export type OperationStatus = "running" | "success" | "failure" | "cancelled";

const STATUS_CODE: Record<OperationStatus, number> = {
  running: 103,
  success: 200,
  failure: 400,
  cancelled: 401,
};

/** What `GET /v1/operations/{id}` answers. */
export interface OperationView {
  id: string;
  description: string;
  /** The object the operation acts on, as a REST path. */
  resource: string;
  status: OperationStatus;
  statusCode: number;
  createdAt: string;
  updatedAt: string;
  mayCancel: boolean;
  /** Progress as the driver reports it (a job's processed and total bytes), when it does. */
  progress?: Record<string, unknown>;
  result?: unknown;
  /** The libvirt error it ended with. */
  error?: VirErrorJSON;
}

/** What an operation runs. */
export interface OperationSpec {
  /** Who started it: only they see and cancel it. */
  owner: string;
  description: string;
  resource: string;
  run: () => Promise<unknown>;
  /** Cancels the running work (libvirt's job abort); absent when libvirt cannot. */
  cancel?: () => Promise<void>;
  /** The current progress, polled while it runs. */
  progress?: () => Promise<Record<string, unknown> | undefined>;
}

interface Entry {
  spec: OperationSpec;
  view: OperationView;
  done: Promise<void>;
}

/** How long a finished operation stays readable. */
const KEEP_MS = 5 * 60_000;

/** The gateway's operations. */
export class OperationTable {
  readonly #ops = new Map<string, Entry>();

  /** Starts `spec.run` now; the operation is running until it settles. */
  start(spec: OperationSpec): OperationView {
    this.#expire();
    const now = new Date().toISOString();
    const view: OperationView = {
      id: crypto.randomUUID(),
      description: spec.description,
      resource: spec.resource,
      status: "running",
      statusCode: STATUS_CODE.running,
      createdAt: now,
      updatedAt: now,
      mayCancel: spec.cancel !== undefined,
    };
    const settle = (status: OperationStatus, out: { result?: unknown; error?: VirError }) => {
      // A cancel may have settled it first.
      if (view.status !== "running") return;
      Object.assign(view, { status, statusCode: STATUS_CODE[status], mayCancel: false });
      view.updatedAt = new Date().toISOString();
      if (out.result !== undefined) view.result = out.result;
      if (out.error) view.error = out.error.toJSON();
    };
    const done = spec.run().then(
      (result) => settle("success", { result }),
      (e) => settle("failure", { error: asVirError(e) }),
    );
    this.#ops.set(view.id, { spec, view, done });
    return { ...view };
  }

  /** The operation `id` as `owner` may see it; libvirt's "no such" error otherwise. */
  async get(id: string, owner: string): Promise<OperationView> {
    const entry = this.#entry(id, owner);
    if (entry.view.status === "running" && entry.spec.progress) {
      entry.view.progress = await entry.spec.progress().catch(() => undefined);
    }
    return { ...entry.view };
  }

  /** The operation once it ended, or after `seconds` if still running. */
  async wait(id: string, seconds: number, owner?: string): Promise<void> {
    const entry = owner === undefined ? this.#ops.get(id) : this.#entry(id, owner);
    if (!entry) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((r) => (timer = setTimeout(r, seconds * 1000)));
    await Promise.race([entry.done, timeout]);
    clearTimeout(timer);
  }

  /** Cancels a running operation through libvirt; refuses one libvirt cannot cancel. */
  async cancel(id: string, owner: string): Promise<OperationView> {
    const entry = this.#entry(id, owner);
    const { view, spec } = entry;
    if (view.status !== "running") {
      throw VirError.report(
        "RPC",
        "OPERATION_INVALID",
        `operation ${id} has ended (${view.status})`,
      );
    }
    if (!spec.cancel) {
      throw VirError.report(
        "RPC",
        "OPERATION_INVALID",
        `'${view.description}' cannot be cancelled`,
      );
    }
    await spec.cancel();
    await entry.done;
    // The aborted call failed; that failure is the cancellation asked for.
    if ((view.status as OperationStatus) === "failure") {
      Object.assign(view, { status: "cancelled", statusCode: STATUS_CODE.cancelled });
    }
    return { ...view };
  }

  /** Whether `owner` has an operation `id` (another caller's is as absent as a missing one). */
  owns(id: string, owner: string): boolean {
    return this.#ops.get(id)?.spec.owner === owner;
  }

  /** The ids of `owner`'s operations. */
  list(owner: string): string[] {
    this.#expire();
    return [...this.#ops.values()].filter((e) => e.spec.owner === owner).map((e) => e.view.id);
  }

  /** A plain view for tests and the example: no owner check. */
  view(id: string): OperationView {
    return { ...this.#ops.get(id)!.view };
  }

  #entry(id: string, owner: string): Entry {
    if (!this.owns(id, owner)) throw new Error(`no operation '${id}' of ${owner}`);
    return this.#ops.get(id)!;
  }

  #expire(): void {
    const old = Date.now() - KEEP_MS;
    for (const [id, e] of this.#ops) {
      if (e.view.status !== "running" && Date.parse(e.view.updatedAt) < old) this.#ops.delete(id);
    }
  }
}
