/**
 * Writes tests/conformance/scenarios/net-update-*.json: `virNetworkUpdate` sequences for every
 * section libvirt 9.0 knows, enumerated as commands × elements (good, duplicate, partial, bad,
 * malformed) × parent indices × AFFECT_LIVE/CONFIG/CURRENT, each followed by the network's XML.
 * The test driver refuses VIR_NETWORK_XML_INACTIVE, so the persistent definition of a running
 * network shows after each element's run of commands: the network is destroyed, dumped and
 * started again. A golden recorded from real libvirt (tests/tools/record_net_update.sh) pins
 * the errors (code, domain, message) and the resulting definitions. The conformance test
 * (tests/conformance/conformance_test.ts) replays them against the simulator.
 *
 * Usage: deno run -A tests/tools/gen_net_update_scenarios.ts
 * @module
 */
import { VIR } from "../../util/constants.ts";

type Op = Record<string, unknown>;

const { NETWORK_UPDATE_AFFECT_LIVE: LIVE, NETWORK_UPDATE_AFFECT_CONFIG: CONFIG } = VIR;

/** The commands each element goes through, in order: add, remove, re-add, modify, remove, bad. */
const COMMANDS = [
  VIR.NETWORK_UPDATE_COMMAND_ADD_LAST,
  VIR.NETWORK_UPDATE_COMMAND_DELETE,
  VIR.NETWORK_UPDATE_COMMAND_ADD_FIRST,
  VIR.NETWORK_UPDATE_COMMAND_ADD_LAST,
  VIR.NETWORK_UPDATE_COMMAND_MODIFY,
  VIR.NETWORK_UPDATE_COMMAND_DELETE,
  VIR.NETWORK_UPDATE_COMMAND_NONE,
  5, // past VIR_NETWORK_UPDATE_COMMAND_ADD_FIRST
];
/** AFFECT_CURRENT, both, config only, live only: one per element, in rotation. */
const FLAG_ROTATION = [0, LIVE | CONFIG, CONFIG, LIVE];

/** Networks every scenario defines; `u4` and `tr` are started, `tr` is transient. */
const NETWORKS: Record<string, { xml: string; start?: boolean; transient?: boolean }> = {
  u4: {
    start: true,
    xml: "<network><name>u4</name><uuid>40404040-0000-4000-8000-000000000004</uuid>" +
      "<forward mode='nat'/><bridge name='virbr40'/><domain name='ex.org'/>" +
      "<dns><txt name='t1' value='v1'/>" +
      "<host ip='10.4.0.5'><hostname>h5</hostname><hostname>h5b</hostname></host>" +
      "<srv service='ldap' protocol='tcp' domain='ex.org' target='ldap.ex.org' port='389' " +
      "priority='1' weight='10'/></dns>" +
      "<portgroup name='pg1' default='yes'/><portgroup name='pg2'><vlan><tag id='42'/></vlan>" +
      "</portgroup>" +
      "<ip address='10.4.0.1' prefix='24'><dhcp><range start='10.4.0.100' end='10.4.0.200'/>" +
      "<host mac='52:54:00:00:04:01' name='a' ip='10.4.0.11'/></dhcp></ip>" +
      "<ip family='ipv6' address='fd00:4::1' prefix='64'/></network>",
  },
  v6: {
    xml: "<network><name>v6</name><uuid>40404040-0000-4000-8000-000000000006</uuid>" +
      "<bridge name='virbr46'/><ip address='10.6.0.1' prefix='24'/>" +
      "<ip family='ipv6' address='fd00:6::1' prefix='64'><dhcp>" +
      "<range start='fd00:6::10' end='fd00:6::ff'/></dhcp></ip>" +
      "<ip address='10.7.0.1' prefix='24'><dhcp><range start='10.7.0.2' end='10.7.0.9'/>" +
      "</dhcp></ip></network>",
  },
  iso: {
    xml: "<network><name>iso</name><uuid>40404040-0000-4000-8000-000000000007</uuid>" +
      "<bridge name='virbr47'/></network>",
  },
  brf: {
    xml: "<network><name>brf</name><uuid>40404040-0000-4000-8000-000000000008</uuid>" +
      "<forward mode='bridge'><interface dev='eth1'/><interface dev='eth2'/></forward></network>",
  },
  off: {
    xml: "<network><name>off</name><uuid>40404040-0000-4000-8000-000000000009</uuid>" +
      "<bridge name='virbr49'/><dns enable='no'/><ip address='10.9.0.1' prefix='24'/></network>",
  },
  tr: {
    start: true,
    transient: true,
    xml: "<network><name>tr</name><uuid>40404040-0000-4000-8000-00000000000a</uuid>" +
      "<bridge name='virbr4a'/><ip address='10.10.0.1' prefix='24'><dhcp>" +
      "<range start='10.10.0.2' end='10.10.0.9'/></dhcp></ip></network>",
  },
};

