/**
 * The network driver on a real host, inside a network namespace of its own (see
 * netns_helpers.ts): the driver runs in this process with its runner prefixing every command
 * with `ip netns exec NS`, and evsh runs whole under `ip netns exec NS`. net-define, net-start:
 * the bridge is up with the XML's address, dnsmasq runs with the range, the NAT rules are in
 * place, IP forwarding is on; net-destroy leaves no bridge, no dnsmasq, no rule, no file.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { withRoot } from "../secondary_helpers.ts";
import { networkDriver } from "../../../drivers/network/mod.ts";
import { hostRunner } from "../../../drivers/network/runner.ts";
import { evshInNs, inNs, withDriverIn, withNetns } from "./netns_helpers.ts";

const NAT = `<network><name>evtnat</name>
  <forward mode='nat'/>
  <ip address='192.168.150.1' netmask='255.255.255.0'>
    <dhcp><range start='192.168.150.2' end='192.168.150.254'/></dhcp>
  </ip></network>`;

/** The libvirt rules in force in `ns` (chain declarations and hooks left out). */
async function libvirtRules(ns: string): Promise<string[]> {
  const out: string[] = [];
  for (const table of ["filter", "nat", "mangle"]) {
    const text = await inNs(ns, "iptables", "-w", "-t", table, "-S");
    out.push(...text.split("\n").filter((l) => /^-A LIBVIRT_/.test(l)).map((l) => `${table} ${l}`));
  }
  return out;
}

function alive(pid: number): boolean {
  return hostRunner().kill(pid, 0);
}

Deno.test("real host: a NAT network in a namespace is built and torn down completely", async () => {
  await withNetns(async (ns) => {
    await withDriverIn(ns, async (conn, root) => {
      const net = await conn.networkDefineXMLFlags!(NAT, 0);
      await conn.networkCreate!(net);

      const link = JSON.parse(await inNs(ns, "ip", "-j", "addr", "show", "dev", "virbr0"))[0];
      assert.equal(link.operstate === "UP" || link.flags.includes("UP"), true);
      const v4 = link.addr_info.find((a: { family: string }) => a.family === "inet");
      assert.deepEqual([v4.local, v4.prefixlen, v4.broadcast], [
        "192.168.150.1",
        24,
        "192.168.150.255",
      ]);
      assert.equal((await inNs(ns, "sysctl", "-n", "net.ipv4.ip_forward")).trim(), "1");

      const pid = Number(await Deno.readTextFile(`${root}/run/network/evtnat.pid`));
      assert.ok(alive(pid), "dnsmasq runs");
      const cmdline = (await Deno.readTextFile(`/proc/${pid}/cmdline`)).split("\0");
      assert.equal(cmdline[0], "/usr/sbin/dnsmasq");
      const conf = await Deno.readTextFile(`${root}/run/network/dnsmasq/evtnat.conf`);
      assert.match(conf, /^dhcp-range=192.168.150.2,192.168.150.254,255.255.255.0$/m);
      assert.match(conf, /^interface=virbr0$/m);

      const rules = await libvirtRules(ns);
      assert.ok(
        rules.includes(
          "nat -A LIBVIRT_PRT -s 192.168.150.0/24 ! -d 192.168.150.0/24 -j MASQUERADE",
        ),
        rules.join("\n"),
      );
      assert.equal(rules.length, 19, rules.join("\n"));

      await conn.networkDestroy!(net);
      assert.ok(!alive(pid), "dnsmasq is gone");
      const links = JSON.parse(await inNs(ns, "ip", "-j", "link", "show"));
      assert.deepEqual(links.map((l: { ifname: string }) => l.ifname), ["lo"]);
      assert.deepEqual(await libvirtRules(ns), []);
      const left: string[] = [];
      for await (const e of Deno.readDir(`${root}/run/network`)) left.push(e.name);
      assert.deepEqual(left.sort(), ["autostarted", "dnsmasq"]);
      await conn.networkUndefine!(net);
    });
  });
});

