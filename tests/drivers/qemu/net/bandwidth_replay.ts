/**
 * The replay of libvirt 9.0's interface bandwidth recordings (fixtures/record_nic_bandwidth.py:
 * nic_bandwidth.json and nic_floor.json with their .expected.json): one step (start, destroy,
 * get or set interface parameters) run on the QEMU driver, its answer as the recorder wrote
 * libvirt's (error, parameters, the live and persistent `<bandwidth>` of each interface).
 *
 * @module
 */
import { VIR } from "../../../../util/constants.ts";
import type { DomainRef, DriverConnection } from "../../../../util/driver.ts";
import { VirError } from "../../../../util/errors.ts";

/** One step of a recorded spec. */
export interface BandwidthStep {
  name: string;
  op: "start" | "destroy" | "get" | "set";
  device?: string;
  flags?: ("live" | "config")[];
  params?: Record<string, number>;
}

/** What libvirt answered to one step (`tc`: the commands it ran, from its debug log). */
export interface BandwidthAnswer {
  name: string;
  code?: number;
  domain?: number;
  message?: string;
  params?: Record<string, number>;
  live?: string[][];
  config?: string[][];
  tc: string[][];
}

/** The <bandwidth> elements of each <interface>, as the recorder cut them out. */
function bandwidths(xml: string): string[][] {
  return (xml.match(/<interface [^]*?<\/interface>/g) ?? []).map((i) =>
    i.match(/<bandwidth>[^]*?<\/bandwidth>|<bandwidth\/>/g) ?? []
  );
}

/**
 * `tc` as it answered libvirt: the commands its errors name (taps as `vnetN`, any number) failed
 * with their words, every other one succeeded.
 */
export function recordedTc(
  answers: BandwidthAnswer[],
): (args: readonly string[]) => { code: number; stderr: string } {
  const failures = new Map<string, { code: number; stderr: string }>();
  for (const a of answers) {
    const m = a.message?.match(/Child process \(tc (.*?)\) unexpected exit status (\d+): ([^]*)$/);
    if (m) failures.set(m[1].replace(/vnet\d+/, "DEV"), { code: Number(m[2]), stderr: m[3] });
  }
  return (args) =>
    failures.get(args.join(" ").replace(/vnet\d+/, "DEV")) ?? { code: 0, stderr: "" };
}

/**
 * Runs `step` on domain `dom` and answers as the recorder did (without the `tc` commands,
 * which the caller gathers from its hosts).
 */
export async function runBandwidthStep(
  conn: DriverConnection,
  dom: DomainRef,
  step: BandwidthStep,
): Promise<BandwidthAnswer> {
  const flags = (step.flags ?? []).reduce(
    (f, n) => f | (n === "live" ? VIR.DOMAIN_AFFECT_LIVE : VIR.DOMAIN_AFFECT_CONFIG),
    0,
  );
  const got: BandwidthAnswer = { name: step.name, tc: [] };
  try {
    if (step.op === "get") {
      got.params = await conn.domainGetInterfaceParameters!(dom, step.device!, flags) as Record<
        string,
        number
      >;
    } else {
      if (step.op === "start") await conn.domainCreateWithFlags!(dom, 0);
      else if (step.op === "destroy") await conn.domainDestroyFlags!(dom, 0);
      else {
        // python-libvirt's setInterfaceParameters, which the recorder calls, first gets the
        // parameters with the same flags (for their types): its refusals come first.
        await conn.domainGetInterfaceParameters!(dom, step.device!, flags);
        await conn.domainSetInterfaceParameters!(dom, step.device!, step.params!, flags);
      }
      got.live = bandwidths(await conn.domainGetXMLDesc!(dom, 0));
      got.config = bandwidths(await conn.domainGetXMLDesc!(dom, VIR.DOMAIN_XML_INACTIVE));
    }
  } catch (e) {
    if (!(e instanceof VirError)) throw e;
    Object.assign(got, { code: e.code, domain: e.domain, message: e.message });
  }
  return got;
}
