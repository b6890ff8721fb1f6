// libvirt 9.0's own answers to the vCPU unplug/plug races, replayed against edgevirt. The cases
// (fixtures/vcpu_races/cases.json) were run through libvirt 9.0's QEMU driver with a QMP proxy in
// front of real QEMU 7.2 (tests/tools/vcpu_race/record_vcpu_races.py → libvirt-9.0.json); here the
// same steps run through the same proxy (fake_qmp/race_proxy.ts) in front of the fake QEMU, and
// every call's error (code, domain, message) and every live <vcpus> ([enabled, order] per vCPU)
// must be libvirt's. libvirt waits 5 s for DEVICE_DELETED; the replay waits 300 ms.
//
// Steps: {"setVcpu": id, "state": 0|1} and {"setVcpus": n} (AFFECT_LIVE), {"background": call}
// and {"join": true}, {"policy": [...]}, {"release"|"forge"|"notid": alias}, {"waitHeld": alias},
// {"settle": true} (late events processed), {"xml": true}.
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  setVcpuInternal,
  setVcpusInternal,
  startupVcpus,
} from "../../../drivers/qemu/hotplug/mod.ts";
import { QemuMonitor, QmpClient } from "../../../drivers/qemu/monitor/mod.ts";
import { FakeQemu } from "../../../drivers/qemu/testing/mod.ts";
import { VirError } from "../../../util/errors.ts";
import { FIXTURES } from "../../paths.ts";
import { controllerFor, vcpuList, waitFor } from "./fake_qmp/harness.ts";
import { type RacePolicy, RaceProxy } from "./fake_qmp/race_proxy.ts";

const DIR = join(FIXTURES, "vcpu_races");

interface Step {
  setVcpu?: number;
  state?: number;
  setVcpus?: number;
  background?: Step;
  join?: boolean;
  policy?: RacePolicy[];
  release?: string;
  forge?: string;
  notid?: string;
  waitHeld?: string;
  settle?: boolean;
  xml?: boolean;
}

interface Case {
  name: string;
  start?: number;
  steps: Step[];
}

type Observation = { call: [number, number, string] | null } | { vcpus: [boolean, number][] };

const cases = JSON.parse(Deno.readTextFileSync(join(DIR, "cases.json"))) as Case[];
const recorded = JSON.parse(Deno.readTextFileSync(join(DIR, "libvirt-9.0.json"))) as {
  cases: Record<string, Observation[]>;
};

/** The q35 domain of the recording: 4 sockets, vCPU 0 present, 1-3 hotpluggable. */
async function domain() {
  const qemu = new FakeQemu({ sockets: 4, bootCpus: 1 });
  const proxy = new RaceProxy(qemu.connect());
  const qmp = await QmpClient.open(proxy.connect());
  const rig = controllerFor(vcpuList("N---"), new QemuMonitor(qmp), qemu.pid, undefined, 300);
  qmp.onEvent((ev) => rig.ctl.handleEvent(ev));
  await startupVcpus(rig.ctl.ctx);
  return { ...rig, proxy, close: () => qmp.close() };
}

async function play(c: Case): Promise<Observation[]> {
  const d = await domain();
  const ctx = d.ctl.ctx;
  const call = async (step: Step): Promise<Observation> => {
    try {
      await d.job.run(() =>
        step.setVcpus !== undefined
          ? setVcpusInternal(ctx, undefined, step.setVcpus, false)
          : setVcpuInternal(ctx, undefined, [step.setVcpu!], step.state === 1)
      );
      return { call: null };
    } catch (e) {
      assert.ok(e instanceof VirError, `${c.name}: not a VirError: ${e}`);
      return { call: [e.code, e.domain, e.message] };
    }
  };
  if ((c.start ?? 4) === 4) await call({ setVcpus: 4 });
  const out: Observation[] = [];
  let background: Promise<Observation> | undefined;
  for (const step of c.steps) {
    if (step.setVcpu !== undefined || step.setVcpus !== undefined) out.push(await call(step));
    else if (step.background) background = call(step.background);
    else if (step.join) out.push(await background!);
    else if (step.waitHeld) await waitFor(() => d.proxy.held(step.waitHeld!));
    else if (step.settle) {
      // As the recording's pause: late removals run, unless a job holds them back.
      await new Promise((r) => setTimeout(r, 5));
      await Promise.race([d.ctl.settled(), new Promise((r) => setTimeout(r, 50))]);
    } else if (step.xml) {
      out.push({ vcpus: d.vm.vcpus.map((v) => [v.online, v.order] as [boolean, number]) });
    } else if (step.policy) d.proxy.policy(step.policy);
    else if (step.release) d.proxy.release(step.release);
    else if (step.forge) d.proxy.forge(step.forge);
    else if (step.notid) d.proxy.notid(step.notid);
    else throw new Error(`${c.name}: unknown step ${JSON.stringify(step)}`);
  }
  await d.close();
  return out;
}

for (const c of cases) {
  Deno.test(`libvirt 9.0 recording: ${c.name}`, async () => {
    assert.ok(recorded.cases[c.name], `no recording for ${c.name}`);
    assert.deepEqual(await play(c), recorded.cases[c.name]);
  });
}
