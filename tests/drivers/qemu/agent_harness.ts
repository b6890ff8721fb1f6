// A domain with the guest agent's channel on a fake QEMU, and the fake agent plugged into it:
// the setup the agent tests share.
import { FakeLauncher, type FakeQemu } from "../../../drivers/qemu/testing/mod.ts";
import { VIR } from "../../../util/constants.ts";
import type { DomainRef, DriverConnection, DriverEvent } from "../../../util/driver.ts";
import { FakeAgent, type FakeAgentOptions } from "./fake_agent.ts";
import { waitFor } from "./fake_qmp/harness.ts";
import { withQemuConn } from "./with_conn.ts";
import { IMG } from "./images.ts";

const E = VIR;
/** The guest agent's channel, its socket path left to the driver. */
export const AGENT_CHANNEL = "<channel type='unix'>" +
  "<target type='virtio' name='org.qemu.guest_agent.0'/></channel>";

/** A small domain `name` with `devices` beside its disk. */
export function domainXml(name: string, devices: string): string {
  return `<domain type='qemu'><name>${name}</name><memory unit='MiB'>64</memory><vcpu>2</vcpu>` +
    `<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>` +
    `<disk type='file' device='disk'><source file='${IMG}/ga.img'/>` +
    `<target dev='vda' bus='virtio'/></disk>${devices}</devices></domain>`;
}

/** What a test of {@link withDomain} gets. */
export interface Setup {
  conn: DriverConnection;
  dom: DomainRef;
  qemu: FakeQemu;
  dir: string;
  /** AGENT_LIFECYCLE events as [state, reason]. */
  lifecycle: [number, number][];
  /** The live XML now. */
  xml: () => Promise<string>;
  /** The agent socket's path from the live XML. */
  socket: () => Promise<string>;
  /** Starts the fake agent on the socket and opens the guest's port; resolves once connected. */
  plugAgent: (options?: FakeAgentOptions) => Promise<FakeAgent>;
}

/** Runs `fn` on a started domain with `devices`; destroys it and the agents afterwards. */
export async function withDomain(
  devices: string,
  fn: (s: Setup) => Promise<void>,
  flags = 0,
): Promise<void> {
  const launcher = new FakeLauncher();
  const agents: FakeAgent[] = [];
  await withQemuConn({ launcher }, async (conn, dir) => {
    const lifecycle: [number, number][] = [];
    const off = conn.subscribe!((ev: DriverEvent) => {
      if (ev.eventId !== E.DOMAIN_EVENT_ID_AGENT_LIFECYCLE) return;
      const data = ev.data as { state: number; reason: number };
      lifecycle.push([data.state, data.reason]);
    });
    const dom = await conn.domainCreateXML!(domainXml("ga", devices), flags);
    const qemu = [...launcher.instances.values()].at(-1)!;
    const xml = () => conn.domainGetXMLDesc!(dom, 0);
    const socket = async () => (await xml()).match(/<source mode='bind' path='([^']+)'/)![1];
    const plugAgent = async (options?: FakeAgentOptions) => {
      const agent = FakeAgent.listen(await socket(), options);
      agents.push(agent);
      const seen = lifecycle.length;
      qemu.guestOpenPort("channel0", true);
      await waitFor(() => lifecycle.length > seen);
      return agent;
    };
    try {
      await fn({ conn, dom, qemu, dir, lifecycle, xml, socket, plugAgent });
    } finally {
      off();
      await conn.domainDestroyFlags!(dom, 0).catch(() => {});
      for (const a of agents) await a.close();
    }
  });
}
