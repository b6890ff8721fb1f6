/**
 * What a live `networkUpdate` does to the host for each section, as bridge_driver.c's
 * networkUpdate: the sections on dnsmasq's command line (ranges, TXT, SRV) restart it, DHCP and
 * DNS hosts rewrite its hosts files and SIGHUP it, the firewall is reloaded around the sections
 * that can change it, and a portgroup touches nothing but the definition. Played on the fake
 * host (fake_runner.ts); network_netns_test.ts runs dnsmasq for real.
 */
import { parseNetworkStatus } from "../../../drivers/network/floor_state.ts";
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { withNet } from "./fake_runner.ts";

const NET = `<network><name>n1</name><uuid>3e3fce45-4f53-4fa7-bb32-11f34168b82b</uuid>
  <forward mode='nat'/>
  <ip address='192.168.150.1' netmask='255.255.255.0'>
    <dhcp><range start='192.168.150.2' end='192.168.150.254'/>
      <host mac='52:54:00:00:00:10' name='vm1' ip='192.168.150.10'/></dhcp>
  </ip></network>`;

const { NETWORK_UPDATE_COMMAND_ADD_LAST: ADD, NETWORK_UPDATE_COMMAND_DELETE: DEL } = VIR;

interface Case {
  section: keyof typeof VIR;
  command: number;
  xml: string;
  /** What happens to dnsmasq. */
  dnsmasq: "restart" | "sighup" | "untouched";
  /** Whether the firewall rules are removed and added again. */
  firewall: boolean;
  /** The dnsmasq file (under run/network/dnsmasq/) that shows the change, and how. */
  file?: [string, RegExp];
}

const CASES: Case[] = [
  {
    section: "NETWORK_SECTION_IP_DHCP_HOST",
    command: ADD,
    xml: "<host mac='52:54:00:00:00:11' name='vm2' ip='192.168.150.11'/>",
    dnsmasq: "sighup",
    firewall: true,
    file: ["n1.hostsfile", /^52:54:00:00:00:11,192.168.150.11,vm2$/m],
  },
  {
    section: "NETWORK_SECTION_IP_DHCP_RANGE",
    command: ADD,
    xml: "<range start='192.168.150.2' end='192.168.150.99'/>",
    dnsmasq: "restart",
    firewall: true,
    file: ["n1.conf", /^dhcp-range=192.168.150.2,192.168.150.99,255.255.255.0$/m],
  },
  {
    section: "NETWORK_SECTION_FORWARD_INTERFACE",
    command: ADD,
    xml: "<interface dev='eth7'/>",
    dnsmasq: "untouched",
    firewall: true,
  },
  {
    section: "NETWORK_SECTION_PORTGROUP",
    command: ADD,
    xml: "<portgroup name='web'/>",
    dnsmasq: "untouched",
    firewall: false,
  },
  {
    section: "NETWORK_SECTION_DNS_HOST",
    command: ADD,
    xml: "<host ip='192.168.150.5'><hostname>h5</hostname></host>",
    dnsmasq: "sighup",
    firewall: false,
    file: ["n1.addnhosts", /^192.168.150.5\th5\t$/m],
  },
  {
    section: "NETWORK_SECTION_DNS_TXT",
    command: ADD,
    xml: "<txt name='t1' value='v1'/>",
    dnsmasq: "restart",
    firewall: false,
    file: ["n1.conf", /^txt-record=t1,v1$/m],
  },
  {
    section: "NETWORK_SECTION_DNS_SRV",
    command: ADD,
    xml: "<srv service='ldap' protocol='tcp'/>",
    dnsmasq: "restart",
    firewall: false,
    file: ["n1.conf", /^srv-host=_ldap._tcp$/m],
  },
  {
    section: "NETWORK_SECTION_IP_DHCP_HOST",
    command: DEL,
    xml: "<host mac='52:54:00:00:00:10'/>",
    dnsmasq: "sighup",
    firewall: true,
    file: ["n1.hostsfile", /^$/],
  },
];

