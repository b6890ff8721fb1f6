/**
 * The network driver against real libvirt 9.0: for each network of fixtures/cases/, what a
 * root libvirtd did in a namespace (recorded by tests/tools/record_network_libvirt.sh into
 * fixtures/libvirt_system/) and what this driver does in a namespace of the test's own must
 * match: the live XML, the dnsmasq configuration and hosts files, the bridge's addresses and routes,
 * `iptables -S`/`ip6tables -S` while running and after net-destroy, and a port's XML.
 * Then the 'nat' network takes the live updates of fixtures/update_steps.tsv one by one, and
 * after each the live XML, the dnsmasq files, the rules and whether dnsmasq was restarted must
 * be libvirt's (fixtures/libvirt_update/, recorded by the same script).
 * Known, documented difference: dnsmasq's command line (dnsmasq keeps its own lease file here,
 * see drivers/network/dnsmasq.ts), so it is not compared.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { inNs, resolveInNs, withDriverIn, withNetns } from "./netns_helpers.ts";
import { parseNetworkXML } from "../../../conf/network/mod.ts";
import { VIR } from "../../../util/constants.ts";

const HERE = new URL(".", import.meta.url).pathname;
const CASES = join(HERE, "fixtures/cases");
const RECORDED = join(HERE, "fixtures/libvirt_system");
const PORT =
  "<networkport><uuid>5d744f21-ba4a-4d6e-bdb2-30a35ff3207d</uuid><owner><name>vm1</name>" +
  "<uuid>d54df46f-1ab5-4a22-8618-4560ef5fac2c</uuid></owner><mac address='52:54:00:7b:35:93'/>" +
  "</networkport>";

function recorded(file: string): string | undefined {
  try {
    return Deno.readTextFileSync(join(RECORDED, file));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** `tests/tools/record_network_libvirt.sh`'s `rules` for both layers. */
async function rules(ns: string): Promise<string> {
  let out = "";
  for (const layer of ["iptables", "ip6tables"]) {
    for (const t of ["filter", "nat", "mangle"]) {
      out += `# ${layer} -t ${t}\n${await inNs(ns, layer, "-w", "-t", t, "-S")}`;
    }
  }
  return out;
}

/**
 * The recorded rules as this test's fresh namespace has them: an 'open' network adds no rule
 * and makes no chain, but libvirtd had made its chains for the networks recorded before it.
 */
function chainsOf(name: string, text: string): string {
  if (name !== "open") return text;
  return text.split("\n").filter((l) => !/^-N LIBVIRT_|-j LIBVIRT_/.test(l)).join("\n");
}

const DNSMASQ_FILES = ["conf", "hostsfile", "addnhosts"];

/**
 * This driver's dnsmasq file `NAME.EXT` with its paths as libvirt's, or undefined when it is
 * missing or empty (the recording keeps only non-empty files).
 */
