/**
 * The replay of libvirt 9.0's floor recording (fixtures/floor_cases/steps.json, answered in
 * fixtures/libvirt_floor/steps.expected.json by `tests/tools/record_network_libvirt.sh
 * --floor`): each step (network start/destroy, port create, parameter change, delete, a driver
 * restart) run on the network driver, then compared with libvirt's answer: the `tc` commands in
 * order, the error (code, domain, message), the port's XML (its `classID`), and the floor state
 * of the network's status file (`<class_id bitmap=…/>`, `<floor sum=…/>`). The caller gives
 * the host (fake or real) and may check more after each step.
 *
 * @module
 */
import assert from "node:assert/strict";
import { networkDriver } from "../../../drivers/network/mod.ts";
import type { HostRunner } from "../../../drivers/network/runner.ts";
import { VirError } from "../../../util/errors.ts";

const fixtures = new URL("./fixtures/", import.meta.url);
const read = (path: string) => Deno.readTextFile(new URL(path, fixtures));

/** One step of steps.json. */
export interface FloorStep {
  name: string;
  op: "start" | "destroy" | "restart" | "create" | "set" | "delete";
  network: string;
  params?: Record<string, number>;
  /** The kernel's own refusal of sfq is wanted (the recording's tc stands pfifo in else). */
  realSfq?: boolean;
}

/** What libvirt answered to one step. */
export interface FloorRecord {
  name: string;
  tc: string[][];
  code?: number;
  domain?: number;
  message?: string;
  uuid?: string;
  xml?: string;
  port?: string;
  status: string[] | null;
  /** `tc class show dev BRIDGE` after the step. */
  class: string;
  /** `tc filter show dev BRIDGE` after the step. */
  filter: string;
}

/** The bridge of a recorded network. */
export async function bridgeOf(network: string): Promise<string> {
  return (await read(`floor_cases/${network}.xml`)).match(/<bridge name='([^']+)'/)![1];
}

/** The floor state lines of a status file, as the recorder picks them. */
const statusHead = (text: string) => text.match(/<class_id [^>]*\/>|<floor [^>]*\/>/g) ?? [];

/** How one replay runs. */
export interface FloorReplay {
  /** The host the driver runs its commands on. */
  host: HostRunner;
  /** The commands run since the last call, one string each. */
  take(): string[];
  /** Called before each step (to set up what the host answers). */
  before?(step: FloorStep, want: FloorRecord): void;
  /** More checks after each step. */
  after?(step: FloorStep, want: FloorRecord): Promise<void>;
}

/**
 * Replays every recorded step as a test step of `t`, on a driver whose files are under `root`.
 *
 * @example
 * ```ts ignore
 * await replayFloor(t, root, { host, take: () => host.take() });
 * ```
 */
export async function replayFloor(
  t: Deno.TestContext,
  root: string,
  replay: FloorReplay,
): Promise<void> {
  const steps = JSON.parse(await read("floor_cases/steps.json")) as FloorStep[];
  const recorded = JSON.parse(await read("libvirt_floor/steps.expected.json")) as FloorRecord[];
  assert.equal(recorded.length, steps.length);
  const open = () =>
    networkDriver.open(new URL(`qemu:///embed?root=${root}`), { networkRunner: replay.host });
  let conn = await open();
  try {
    for (const [i, step] of steps.entries()) {
      const want = recorded[i];
      await t.step(step.name, async () => {
        replay.before?.(step, want);
        replay.take();
        const got: Partial<FloorRecord> = {};
        try {
          const net = () => conn.networkLookupByName!(step.network);
          const port = async () => conn.networkPortLookupByUUID!(await net(), want.uuid!);
          switch (step.op) {
            case "start":
              await conn.networkCreateXML!(await read(`floor_cases/${step.network}.xml`), 0);
              break;
            case "destroy":
              await conn.networkDestroy!(await net());
              break;
            case "restart":
              await conn.connectClose();
              conn = await open();
              break;
            case "create": {
              const p = await conn.networkPortCreateXML!(await net(), want.xml!, 0);
              got.port = await conn.networkPortGetXMLDesc!(p, 0);
              break;
            }
            case "set": {
              const p = await port();
              await conn.networkPortSetParameters!(p, step.params!, 0);
              got.port = await conn.networkPortGetXMLDesc!(p, 0);
              break;
            }
            case "delete":
              await conn.networkPortDelete!(await port(), 0);
              break;
          }
        } catch (e) {
          if (!(e instanceof VirError)) throw e;
          Object.assign(got, { code: e.code, domain: e.domain, message: e.message });
        }
        const tc = replay.take().filter((c) => c.startsWith("tc ")).map((c) =>
          c.split(" ").slice(1)
        );
        assert.deepEqual(tc, want.tc);
        assert.deepEqual(
          [got.code, got.domain, got.message],
          [want.code, want.domain, want.message],
        );
        assert.equal(got.port, want.port);
        const status = await Deno.readTextFile(`${root}/run/network/${step.network}.xml`)
          .then(statusHead, () => null);
        assert.deepEqual(status, want.status);
        await replay.after?.(step, want);
      });
    }
  } finally {
    await conn.connectClose();
  }
}