for (const c of CASES) {
  const what = `${c.section.replace("NETWORK_SECTION_", "")} ${
    c.command === ADD ? "add" : "delete"
  }`;
  Deno.test(`live networkUpdate ${what}: dnsmasq ${c.dnsmasq}, firewall ${c.firewall ? "reloaded" : "untouched"}`, async () => {
    await withNet(async (conn, host, root) => {
      const net = await conn.networkDefineXMLFlags!(NET, 0);
      await conn.networkCreate!(net);
      const [pid] = host.processes.keys();
      const rules = [...host.rules].sort();
      host.take();
      await conn.networkUpdate!(net, c.command, VIR[c.section], -1, c.xml, 0);
      const cmds = host.take();
      const [after] = host.processes.keys();
      const signals = { restart: [`SIGTERM ${pid}`], sighup: [`SIGHUP ${pid}`], untouched: [] };
      assert.deepEqual(host.signals, signals[c.dnsmasq]);
      assert.equal(after === pid, c.dnsmasq !== "restart", "a new dnsmasq only on restart");
      assert.equal(host.processes.size, 1);
      assert.equal(cmds.some((l) => /^iptables .*--delete/.test(l)), c.firewall, cmds.join("\n"));
      assert.equal(cmds.some((l) => /^iptables .*--insert/.test(l)), c.firewall, cmds.join("\n"));
      if (c.section === "NETWORK_SECTION_FORWARD_INTERFACE") {
        // The NAT rules now name the one forward device.
        assert.ok([...host.rules].some((r) => / --out-interface eth7 /.test(r)));
      } else {
        assert.deepEqual([...host.rules].sort(), rules);
      }
      if (c.file) {
        const [file, re] = c.file;
        assert.match(await Deno.readTextFile(`${root}/run/network/dnsmasq/${file}`), re);
      }
      // dnsmasq, no longer root, must be able to reread the hosts files; only the
      // configuration, read once as root, stays private (libvirt's modes).
      const modes = { conf: 0o600, hostsfile: 0o644, addnhosts: 0o644 };
      for (const [ext, mode] of Object.entries(modes)) {
        const st = await Deno.stat(`${root}/run/network/dnsmasq/n1.${ext}`);
        assert.equal(st.mode! & 0o777, mode, ext);
      }
      // The live change is in the status file, the persistent config is as it was.
      const live = await conn.networkGetXMLDesc!(net, 0);
      // The status file is libvirt's <networkstatus>: the floor state, then the live network.
      const { networkXml } = parseNetworkStatus(
        await Deno.readTextFile(`${root}/run/network/n1.xml`),
      );
      assert.equal(networkXml, live);
      assert.equal(
        await Deno.readTextFile(`${root}/etc/network/n1.xml`),
        await conn.networkGetXMLDesc!(net, VIR.NETWORK_XML_INACTIVE),
      );
      assert.notEqual(live, await conn.networkGetXMLDesc!(net, VIR.NETWORK_XML_INACTIVE));
    });
  });
}

Deno.test("a config-only update of a running network leaves the host and the live state alone", async () => {
  await withNet(async (conn, host, root) => {
    const net = await conn.networkDefineXMLFlags!(NET, 0);
    await conn.networkCreate!(net);
    const status = await Deno.readTextFile(`${root}/run/network/n1.xml`);
    host.take();
    for (const c of CASES.filter((c) => c.command === ADD)) {
      await conn.networkUpdate!(
        net,
        ADD,
        VIR[c.section],
        -1,
        c.xml,
        VIR.NETWORK_UPDATE_AFFECT_CONFIG,
      );
    }
    assert.deepEqual(host.take(), []);
    assert.deepEqual(host.signals, []);
    assert.equal(await Deno.readTextFile(`${root}/run/network/n1.xml`), status);
    const config = await Deno.readTextFile(`${root}/etc/network/n1.xml`);
    for (const re of [/name='vm2'/, /<txt name='t1'/, /<srv service='ldap'/, /dev='eth7'/, /web/]) {
      assert.match(config, re);
    }
  });
});

Deno.test("a refused live update puts the firewall back and leaves dnsmasq alone", async () => {
  await withNet(async (conn, host) => {
    const net = await conn.networkDefineXMLFlags!(NET, 0);
    await conn.networkCreate!(net);
    const rules = [...host.rules].sort();
    host.take();
    await assert.rejects(
      conn.networkUpdate!(
        net,
        ADD,
        VIR.NETWORK_SECTION_IP_DHCP_RANGE,
        -1,
        "<range start='10.0.0.2' end='10.0.0.9'/>",
        VIR.NETWORK_UPDATE_AFFECT_LIVE,
      ),
      /range 10.0.0.2 - 10.0.0.9 is not entirely within network 192.168.150.1\/24/,
    );
    assert.deepEqual([...host.rules].sort(), rules);
    assert.deepEqual(host.signals, []);
  });
});
