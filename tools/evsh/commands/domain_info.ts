/**
 * Domain inspection: `dominfo`, `domstate`, `domid`, `domname`, `domuuid`, `dumpxml`.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { Domain } from "../../../client/domain.ts";
import type { CommandContext, CommandDef } from "../context.ts";
import { cpuSeconds, domainReasonName, domainStateName, field } from "../format.ts";
import { domainArg } from "../lookup.ts";
import { bits, dumpXML, yesNo } from "./common.ts";

/** A domain's security label, where the client API offers it (`virDomainGetSecurityLabel`). */
interface SecurityLabelSource {
  getSecurityLabel?(): Promise<{ label: string; enforcing: boolean }>;
}

/**
 * `virNodeGetSecurityModel`: drivers answer with the first `<secmodel>` of their capabilities,
 * which is what this reads, since the client API has no call of its own for it. Like virsh,
 * a driver without the call means no security lines; any other failure fails the command.
 */
async function securityModel(ctx: CommandContext): Promise<{ model: string; doi: string }> {
  const caps = await ctx.attempt(() => ctx.conn.getCapabilities());
  if (!caps.ok) {
    if (ctx.lastError?.code !== VIR.ERR_NO_SUPPORT) ctx.fail();
    ctx.resetError();
    return { model: "", doi: "" };
  }
  const sec = /<secmodel>([\s\S]*?)<\/secmodel>/.exec(caps.value)?.[1] ?? "";
  const text = (tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(sec)?.[1] ?? "";
  return { model: text("model"), doi: text("doi") };
}

async function dominfo(ctx: CommandContext, dom: Domain): Promise<void> {
  const id = dom.id;
  ctx.print(field("Id:", id === -1 ? "-" : id));
  ctx.print(field("Name:", dom.name));
  ctx.print(field("UUID:", dom.uuid));
  const os = await ctx.attempt(() => dom.getOSType());
  if (os.ok) ctx.print(field("OS Type:", os.value));
  const info = await ctx.attempt(() => dom.getInfo());
  if (info.ok) {
    const i = info.value;
    ctx.print(field("State:", domainStateName(i.state)));
    ctx.print(field("CPU(s):", i.nrVirtCpu));
    if (i.cpuTime !== 0) ctx.print(field("CPU time:", cpuSeconds(i.cpuTime)));
    ctx.print(field("Max memory:", i.maxMem === UNLIMITED_KIB ? "no limit" : `${i.maxMem} KiB`));
    ctx.print(field("Used memory:", `${i.memory} KiB`));
  } else {
    ctx.print(field("State:", "no state"));
  }
  const persistent = await ctx.attempt(() => dom.isPersistent());
  ctx.print(field("Persistent:", persistent.ok ? yesNo(persistent.value) : "unknown"));
  const autostart = await ctx.attempt(() => dom.getAutostart());
  if (autostart.ok) ctx.print(field("Autostart:", autostart.value ? "enable" : "disable"));
  const saved = await ctx.attempt(() => dom.hasManagedSaveImage());
  ctx.print(field("Managed save:", saved.ok ? yesNo(saved.value) : "unknown"));
  const sec = await securityModel(ctx);
  if (sec.model !== "") await securityLines(ctx, dom, sec);
  // virsh prints the messages when the call gives any; a failure leaves just its error saved.
  const messages = await ctx.attempt(() => dom.getMessages(0));
  if (messages.ok) {
    messages.value.forEach((m, i) => ctx.print(field(i === 0 ? "Messages:" : "", m)));
  }
}

/** The security model, DOI and (where the domain has one) label lines. */
async function securityLines(
  ctx: CommandContext,
  dom: Domain,
  sec: { model: string; doi: string },
): Promise<void> {
  ctx.print(field("Security model:", sec.model));
  ctx.print(field("Security DOI:", sec.doi));
  const source = dom as SecurityLabelSource;
  if (typeof source.getSecurityLabel === "function") {
    const label = await ctx.call(() => source.getSecurityLabel!());
    if (label.label !== "") {
      ctx.print(
        field(
          "Security label:",
          `${label.label} (${label.enforcing ? "enforcing" : "permissive"})`,
        ),
      );
    }
  }
}

/** virsh prints "no limit" for a maximum of `UINT_MAX` KiB. */
const UNLIMITED_KIB = 0xffffffff;

/** The domain inspection command table. */
export const DOMAIN_INFO_COMMANDS: CommandDef[] = [
  {
    name: "dominfo",
    async run(ctx, args) {
      await dominfo(ctx, (await domainArg(ctx, args)).obj);
    },
  },
  {
    name: "domstate",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const [state, reason] = await ctx.call(() => dom.getState());
      ctx.print(
        args.has("reason")
          ? `${domainStateName(state)} (${domainReasonName(state, reason)})\n`
          : `${domainStateName(state)}\n`,
      );
    },
  },
  {
    name: "domid",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args, { name: true, uuid: true });
      ctx.print(dom.id === -1 ? "-\n" : `${dom.id}\n`);
    },
  },
  {
    name: "domname",
    async run(ctx, args) {
      ctx.print(`${(await domainArg(ctx, args, { id: true, uuid: true })).obj.name}\n`);
    },
  },
  {
    name: "domuuid",
    async run(ctx, args) {
      ctx.print(`${(await domainArg(ctx, args, { id: true, name: true })).obj.uuid}\n`);
    },
  },
  {
    name: "dumpxml",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const f = bits(args, [
        ["inactive", VIR.DOMAIN_XML_INACTIVE],
        ["security-info", VIR.DOMAIN_XML_SECURE],
        ["update-cpu", VIR.DOMAIN_XML_UPDATE_CPU],
        ["migratable", VIR.DOMAIN_XML_MIGRATABLE],
      ]);
      await dumpXML(ctx, args, () => dom.getXMLDesc(f));
    },
  },
];
