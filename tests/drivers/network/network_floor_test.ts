/**
 * Network ports with an inbound `floor` against libvirt 9.0: the steps of
 * fixtures/floor_cases/steps.json (port create, parameter changes, delete, a daemon restart,
 * network restarts) replayed on the network driver over a fake host, compared with what a root
 * libvirtd answered (fixtures/libvirt_floor/steps.expected.json, recorded by
 * `tests/tools/record_network_libvirt.sh --floor`): the `tc` commands in order, the error
 * (code, domain, message), the port's XML (its `classID`), and the floor state of the network's
 * status file (`<class_id bitmap=…/>`, `<floor sum=…/>`). The `tc` a recorded error names fails
 * here with the kernel's words; every other one succeeds.
 */
import assert from "node:assert/strict";
import { networkDriver } from "../../../drivers/network/mod.ts";
import type { CommandResult } from "../../../drivers/network/runner.ts";
import { VirError } from "../../../util/errors.ts";
import { withRoot } from "../secondary_helpers.ts";
import { FakeHost } from "./fake_runner.ts";

const fixtures = new URL("./fixtures/", import.meta.url);
const read = (path: string) => Deno.readTextFile(new URL(path, fixtures));

interface Step {
  name: string;
  op: "start" | "destroy" | "restart" | "create" | "set" | "delete";
  network: string;
  params?: Record<string, number>;
}

interface Recorded {
  name: string;
  tc: string[][];
  code?: number;
  domain?: number;
  message?: string;
  uuid?: string;
  xml?: string;
  port?: string;
  status: string[] | null;
}

/** The floor state lines of a status file, as the recorder picks them. */
const statusHead = (text: string) => text.match(/<class_id [^>]*\/>|<floor [^>]*\/>/g) ?? [];

/** The kernel's refusal of the `tc` a recorded error names. */
function failureOf(r: Recorded): [string, CommandResult] | undefined {
  const m = r.message?.match(/Child process \((tc .*?)\) unexpected exit status (\d+): ([^]*)$/);
  return m ? [m[1], { code: Number(m[2]), stdout: "", stderr: m[3] }] : undefined;
}

Deno.test("floor ports: libvirt 9.0's tc commands, errors, port XML and status, step by step", async (t) => {
  const steps = JSON.parse(await read("floor_cases/steps.json")) as Step[];
  const recorded = JSON.parse(await read("libvirt_floor/steps.expected.json")) as Recorded[];
  assert.equal(recorded.length, steps.length);
  await withRoot(async (root) => {
    const host = new FakeHost();
    const open = () =>
      networkDriver.open(new URL(`qemu:///embed?root=${root}`), { networkRunner: host });
    let conn = await open();
    try {
      for (const [i, step] of steps.entries()) {
        const want = recorded[i];
        await t.step(step.name, async () => {
          host.answers.clear();
          const failure = failureOf(want);
          if (failure) host.answers.set(...failure);
          host.take();
          const got: Partial<Recorded> = {};
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
          const tc = host.take().filter((c) => c.startsWith("tc ")).map((c) =>
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
        });
      }
    } finally {
      await conn.connectClose();
    }
  });
});
