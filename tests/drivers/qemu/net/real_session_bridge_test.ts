/**
 * Bridge and network NICs of an unprivileged `qemu:///session`, with real QEMU (TCG) and the
 * real `qemu-bridge-helper`, inside a network namespace of the test's own with bridges `br0`
 * and `br1`. The helper reads its ACL from the fixed `/etc/qemu/bridge.conf`, a host file the
 * test must not touch: the child runs in a mount namespace of its own (`unshare --mount`,
 * private) where an overlay on `/etc` (its upper layer on a tmpfs of that namespace) holds a
 * `bridge.conf` allowing `br0` only, so the host's `/etc` never changes. The child
 * (`real_session_bridge_child.ts`) drives the driver with taps made as a user's session makes
 * them, and its helper refusals are compared with libvirt 9.0's session driver's; then evsh,
 * a new driver process, finds the domain again, lists its NICs and destroys
 * it, and no tap is left.
 */
import assert from "node:assert/strict";
import { withRoot } from "../../secondary_helpers.ts";
import { evshInNs, inNs, withNetns } from "../../network/netns_helpers.ts";
import { realQemuTest } from "../real_qemu.ts";

const HELPER = "/usr/lib/qemu/qemu-bridge-helper";
const expected: unknown[] = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/session_bridge_errors.json", import.meta.url)),
);

/** Sets up the private `/etc` overlay in the mount namespace, then runs the command. */
const SETUP = `set -e
mount -t tmpfs evt-etc "$EVT_LAYER"
mkdir "$EVT_LAYER/upper" "$EVT_LAYER/work"
mount -t overlay evt-etc -o "lowerdir=/etc,upperdir=$EVT_LAYER/upper,workdir=$EVT_LAYER/work" /etc
mkdir -p /etc/qemu
echo 'allow br0' > /etc/qemu/bridge.conf
exec "$@"`;

interface Port {
  ifname: string;
  address: string;
  flags: string[];
}

realQemuTest({
  name: "real QEMU, unprivileged: QEMU runs the bridge helper, taps named from the kernel",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withNetns(async (ns) => {
      assert.ok(Deno.statSync(HELPER).isFile, `${HELPER} (Debian's qemu-system-common)`);
      for (const br of ["br0", "br1"]) {
        await inNs(ns, "ip", "link", "add", br, "type", "bridge");
        await inNs(ns, "ip", "link", "set", br, "up");
      }
      await withRoot(async (root) => {
        const layer = await Deno.makeTempDir();
        const child = new URL("./real_session_bridge_child.ts", import.meta.url).pathname;
        const evsh = (cmds: string) => evshInNs(ns, root, cmds);
        try {
          const out = await inNs(
            undefined,
            "env",
            `EVT_LAYER=${layer}`,
            "ip",
            "netns",
            "exec",
            ns,
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            SETUP,
            "sh",
            Deno.execPath(),
            "run",
            "-A",
            "--quiet",
            child,
            root,
          );
          const r = JSON.parse(out.trim().split("\n").pop()!);
          assert.equal(r.error, undefined, r.error);
          // The kernel names the helper's taps; the user's <target dev='mytap'> gave way.
          const started = r.started as Port[];
          assert.equal(started.length, 2, JSON.stringify(started));
          const [bridgeTap, networkTap] = started.map((p) => p.ifname);
          for (const p of started) {
            assert.match(p.ifname, /^tap\d+$/);
            assert.match(p.address, /^fe:/, "the helper's MAC keeps off the bridge's");
            assert.ok(p.flags.includes("LOWER_UP"), `QEMU holds ${p.ifname}`);
          }
          assert.match(
            r.live,
            new RegExp(`<source bridge='br0'/>\\s*<target dev='${bridgeTap}'/>`),
          );
          assert.match(
            r.live,
            new RegExp(
              `<source network='lan' portid='[0-9a-f-]{36}' bridge='br0'/>\\s*` +
                `<target dev='${networkTap}'/>`,
            ),
          );
          assert.doesNotMatch(r.live, /mytap/);

          // Hotplug: the new tap is the third port, named in the live XML; it goes on unplug.
          const plugged = (r.plugged as Port[]).map((p) => p.ifname);
          assert.equal(plugged.length, 3, JSON.stringify(plugged));
          const hotTap = plugged.find((n) => n !== bridgeTap && n !== networkTap)!;
          assert.match(
            r.attached,
            new RegExp(
              `<mac address='52:54:00:5e:00:03'/>\\s*<source bridge='br0'/>\\s*` +
                `<target dev='${hotTap}'/>`,
            ),
          );
          assert.doesNotMatch(r.detached, /52:54:00:5e:00:03/);
          assert.deepEqual((r.unplugged as Port[]).map((p) => p.ifname), [bridgeTap, networkTap]);

          // br1 is not in bridge.conf: the helper's own refusal, worded as libvirt 9.0's
          // session driver words it (fixtures/session_bridge_errors.json, recorded by
          // fixtures/record_session_bridge.sh), but for the `--fd=N` of the helper's command
          // line: QEMU runs it here, with a descriptor of its own the driver does not know.
          const libvirt = (expected as { message?: string }[]).map((e) => ({
            ...e,
            message: e.message?.replace(/ --fd=\d+/, ""),
          }));
          assert.equal(libvirt.length, 4);
          assert.deepEqual(r.denied, libvirt);
          assert.deepEqual((r.afterDenied as Port[]).map((p) => p.ifname), [
            bridgeTap,
            networkTap,
          ]);
          assert.deepEqual(
            JSON.parse(await inNs(ns, "ip", "-j", "link", "show", "master", "br1")),
            [],
          );

          // A new driver process finds the running domain and its taps again (domiflist; a
          // network NIC on a host bridge shows its actual type, bridge, as libvirt's live XML).
          const list = await evsh(`domiflist sess1; domifstat sess1 ${bridgeTap}`);
          assert.match(
            list,
            new RegExp(`^ ${bridgeTap} +bridge +br0 +virtio +52:54:00:5e:00:01$`, "m"),
          );
          assert.match(
            list,
            new RegExp(`^ ${networkTap} +bridge +lan +e1000 +52:54:00:5e:00:02$`, "m"),
          );
          assert.match(list, new RegExp(`^${bridgeTap} rx_bytes \\d+$`, "m"));
        } finally {
          await evsh("destroy sess1; net-destroy lan").catch(() => {});
          await Deno.remove(layer, { recursive: true });
        }
        // QEMU closed the taps: only the test's bridges are left.
        const links = JSON.parse(await inNs(ns, "ip", "-j", "link", "show"));
        assert.deepEqual(links.map((l: { ifname: string }) => l.ifname).sort(), [
          "br0",
          "br1",
          "lo",
        ]);
      });
    }),
});