function dnsmasqFile(root: string, name: string, ext: string): string | undefined {
  const dir = `${root}/run/network/dnsmasq`;
  try {
    return Deno.readTextFileSync(`${dir}/${name}.${ext}`)
      .replaceAll(`${root}/run/network/${name}.pid`, `/run/libvirt/network/${name}.pid`)
      .replaceAll(`${dir}/`, "/var/lib/libvirt/dnsmasq/") || undefined;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

const names = [...Deno.readDirSync(CASES)].map((e) => e.name.replace(/\.xml$/, "")).sort();

Deno.test("the recording covers every case", () => {
  assert.deepEqual(names, ["bridged", "isolated", "nat", "nat6", "open", "route", "routes"]);
  for (const n of names) assert.ok(recorded(`${n}.live.xml`), n);
});

for (const name of names) {
  Deno.test(`real host: network '${name}' is what libvirt 9.0 makes`, async () => {
    await withNetns(async (ns) => {
      // libvirt's own 'default' network held virbr0 when it was recorded; evrbr0 is the host
      // bridge the 'bridged' network names, made by the recording script too.
      await inNs(ns, "ip", "link", "add", "virbr0", "type", "bridge");
      await inNs(ns, "ip", "link", "add", "evrbr0", "type", "bridge");
      await withDriverIn(ns, async (conn, root) => {
        const net = await conn.networkDefineXMLFlags!(
          await Deno.readTextFile(join(CASES, `${name}.xml`)),
          0,
        );
        await conn.networkCreate!(net);
        const live = await conn.networkGetXMLDesc!(net, 0);
        assert.equal(live, recorded(`${name}.live.xml`));
        for (const ext of DNSMASQ_FILES) {
          assert.equal(dnsmasqFile(root, name, ext), recorded(`${name}.${ext}`), ext);
        }
        const bridge = live.match(/<bridge name='([^']+)'/)![1];
        const addr = (await inNs(ns, "ip", "-o", "addr", "show", "dev", bridge)).split("\n")
          .filter(Boolean).map((l) => l.split(/\s+/).slice(2, 6).join(" ") + "\n").join("");
        assert.equal(addr, recorded(`${name}.addr`));
        const routes = await inNs(ns, "ip", "route", "show", "dev", bridge);
        assert.equal(routes, recorded(`${name}.routes`));
        assert.equal(await rules(ns), chainsOf(name, recorded(`${name}.rules`)!));
        const port = await conn.networkPortCreateXML!(net, PORT, 0);
        assert.equal(await conn.networkPortGetXMLDesc!(port, 0), recorded(`${name}.port.xml`));
        await conn.networkPortDelete!(port, 0);
        await conn.networkDestroy!(net);
        assert.equal(await rules(ns), chainsOf(name, recorded(`${name}.rules-after`)!));
        await conn.networkUndefine!(net);
      });
    });
  });
}

/**
 * dnsmasq, which took the new hosts file by SIGHUP, answers for every DNS host of `live` and no
 * longer for the names of `seen` that left it (polled: dnsmasq rereads the file when it gets to
 * the signal).
 */
async function dnsAnswers(ns: string, seen: Set<string>, live: string, what: string) {
  const want: Record<string, string[]> = {};
  for (const h of parseNetworkXML(live).dns.hosts) {
    for (const n of h.hostnames) (want[n] ??= []).push(h.ip);
  }
  Object.keys(want).forEach((n) => seen.add(n));
  for (const n of seen) (want[n] ??= []).sort();
  const server = parseNetworkXML(live).ips[0].address!;
  const end = Date.now() + 15_000;
  let got = await resolveInNs(ns, server, [...seen]);
  while (JSON.stringify(got) !== JSON.stringify(want) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    got = await resolveInNs(ns, server, [...seen]);
  }
  assert.deepEqual(got, want, `${what}: dnsmasq's answers`);
}

/** `VIR_NETWORK_UPDATE_COMMAND_*` and `VIR_NETWORK_SECTION_*` of virsh's names. */
const viaName = (prefix: string, name: string) => {
  const v = (VIR as Record<string, number>)[prefix + name.toUpperCase().replaceAll("-", "_")];
  assert.ok(v !== undefined, `${prefix}${name}`);
  return v;
};

Deno.test("real host: live updates of 'nat' change dnsmasq and the firewall as libvirt 9.0's", async () => {
  const steps = Deno.readTextFileSync(join(HERE, "fixtures/update_steps.tsv")).split("\n")
    .filter(Boolean).map((l) => l.split("\t"));
  const UPDATED = join(HERE, "fixtures/libvirt_update");
  const want = (file: string) => recorded(join("..", "libvirt_update", file));
  assert.ok(steps.length > 0 && Deno.statSync(UPDATED).isDirectory);
  await withNetns(async (ns) => {
    await inNs(ns, "ip", "link", "add", "virbr0", "type", "bridge");
    await withDriverIn(ns, async (conn, root) => {
      // dnsmasq rereads its hosts files on SIGHUP as nobody: the private root must be
      // traversable, as libvirt's /var/lib/libvirt is.
      await Deno.chmod(root, 0o755);
      const net = await conn.networkDefineXMLFlags!(
        await Deno.readTextFile(join(CASES, "nat.xml")),
        0,
      );
      await conn.networkCreate!(net);
      const pid = () => Deno.readTextFileSync(`${root}/run/network/nat.pid`);
      const names = new Set<string>();
      for (const [i, [command, section, xml]] of steps.entries()) {
        const step = String(i + 1).padStart(2, "0");
        const what = `step ${step} (${command} ${section})`;
        const before = pid();
        await conn.networkUpdate!(
          net,
          viaName("NETWORK_UPDATE_COMMAND_", command),
          viaName("NETWORK_SECTION_", section),
          -1,
          xml,
          VIR.NETWORK_UPDATE_AFFECT_LIVE,
        );
        const dnsmasq = pid() === before ? "kept\n" : "restarted\n";
        assert.equal(dnsmasq, want(`${step}.dnsmasq`), `${what}: dnsmasq`);
        assert.equal(await conn.networkGetXMLDesc!(net, 0), want(`${step}.live.xml`), what);
        for (const ext of DNSMASQ_FILES) {
          assert.equal(dnsmasqFile(root, "nat", ext), want(`${step}.${ext}`), `${what}: ${ext}`);
        }
        assert.equal(await rules(ns), want(`${step}.rules`), `${what}: rules`);
        if (section === "dns-host") await dnsAnswers(ns, names, want(`${step}.live.xml`)!, what);
      }
      await conn.networkDestroy!(net);
    });
  });
});