Deno.test("real host: evsh on qemu:///embed in a namespace: net-define, net-start, net-info, net-dumpxml", async () => {
  await withNetns(async (ns) => {
    await withRoot(async (root) => {
      const file = join(root, "nat.xml");
      await Deno.writeTextFile(file, NAT);
      const evsh = (cmds: string) => evshInNs(ns, root, cmds);
      const out = await evsh(
        `net-define ${file}; net-start evtnat; net-info evtnat; net-dumpxml evtnat`,
      );
      assert.match(out, /Network evtnat defined from /);
      assert.match(out, /Network evtnat started/);
      assert.match(out, /^Active: +yes$/m);
      assert.match(out, /^Bridge: +virbr0$/m);
      assert.match(out, /<ip address='192.168.150.1' netmask='255.255.255.0'>/);
      const link = JSON.parse(await inNs(ns, "ip", "-j", "addr", "show", "dev", "virbr0"))[0];
      assert.ok(link.addr_info.some((a: { local: string }) => a.local === "192.168.150.1"));
      assert.match(
        await inNs(ns, "iptables", "-w", "-t", "nat", "-S", "LIBVIRT_PRT"),
        /MASQUERADE/,
      );
      // A second evsh process takes the running network back and tears it down.
      const out2 = await evsh("net-destroy evtnat; net-undefine evtnat; net-list --all");
      assert.match(out2, /Network evtnat destroyed/);
      const links = JSON.parse(await inNs(ns, "ip", "-j", "link", "show"));
      assert.deepEqual(links.map((l: { ifname: string }) => l.ifname), ["lo"]);
      assert.doesNotMatch(await inNs(ns, "iptables", "-w", "-t", "nat", "-S"), /-A LIBVIRT_PRT/);
    });
  });
});

Deno.test("real host: an unprivileged session user's network fails to start as libvirt 9.0's session does", async () => {
  await withNetns(async (ns) => {
    await withRoot(async (root) => {
      // The driver's commands run as nobody, as a session daemon's would.
      const inner = hostRunner(ns);
      const nobody = {
        run: (argv: readonly string[], env?: Record<string, string>) =>
          inner.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ...argv], env),
        kill: inner.kill,
      };
      const conn = await networkDriver.open(new URL("qemu:///session"), {
        stateDir: root,
        networkRunner: nobody,
      });
      try {
        const net = await conn.networkDefineXMLFlags!(NAT, 0);
        assert.match(await conn.networkGetXMLDesc!(net, 0), /<bridge name='virbr0'/);
        // What libvirtd 9.0's qemu:///session answered (recorded with oracle/daemon.sh).
        await assert.rejects(
          conn.networkCreate!(net),
          (e: Error & { code: number; domain: number }) => {
            assert.deepEqual(
              [e.code, e.domain, e.message],
              [38, 0, "error creating bridge interface virbr0: Operation not permitted"],
            );
            return true;
          },
        );
        const links = JSON.parse(await inNs(ns, "ip", "-j", "link", "show"));
        assert.deepEqual(links.map((l: { ifname: string }) => l.ifname), ["lo"]);
        await conn.networkUndefine!(net);
      } finally {
        await conn.connectClose();
      }
    });
  });
});

Deno.test("real host: a DHCP client on the network gets its lease, and networkGetDHCPLeases shows it", async () => {
  await withNetns(async (ns) => {
    await withNetns(async (guest) => {
      await withDriverIn(ns, async (conn) => {
        // STP off: the port forwards at once, no listening/learning wait for the client.
        const net = await conn.networkDefineXMLFlags!(
          NAT.replace("<forward mode='nat'/>", "<forward mode='nat'/><bridge stp='off'/>"),
          0,
        );
        await conn.networkCreate!(net);
        // A guest NIC stand-in: a veth pair, one end a port of the bridge, the other in
        // the guest's namespace with a fixed MAC, asking busybox's udhcpc for a lease.
        await inNs(
          ns,
          "ip",
          "link",
          "add",
          "evtvnet0",
          "type",
          "veth",
          "peer",
          "name",
          "eth0",
          "netns",
          guest,
        );
        await inNs(ns, "ip", "link", "set", "evtvnet0", "master", "virbr0", "up");
        await inNs(guest, "ip", "link", "set", "eth0", "address", "52:54:00:aa:bb:01", "up");
        for (let i = 0; i < 100; i++) {
          if (
            (await inNs(ns, "bridge", "link", "show", "dev", "evtvnet0")).includes("forwarding")
          ) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        await inNs(
          guest,
          ...["busybox", "udhcpc", "-i", "eth0", "-f", "-q", "-n", "-t", "10", "-T", "1"],
          ...["-s", "/bin/true", "-x", "hostname:guest1"],
        );
        const leases = await conn.networkGetDHCPLeases!(net, "52:54:00:AA:BB:01", 0);
        assert.equal(leases.length, 1, JSON.stringify(leases));
        const lease = leases[0] as Record<string, unknown>;
        assert.equal(lease.iface, "virbr0");
        assert.equal(lease.mac, "52:54:00:aa:bb:01");
        assert.equal(lease.hostname, "guest1");
        assert.equal(lease.prefix, 24);
        assert.match(String(lease.ipaddr), /^192\.168\.150\.\d+$/);
        assert.ok(Number(lease.expirytime) > Date.now() / 1000);
        await conn.networkDestroy!(net);
        await conn.networkUndefine!(net);
      });
    });
  });
});