function setup(): Op[] {
  const ops: Op[] = [];
  for (const [name, n] of Object.entries(NETWORKS)) {
    if (n.transient) ops.push({ op: "networkCreateXML", xml: n.xml });
    else {
      ops.push({ op: "networkDefineXML", xml: n.xml });
      if (n.start) ops.push({ op: "create", net: name });
    }
  }
  return ops;
}

function update(
  net: string,
  command: number,
  section: number,
  parentIndex: number,
  xml: string,
  flags: number,
): Op[] {
  return [
    { op: "update", net, command, section, parentIndex, xml, flags },
    { op: "XMLDesc", net, flags: 0 },
  ];
}

/** The persistent definition of a running persistent network: destroy, dump, start again. */
function persistentXml(net: string): Op[] {
  const n = NETWORKS[net];
  if (!n.start || n.transient) return [];
  return [
    { op: "destroy", net },
    { op: "XMLDesc", net, flags: 0 },
    { op: "create", net },
  ];
}

/** One section's enumeration: every element through COMMANDS, indices and flags rotating. */
interface SectionCases {
  section: number;
  net: string;
  indices: number[];
  xmls: string[];
  /** Extra hand-picked updates after the enumeration: [net, command, index, xml, flags]. */
  extra?: [string, number, number, string, number][];
}

function enumerate(c: SectionCases): Op[] {
  const ops: Op[] = [];
  c.xmls.forEach((xml, i) => {
    const index = c.indices[i % c.indices.length];
    const flags = FLAG_ROTATION[i % FLAG_ROTATION.length];
    for (const command of COMMANDS) {
      ops.push(...update(c.net, command, c.section, index, xml, flags));
    }
    ops.push(...persistentXml(c.net));
  });
  for (const [net, command, index, xml, flags] of c.extra ?? []) {
    ops.push(...update(net, command, c.section, index, xml, flags));
    ops.push(...persistentXml(net));
  }
  return ops;
}

const {
  NETWORK_UPDATE_COMMAND_ADD_LAST: ADD,
  NETWORK_UPDATE_COMMAND_DELETE: DEL,
  NETWORK_UPDATE_COMMAND_MODIFY: MOD,
} = VIR;

