import assert from "node:assert/strict";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { FakeLauncher, FakeTapHost } from "../../../drivers/qemu/testing/mod.ts";
import { secretDriver } from "../../../drivers/secret/mod.ts";
import { VIR } from "../../../util/constants.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import type { VirError } from "../../../util/errors.ts";
import { createRegistry } from "../../../util/registry.ts";
import { EMULATOR, KeepingLauncher, realQemuTest } from "./real_qemu.ts";
import { SystemLauncher } from "../../../drivers/qemu/process/mod.ts";
import { imageDir } from "./images.ts";

const SECRET_UUID = "c0ffee00-1111-4222-8333-444455556666";

const domainXML = (image: string, format: string, encFormat = "luks") =>
  `<domain type='qemu'><name>enc1</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
<disk type='file' device='disk'><driver name='qemu' type='${format}'/>
<source file='${image}'><encryption format='${encFormat}'>
<secret type='passphrase' uuid='${SECRET_UUID}'/></encryption></source>
<target dev='vda' bus='virtio'/></disk><memballoon model='none'/></devices></domain>`;

/** The last `-blockdev` of a command line: the top format node of its last disk. */
const formatNode = (argv: string[]) => JSON.parse(argv[argv.lastIndexOf("-blockdev") + 1]);

/** The QEMU driver with the host's secret driver under a temp root, a private secret in it. */
async function world(launcher: FakeLauncher | SystemLauncher, passphrase: string) {
  // The fake's disk image exists (a start checks it); real-QEMU tests make theirs over it.
  const dir = await imageDir("ev-disk-secret-", ["disk.img", "disk.qcow2"]);
  const conn: DriverConnection = await createRegistry([qemuConnectDriver], [secretDriver])
    .find("qemu")!.open(new URL(`qemu:///embed?root=${dir}`), {
      launcher,
      taps: new FakeTapHost([]),
      log: () => {},
    });
  const secret = await conn.secretDefineXML!(
    `<secret ephemeral='no' private='yes'><uuid>${SECRET_UUID}</uuid>` +
      `<usage type='volume'><volume>${dir}/disk.img</volume></usage></secret>`,
    0,
  );
  await conn.secretSetValue!(secret, [...new TextEncoder().encode(passphrase)], 0);
  return {
    dir,
    conn,
    async [Symbol.asyncDispose]() {
      // QEMU outlives its driver: what a failed test left running goes with it.
      if (launcher instanceof KeepingLauncher) {
        for (const p of launcher.procs) if (p.alive()) p.kill("SIGKILL");
      }
      await conn.connectClose();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

const err = async (p: Promise<unknown>) => (await p.then(() => undefined, (e) => e)) as VirError;

Deno.test("a LUKS disk's private key goes to QEMU as a secret object read from a 0600 file, never on the command line", async () => {
  const launcher = new FakeLauncher();
  const seen: { file: string; mode: number; text: string }[] = [];
  const launch = launcher.launch.bind(launcher);
  launcher.launch = async (emulator, argv, monitor) => {
    for (const a of argv.filter((_, i) => argv[i - 1] === "-object")) {
      const file = a.match(/file=([^,]+)/)![1];
      seen.push({
        file,
        mode: (await Deno.stat(file)).mode! & 0o777,
        text: await Deno.readTextFile(file),
      });
    }
    return launch(emulator, argv, monitor);
  };
  await using w = await world(launcher, "s3cret-pass");
  assert.equal(
    (await err(w.conn.secretGetValue!({ uuid: SECRET_UUID, usageType: 1, usageID: "" }, 0)))
      .message,
    "Invalid secret: secret is private",
  );
  const dom = await w.conn.domainCreateXML!(domainXML(`${w.dir}/disk.img`, "raw"), 0);
  const argv = launcher.launches[0];
  // libvirt 9.0 names the object after the format node: libvirt-1-format-encryption-secret0.
  const id = "libvirt-1-format-encryption-secret0";
  assert.deepEqual(seen, [{
    file: `${w.dir}/run/qemu/enc1-${id}.secret`,
    mode: 0o600,
    text: "s3cret-pass",
  }]);
  assert.ok(argv.includes(`secret,id=${id},file=${seen[0].file},format=raw`));
  // A LUKS container is QEMU's `luks` format node, the key its `key-secret`.
  assert.deepEqual(formatNode(argv), {
    "node-name": "libvirt-1-format",
    "read-only": false,
    driver: "luks",
    "key-secret": id,
    file: "libvirt-1-storage",
  });
  assert.ok(!argv.join(" ").includes("s3cret"), "the key never is on the command line");
  await assert.rejects(Deno.stat(seen[0].file), Deno.errors.NotFound, "the key file is gone");
  assert.match(
    await w.conn.domainGetXMLDesc!(dom, 0),
    new RegExp(
      `<encryption format='luks' engine='qemu'>\\s*<secret type='passphrase' uuid='${SECRET_UUID}'/>`,
    ),
  );
  await w.conn.domainDestroyFlags!(dom, 0);

  await w.conn.domainCreateXML!(domainXML(`${w.dir}/disk.qcow2`, "qcow2"), 0);
  // A qcow2 carries LUKS as its encryption (libvirt's luks-disks-source-qcow2 args).
  assert.deepEqual(formatNode(launcher.launches[1]), {
    "node-name": "libvirt-1-format",
    "read-only": false,
    driver: "qcow2",
    encrypt: { format: "luks", "key-secret": id },
    file: "libvirt-1-storage",
    backing: null,
  });
});

Deno.test("encryption the driver cannot honour refuses the start with libvirt's errors", async () => {
  const launcher = new FakeLauncher();
  await using w = await world(launcher, "x");
  const start = (xml: string) => err(w.conn.domainCreateXML!(xml, 0));
  const qcow = await start(domainXML(`${w.dir}/a.img`, "qcow2", "qcow"));
  assert.equal(
    qcow.message,
    "unsupported configuration: old qcow/qcow2 encryption is not supported",
  );
  const luks2 = await start(domainXML(`${w.dir}/a.img`, "raw", "luks2"));
  assert.equal(
    luks2.message,
    "unsupported configuration: luks2 is currently not supported by the qemu encryption engine",
  );
  const vmdk = await start(domainXML(`${w.dir}/a.img`, "vmdk"));
  assert.equal(
    vmdk.message,
    "unsupported configuration: encryption is supported only with 'raw' and 'qcow2' image format",
  );
  const missing = await start(
    domainXML(`${w.dir}/a.img`, "raw").replace(SECRET_UUID, "c0ffee00-1111-4222-8333-000000000000"),
  );
  assert.deepEqual(
    [missing.code, missing.message],
    [
      VIR.ERR_NO_SECRET,
      "Secret not found: no secret with matching uuid 'c0ffee00-1111-4222-8333-000000000000'",
    ],
  );
  assert.equal(launcher.launches.length, 0);
  const left = [...Deno.readDirSync(`${w.dir}/run/qemu`)].filter((e) => e.name.endsWith(".secret"));
  assert.deepEqual(left, []);
});

/**
 * A LUKS container made by qemu-img. Its PBKDF calibration fails now and then on a loaded
 * machine ("Unable to get accurate CPU usage"): that failure alone is tried again.
 */
async function makeLuksImage(image: string, passphrase: string): Promise<void> {
  for (let attempt = 1;; attempt++) {
    const made = await new Deno.Command("qemu-img", {
      args: [
        "create",
        "-q",
        "-f",
        "luks",
        "--object",
        `secret,id=k,data=${passphrase}`,
        "-o",
        "key-secret=k,iter-time=100",
        image,
        "4M",
      ],
    }).output();
    const stderr = new TextDecoder().decode(made.stderr);
    if (made.success) return;
    // QEMU times its first PBKDF2 round by the thread's CPU clock, whose ticks can show none.
    assert.ok(attempt < 20 && stderr.includes("Unable to get accurate CPU usage"), stderr);
  }
}

realQemuTest({
  name: "real QEMU: a LUKS image opens with the secret's passphrase and not with a wrong one",
  async fn() {
    for (const [pass, opens] of [["right-pass", true], ["wrong-pass", false]] as const) {
      await using w = await world(new SystemLauncher(), pass);
      const image = `${w.dir}/disk.img`;
      await makeLuksImage(image, "right-pass");
      const started = w.conn.domainCreateXML!(domainXML(image, "raw"), 0);
      if (opens) {
        const dom = await started;
        assert.deepEqual(await w.conn.domainGetState!(dom, 0), [VIR.DOMAIN_RUNNING, 1]);
        await w.conn.domainDestroyFlags!(dom, 0);
      } else {
        const e = await err(started);
        assert.match(e.message, /Invalid password, cannot unlock any keyslot/, `${EMULATOR}`);
      }
    }
  },
});

realQemuTest({
  name:
    "real QEMU: a hot-plugged LUKS disk opens with its key as a secret object; a wrong key leaves nothing",
  async fn() {
    const launcher = new KeepingLauncher();
    await using w = await world(launcher, "right-pass");
    const image = `${w.dir}/disk.img`;
    const other = `${w.dir}/other.img`;
    await makeLuksImage(image, "right-pass");
    await makeLuksImage(other, "other-pass");
    // ACPI: the PCI bus takes hot-plugged devices.
    const dom = await w.conn.domainCreateXML!(
      domainXML(image, "raw").replace(
        /<disk[^]*<\/disk>/,
        "<controller type='scsi' model='virtio-scsi'/>",
      )
        .replace("</os>", "</os><features><acpi/></features>"),
      0,
    );
    const disk = (file: string, target: string) =>
      domainXML(file, "raw").match(/<disk[^]*<\/disk>/)![0].replace(/<target [^>]*>/, target);
    // A SCSI disk: QEMU unplugs it without the guest's help, so the detach is seen whole.
    const sda = disk(image, "<target dev='sda' bus='scsi'/>");
    await w.conn.domainAttachDeviceFlags!(dom, sda, VIR.DOMAIN_AFFECT_LIVE);
    const mon = launcher.procs.at(-1)!.monitor;
    const nodes = await mon.run<{ "node-name": string; drv: string }[]>(
      "query-named-block-nodes",
      { flat: true },
    );
    // libvirt's names: the key is the format node's, which QEMU opens with the luks driver.
    assert.equal(nodes.find((n) => n["node-name"] === "libvirt-1-format")?.drv, "luks");
    const objects = async () =>
      (await mon.run<{ name: string }[]>("qom-list", { path: "/objects" })).map((o) => o.name);
    assert.ok((await objects()).includes("libvirt-1-format-encryption-secret0"));
    // The guest sees the decrypted image: its payload, smaller than the file.
    const blocks = await mon.run<
      { qdev?: string; inserted?: { image: { "virtual-size": number } } }[]
    >(
      "query-block",
    );
    const size = blocks.find((b) => b.qdev === "scsi0-0-0-0")?.inserted
      ?.image["virtual-size"];
    assert.ok(size !== undefined && size < (await Deno.stat(image)).size, `${size}`);

    // Another passphrase: QEMU refuses the image; its nodes and secret object go again.
    const e = await err(
      w.conn.domainAttachDeviceFlags!(
        dom,
        disk(other, "<target dev='vdc' bus='virtio'/>"),
        VIR.DOMAIN_AFFECT_LIVE,
      ),
    );
    assert.match(e.message, /Invalid password, cannot unlock any keyslot/);
    const left = await mon.run<{ "node-name": string }[]>("query-named-block-nodes", {
      flat: true,
    });
    assert.deepEqual(left.filter((n) => n["node-name"].startsWith("libvirt-2-")), []);
    assert.ok(!(await objects()).includes("libvirt-2-format-encryption-secret0"));
    assert.doesNotMatch(await w.conn.domainGetXMLDesc!(dom, 0), /vdc/);
    // No key stays on the host's disk.
    const files = [...Deno.readDirSync(`${w.dir}/run/qemu`)].map((f) => f.name);
    assert.deepEqual(files.filter((f) => f.endsWith(".secret")), []);
    // The unplug takes the nodes, then the key's object (qemuBlockStorageSourceChainDetach).
    await w.conn.domainDetachDeviceFlags!(dom, sda, VIR.DOMAIN_AFFECT_LIVE);
    const after = await mon.run<{ "node-name": string }[]>("query-named-block-nodes", {
      flat: true,
    });
    assert.deepEqual(after.filter((n) => n["node-name"].startsWith("libvirt-")), []);
    assert.ok(!(await objects()).includes("libvirt-1-format-encryption-secret0"));
    await w.conn.domainDestroyFlags!(dom, 0);
  },
});

realQemuTest({
  name: "real QEMU: a LUKS medium put into a cdrom opens with its key, as a hot-plugged disk does",
  async fn() {
    const launcher = new KeepingLauncher();
    await using w = await world(launcher, "right-pass");
    const image = `${w.dir}/disk.img`;
    await makeLuksImage(image, "right-pass");
    const cdrom = (source: string) =>
      `<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>${source}` +
      `<target dev='hdc' bus='ide'/><readonly/></disk>`;
    // Paused: the firmware probing the drive right after the start races the tray.
    const dom = await w.conn.domainCreateXML!(
      domainXML(image, "raw").replace(/<disk[^]*<\/disk>/, cdrom("")),
      VIR.DOMAIN_START_PAUSED,
    );
    const medium = domainXML(image, "raw").match(/<source[^]*<\/source>/)![0];
    await w.conn.domainUpdateDeviceFlags!(dom, cdrom(medium), VIR.DOMAIN_AFFECT_LIVE);
    const mon = launcher.procs.at(-1)!.monitor;
    const blocks = await mon.run<
      { qdev?: string; inserted?: { drv: string; image: { "virtual-size": number } } }[]
    >("query-block");
    const inserted = blocks.find((b) => b.qdev === "ide0-1-0")?.inserted;
    // Decrypted by QEMU's luks driver: the guest sees the payload, smaller than the file.
    assert.equal(inserted?.drv, "luks");
    assert.ok(inserted.image["virtual-size"] < (await Deno.stat(image)).size);
    const files = [...Deno.readDirSync(`${w.dir}/run/qemu`)].map((f) => f.name);
    assert.deepEqual(files.filter((f) => f.endsWith(".secret")), []);
    // An eject takes the medium's key object with its nodes, as an unplug does.
    const objects = async () =>
      (await mon.run<{ name: string }[]>("qom-list", { path: "/objects" })).map((o) => o.name);
    assert.ok((await objects()).some((o) => o.endsWith("-format-encryption-secret0")));
    await w.conn.domainUpdateDeviceFlags!(dom, cdrom(""), VIR.DOMAIN_AFFECT_LIVE);
    assert.deepEqual((await objects()).filter((o) => o.endsWith("-encryption-secret0")), []);
    await w.conn.domainDestroyFlags!(dom, 0);
  },
});
