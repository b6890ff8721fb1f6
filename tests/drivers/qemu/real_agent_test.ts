// The guest agent's channel on a real QEMU (TCG) with a guest that runs no agent (no OS at all),
// replayed against libvirt 9.0's QEMU driver on the same domains (fixtures/agent/record.sh):
// the channel's live XML (paths masked), the AGENT_LIFECYCLE event of the start, and the answer
// of every agent call. Without QEMU this test is ignored on a developer machine but FAILS in CI.
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import type { DomainRef, DriverConnection, DriverEvent } from "../../../util/driver.ts";
import { realQemuTest, withRealDriver } from "./real_qemu.ts";

interface Recorded {
  liveXml: string;
  events: [number, number][];
  calls: {
    dom: "agent" | "plain" | "paused";
    call: string;
    args: unknown[];
    ok?: boolean;
    code?: number;
    domain?: number;
    message?: string;
  }[];
}

const here = new URL("./fixtures/agent/", import.meta.url);

/** The same domains as record.py. */
function domainXml(name: string, channel: boolean): string {
  const dev = channel
    ? "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>"
    : "";
  return `<domain type='qemu'><name>${name}</name><memory unit='MiB'>64</memory>` +
    "<os><type arch='x86_64' machine='pc'>hvm</type></os>" +
    `<devices>${dev}<memballoon model='none'/></devices></domain>`;
}

/** A driver call for each of record.py's Python calls. */
function call(
  conn: DriverConnection,
  dom: DomainRef,
  name: string,
  a: unknown[],
): Promise<unknown> {
  const n = a as number[];
  switch (name) {
    case "getHostname":
      return conn.domainGetHostname!(dom, n[0]);
    case "getTime":
      return conn.domainGetTime!(dom, n[0]);
    case "setTime":
      return conn.domainSetTime!(dom, n[0], n[1], n[2]);
    case "fsFreeze":
      return conn.domainFSFreeze!(dom, a[0] as string[], n[1]);
    case "fsThaw":
      return conn.domainFSThaw!(dom, a[0] as string[], n[1]);
    case "fsTrim":
      return conn.domainFSTrim!(dom, a[0] as string | null, n[1], n[2]);
    case "fsInfo":
      return conn.domainGetFSInfo!(dom, n[0]);
    case "setUserPassword":
      return conn.domainSetUserPassword!(dom, a[0] as string, a[1] as string, n[2]);
    case "interfaceAddresses":
      return conn.domainInterfaceAddresses!(dom, n[0], n[1]);
    case "guestInfo":
      return conn.domainGetGuestInfo!(dom, n[0], n[1]);
    case "setVcpusFlags":
      return conn.domainSetVcpusFlags!(dom, n[0], n[1]);
    case "vcpusFlags":
      return conn.domainGetVcpusFlags!(dom, n[0]);
    case "shutdownFlags":
      return conn.domainShutdownFlags!(dom, n[0]);
    case "reboot":
      return conn.domainReboot!(dom, n[0]);
    case "setGuestVcpus":
      return conn.domainSetGuestVcpus!(dom, a[0] as string, n[1], n[2]);
    case "pmSuspend":
      return conn.domainPMSuspendForDuration!(dom, n[0], n[1], n[2]);
    case "pmWakeup":
      return conn.domainPMWakeup!(dom, n[0]);
    case "agentSetResponseTimeout":
      return conn.domainAgentSetResponseTimeout!(dom, n[0], n[1]);
  }
  throw new Error(`no call ${name}`);
}

/** The channel and virtio-serial elements of a live XML, the socket's folder masked. */
function channelPart(xml: string): string {
  const part = xml.match(/ *<controller type='virtio-serial'[\s\S]*?<\/channel>\n/)?.[0] ?? "";
  return part.replace(/path='[^']*\/channel\/target\//, "path='…/channel/target/");
}

realQemuTest({
  name: "real QEMU: the agent's channel starts 'disconnected', every agent call as libvirt's",
  fn: async () => {
    const recorded: Recorded = JSON.parse(await Deno.readTextFile(new URL("expected.json", here)));
    await withRealDriver("ev-agent-", async ({ conn }) => {
      const events: [number, number][] = [];
      const off = conn.subscribe!((ev: DriverEvent) => {
        if (
          ev.eventId !== VIR.DOMAIN_EVENT_ID_AGENT_LIFECYCLE ||
          (ev.ref as DomainRef).name !== "ga-agent"
        ) {
          return;
        }
        const data = ev.data as { state: number; reason: number };
        events.push([data.state, data.reason]);
      });
      const doms = {
        agent: await conn.domainCreateXML!(domainXml("ga-agent", true), 0),
        plain: await conn.domainCreateXML!(domainXml("ga-plain", false), 0),
        paused: await conn.domainCreateXML!(
          domainXml("ga-paused", true),
          VIR.DOMAIN_START_PAUSED,
        ),
      };
      try {
        const live = await conn.domainGetXMLDesc!(doms.agent, 0);
        assert.equal(channelPart(live), channelPart(recorded.liveXml));
        assert.ok(channelPart(live).includes("state='disconnected'"));
        assert.deepEqual(events, recorded.events);
        const mismatches: string[] = [];
        for (const c of recorded.calls) {
          const got = await call(conn, doms[c.dom], c.call, c.args).then(
            () => ({ ok: true }),
            (e) => {
              if (!(e instanceof VirError)) throw e;
              return { code: e.code, domain: e.domain, message: e.message };
            },
          );
          const want = c.ok ? { ok: true } : { code: c.code, domain: c.domain, message: c.message };
          if (JSON.stringify(got) !== JSON.stringify(want)) {
            mismatches.push(
              `${c.dom} ${c.call}(${JSON.stringify(c.args)}): ` +
                `${JSON.stringify(got)} != libvirt ${JSON.stringify(want)}`,
            );
          }
        }
        assert.deepEqual(mismatches, []);
        assert.ok(recorded.calls.length >= 30);
      } finally {
        off();
        for (const dom of Object.values(doms)) await conn.domainDestroyFlags!(dom, 0);
      }
    });
  },
});