const SECTIONS: Record<string, SectionCases> = {
  "dhcp-host": {
    section: VIR.NETWORK_SECTION_IP_DHCP_HOST,
    net: "u4",
    indices: [-1, 0, 1, 5],
    xmls: [
      "<host mac='52:54:00:00:04:02' name='b' ip='10.4.0.12'/>",
      "<host mac='52:54:00:00:04:01' ip='10.4.0.13'/>",
      "<host name='a'/>",
      "<host mac='52:54:00:00:04:03' name='c'/>",
      "<host id='0:1:2' name='c6' ip='fd00:4::20'/>",
      "<range start='10.4.0.2' end='10.4.0.3'/>",
      "<host mac='zz' ip='10.4.0.14'/>",
      "<host mac='52:54:00:00:04:04' ip='10.4.0.15'",
      "<host mac='52:54:00:00:04:05' name='e' ip='10.4.0.16'><lease expiry='2' unit='hours'/></host>",
    ],
    extra: [
      ["v6", ADD, -1, "<host id='0:1:2' name='c6' ip='fd00:6::20'/>", CONFIG],
      ["v6", ADD, 0, "<host mac='52:54:00:00:06:01' ip='10.6.0.5'/>", CONFIG],
      ["v6", ADD, 2, "<host mac='52:54:00:00:06:02' ip='10.7.0.5'/>", CONFIG],
      ["v6", DEL, 1, "<host name='c6'/>", 0],
      ["iso", ADD, -1, "<host mac='52:54:00:00:07:01' ip='10.7.0.5'/>", 0],
      ["iso", ADD, 0, "<host mac='52:54:00:00:07:01' ip='10.7.0.5'/>", 0],
      ["iso", ADD, 0, "<txt/>", 0],
      ["u4", ADD, -1, "<host mac='52:54:00:00:04:08' ip='10.4.0.18'/>", LIVE | CONFIG],
      ["v6", ADD, -1, "<host mac='52:54:00:00:06:08' ip='10.6.0.18'/>", LIVE],
      ["tr", ADD, -1, "<host mac='52:54:00:00:0a:08' ip='10.10.0.8'/>", CONFIG],
      ["tr", ADD, -1, "<host mac='52:54:00:00:0a:08' ip='10.10.0.8'/>", 0],
      ["u4", ADD, -1, "<host mac='52:54:00:00:04:09' ip='10.4.0.19'/>", 4],
    ],
  },
  "dhcp-range": {
    section: VIR.NETWORK_SECTION_IP_DHCP_RANGE,
    net: "u4",
    indices: [-1, 0, 1, 7],
    xmls: [
      "<range start='10.4.0.20' end='10.4.0.30'/>",
      "<range start='10.4.0.100' end='10.4.0.200'/>",
      "<range start='10.4.0.40' end='10.4.0.50'><lease expiry='1' unit='hours'/></range>",
      "<range start='fd00:4::10' end='fd00:4::20'/>",
      "<range start='10.5.0.2' end='10.5.0.9'/>",
      "<range start='10.4.0.30' end='10.4.0.20'/>",
      "<range start='10.4.0.0' end='10.4.0.5'/>",
      "<range start='10.4.0.250' end='10.4.0.255'/>",
      "<range start='10.4.0.20'/>",
      "<range end='10.4.0.20'/>",
      "<range start='bogus' end='10.4.0.2'/>",
      "<range start='10.4.0.60' end='10.4.0.70'><lease expiry='1' unit='seconds'/></range>",
      "<host mac='52:54:00:00:04:02' ip='10.4.0.12'/>",
      "<range start='10.4.0.2' end='10.4.0.3'>",
    ],
    extra: [
      ["v6", ADD, -1, "<range start='fd00:6::100' end='fd00:6::1ff'/>", CONFIG],
      ["v6", ADD, 0, "<range start='10.6.0.2' end='10.6.0.9'/>", CONFIG],
      ["v6", ADD, 2, "<range start='10.7.0.20' end='10.7.0.29'/>", CONFIG],
      ["v6", DEL, 2, "<range start='10.7.0.2' end='10.7.0.9'/>", CONFIG],
      ["v6", ADD, 0, "<range start='10.6.0.2' end='10.6.0.9'/>", CONFIG],
      ["v6", ADD, 1, "<range start='fd00:6::10' end='fd00:7::ff'/>", CONFIG],
      [
        "u4",
        ADD,
        -1,
        "<range start='10.4.0.60' end='10.4.0.70'><lease expiry='1' unit='seconds'/></range>",
        0,
      ],
      ["u4", ADD, -1, "<range start='10.4.0.60' end='10.4.0.70'><lease expiry='90'/></range>", 0],
      ["u4", ADD, -1, "<range start='10.4.0.71' end='10.4.0.72'><lease unit='hours'/></range>", 0],
      ["u4", ADD, -1, "<range start='10.4.0.73' end='10.4.0.74'><lease expiry='0'/></range>", 0],
      ["u4", ADD, -1, "<range start='10.4.0.75' end='10.4.0.76'><lease expiry='x'/></range>", 0],
      ["iso", ADD, -1, "<range start='10.7.0.2' end='10.7.0.9'/>", 0],
      ["tr", ADD, -1, "<range start='10.10.0.20' end='10.10.0.29'/>", 0],
      ["tr", ADD, -1, "<range start='10.10.0.40' end='10.10.0.49'/>", CONFIG],
    ],
  },
  "forward-interface": {
    section: VIR.NETWORK_SECTION_FORWARD_INTERFACE,
    net: "brf",
    indices: [-1, 0, 3],
    xmls: [
      "<interface dev='eth3'/>",
      "<interface dev='eth1'/>",
      "<interface/>",
      "<interface dev='eth4'><extra/></interface>",
      "<iface dev='eth3'/>",
      "<interface dev='eth5'",
    ],
    extra: [
      ["u4", ADD, -1, "<interface dev='eth0'/>", LIVE | CONFIG],
      ["u4", ADD, -1, "<interface dev='eth9'/>", CONFIG],
      ["u4", DEL, -1, "<interface dev='eth0'/>", LIVE],
      ["iso", ADD, -1, "<interface dev='eth0'/>", 0],
      ["brf", DEL, -1, "<interface dev='eth1'/>", 0],
      ["brf", DEL, -1, "<interface dev='eth2'/>", 0],
      ["brf", ADD, -1, "<interface dev='eth7'/>", LIVE],
    ],
  },
  portgroup: {
    section: VIR.NETWORK_SECTION_PORTGROUP,
    net: "u4",
    indices: [-1, 2],
    xmls: [
      "<portgroup name='pg3'/>",
      "<portgroup name='pg1'/>",
      "<portgroup name='pg3' default='yes'/>",
      "<portgroup name='pg1' default='yes'><vlan><tag id='7'/></vlan></portgroup>",
      "<portgroup/>",
      "<portgroup name='pg4'><bandwidth><inbound average='1000'/></bandwidth></portgroup>",
      "<portgroup name='pg5'><vlan><tag id='5000'/></vlan></portgroup>",
      "<portgroup name='pg6' trustGuestRxFilters='maybe'/>",
      "<portgroup name='pg2' default='YES'/>",
      "<portgroup name='pg7' trustGuestRxFilters='yes'><virtualport type='openvswitch'/>" +
      "</portgroup>",
      "<pg name='x'/>",
    ],
    extra: [
      ["u4", DEL, -1, "<portgroup name='pg1'/>", LIVE | CONFIG],
      ["u4", ADD, -1, "<portgroup name='pg8' default='yes'/>", LIVE | CONFIG],
      ["u4", MOD, -1, "<portgroup name='pg8' default='no'/>", CONFIG],
      ["u4", ADD, -1, "<portgroup name='pg9' default='yes'/>", CONFIG],
      ["u4", ADD, -1, "<portgroup name='pg9' default='yes'/>", LIVE],
      ["iso", ADD, -1, "<portgroup name='pg1'/>", 0],
    ],
  },
  "dns-host": {
    section: VIR.NETWORK_SECTION_DNS_HOST,
    net: "u4",
    indices: [-1, 0],
    xmls: [
      "<host ip='10.4.0.6'><hostname>h6</hostname></host>",
      "<host ip='10.4.0.5'><hostname>x</hostname></host>",
      "<host ip='10.4.0.7'><hostname>h5</hostname></host>",
      "<host><hostname>h6</hostname></host>",
      "<host ip='10.4.0.8'/>",
      "<host ip='bogus'><hostname>z</hostname></host>",
      "<host ip='10.4.0.9'><hostname></hostname></host>",
      "<host/>",
      "<host ip='fd00:4::9'><hostname>v6h</hostname><hostname>v6i</hostname></host>",
      "<txt name='a' value='b'/>",
      "<host ip='10.4.0.10'><hostname>h10</hostname>",
    ],
    extra: [
      ["u4", ADD, -1, "<host ip='10.4.0.7'><hostname>h7</hostname></host>", LIVE | CONFIG],
      ["u4", ADD, -1, "<host ip='10.4.0.17'><hostname>h5b</hostname></host>", LIVE | CONFIG],
      ["u4", DEL, -1, "<host><hostname>h5b</hostname></host>", LIVE | CONFIG],
      ["u4", DEL, -1, "<host ip='10.4.0.5'/>", LIVE | CONFIG],
      ["off", ADD, -1, "<host ip='10.9.0.5'><hostname>o</hostname></host>", 0],
      ["iso", ADD, -1, "<host ip='10.9.0.5'><hostname>o</hostname></host>", 0],
    ],
  },
  "dns-txt": {
    section: VIR.NETWORK_SECTION_DNS_TXT,
    net: "u4",
    indices: [-1, 0],
    xmls: [
      "<txt name='t2' value='v2'/>",
      "<txt name='t1' value='other'/>",
      "<txt name='t1'/>",
      "<txt value='x'/>",
      "<txt name='a b' value='x'/>",
      "<txt name='a.b' value='x'/>",
      "<txt name='t,3' value='x'/>",
      "<txt name='t4' value=''/>",
      "<srv service='a' protocol='tcp'/>",
      "<txt name='t5' value='x'",
    ],
    extra: [
      ["u4", ADD, -1, "<txt name='t6' value='v6'/>", LIVE | CONFIG],
      ["u4", DEL, -1, "<txt name='t6' value='anything'/>", CONFIG],
      ["off", ADD, -1, "<txt name='o' value='v'/>", 0],
      ["iso", ADD, -1, "<txt name='o' value='v'/>", 0],
      ["iso", DEL, -1, "<txt name='o'/>", 0],
    ],
  },
  "dns-srv": {
    section: VIR.NETWORK_SECTION_DNS_SRV,
    net: "u4",
    indices: [-1, 0],
    xmls: [
      "<srv service='http' protocol='tcp'/>",
      "<srv service='ldap' protocol='tcp' domain='ex.org' target='ldap.ex.org' port='389'/>",
      "<srv service='ldap'/>",
      "<srv service='h' protocol='tcp' port='80'/>",
      "<srv service='h' protocol='tcp' target='t' port='0'/>",
      "<srv service='h.x' protocol='tcp'/>",
      "<srv protocol='udp'/>",
      "<srv service='http' protocol='tcp' target='w' priority='70000'/>",
      "<srv service='http' protocol='t.p'/>",
      "<srv service='www' protocol='tcp' domain='ex.org' target='w.ex.org' port='80' " +
      "priority='5' weight='50'/>",
      "<srv service='x' protocol='tcp' target='t' weight='abc'/>",
      "<txt name='a' value='b'/>",
      "<srv service='y' protocol='tcp'",
    ],
    extra: [
      ["u4", ADD, -1, "<srv service='a1' protocol='tcp' target='t1'/>", LIVE | CONFIG],
      ["u4", ADD, -1, "<srv service='a1' protocol='udp' target='t1'/>", LIVE | CONFIG],
      ["u4", DEL, -1, "<srv service='a1'/>", LIVE | CONFIG],
      ["u4", DEL, -1, "<srv service='a1' protocol='udp'/>", LIVE | CONFIG],
      ["u4", DEL, -1, "<srv/>", LIVE | CONFIG],
      ["off", ADD, -1, "<srv service='o' protocol='tcp'/>", 0],
    ],
  },
};

/** Sections libvirt refuses, unknown sections, and what is checked before the section. */
function refusals(): Op[] {
  const ops: Op[] = [];
  const tried: [number, string][] = [
    [VIR.NETWORK_SECTION_BRIDGE, "<bridge name='virbr99'/>"],
    [VIR.NETWORK_SECTION_DOMAIN, "<domain name='x.org'/>"],
    [VIR.NETWORK_SECTION_IP, "<ip address='10.99.0.1' prefix='24'/>"],
    [VIR.NETWORK_SECTION_FORWARD, "<forward mode='route'/>"],
    [VIR.NETWORK_SECTION_FORWARD_PF, "<pf dev='eth0'/>"],
    [VIR.NETWORK_SECTION_NONE, "<host/>"],
    [13, "<host/>"],
    [VIR.NETWORK_SECTION_BRIDGE, "<bridge"],
    [VIR.NETWORK_SECTION_IP, "not xml"],
  ];
  for (const [section, xml] of tried) {
    for (const flags of [0, CONFIG]) {
      ops.push(...update("u4", ADD, section, -1, xml, flags));
    }
  }
  ops.push(...update("v6", ADD, VIR.NETWORK_SECTION_BRIDGE, -1, "<bridge/>", LIVE));
  ops.push(...update("tr", ADD, VIR.NETWORK_SECTION_DOMAIN, -1, "<domain/>", CONFIG));
  ops.push(...update("u4", ADD, VIR.NETWORK_SECTION_DOMAIN, -1, "<domain/>", 8));
  return ops;
}

/** mulberry32: a small seeded generator, so that the random scenario is the same every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * `count` random updates: any network, section (mostly with its own elements, sometimes with
 * another section's or a refused section), command, index and flags, with the running networks
 * now and then stopped or started, so that interactions the enumeration misses show up.
 */
function randomSequence(seed: number, count: number): Op[] {
  const rnd = seeded(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)];
  const sections = Object.values(SECTIONS);
  const nets = ["u4", "u4", "u4", "u4", "v6", "v6", ...Object.keys(NETWORKS)];
  const ops: Op[] = [];
  for (let i = 0; i < count; i++) {
    if (rnd() < 0.05) {
      // "tr" is transient: destroying it would make it vanish for the rest of the run.
      ops.push({ op: pick(["create", "destroy"]), net: pick(["u4", "v6", "brf", "off"]) });
      continue;
    }
    const c = pick(sections);
    const section = rnd() < 0.9 ? c.section : pick([1, 2, 3, 6, 8, 0, 13]);
    ops.push(
      ...update(
        // Mostly the running persistent network and adds, so that many updates succeed.
        pick(nets),
        pick([3, 4, 3, 4, 2, 2, 1, 0, 5]),
        section,
        pick([-1, -1, 0, 1, 2, 5]),
        pick(rnd() < 0.75 ? c.xmls : pick(sections).xmls),
        pick([0, 0, 0, LIVE, CONFIG, LIVE | CONFIG]),
      ),
    );
  }
  return ops;
}

const here = new URL("../conformance/scenarios/", import.meta.url);
const write = async (name: string, ops: Op[]) => {
  const lines = ops.map((o) => "  " + JSON.stringify(o));
  await Deno.writeTextFile(
    new URL(`net-update-${name}.json`, here),
    `[\n${lines.join(",\n")}\n]\n`,
  );
};

if (import.meta.main) {
  for (const [name, c] of Object.entries(SECTIONS)) {
    await write(name, [
      { op: "comment", text: `networkUpdate ${name}: generated by gen_net_update_scenarios.ts` },
      ...setup(),
      ...enumerate(c),
    ]);
  }
  await write("refused", [
    { op: "comment", text: "networkUpdate refusals: generated by gen_net_update_scenarios.ts" },
    ...setup(),
    ...refusals(),
  ]);
  for (const seed of [10, 11]) {
    await write(seed === 10 ? "random" : `random-${seed}`, [
      {
        op: "comment",
        text: `networkUpdate, seed ${seed}: generated by gen_net_update_scenarios.ts`,
      },
      ...setup(),
      ...randomSequence(seed, 600),
    ]);
  }
}
