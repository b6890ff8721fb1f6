// What the QEMU driver's post-parse now adds is what the guest is started with, and what a start
// cannot honour is refused: shmem defaults (libvirt 9.0's qemuxml2argvdata/shmem-plain-doorbell
// .args gives the expected devices), chardev label overrides, NIC interrupt coalescing.
import assert from "node:assert/strict";
import { startArgv as argvOf } from "./argv_of.ts";
import { parseDomainXML } from "../../../conf/domain/mod.ts";
import { formatDomainXML } from "../../../conf/domain/format.ts";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { FakeLauncher } from "../../../drivers/qemu/testing/mod.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import type { VirError } from "../../../util/errors.ts";

const domain = (devices: string, name = "m") =>
  `<domain type='qemu'><name>${name}</name><uuid>8fd5c1f4-2d4e-4b6f-9c1a-0d2a3b4c5d6e</uuid>` +
  `<memory unit='MiB'>64</memory>` +
  `<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>${devices}</devices></domain>`;

const devices = (argv: string[]) => argv.filter((_, i) => argv[i - 1] === "-device");

Deno.test("a shmem region without a size has 4 MiB, a doorbell MSI with ioeventfd on", () => {
  const argv = argvOf(domain(
    "<shmem name='shmem0'><model type='ivshmem-plain'/></shmem>" +
      "<shmem name='shmem3'><model type='ivshmem-doorbell'/><server/></shmem>" +
      "<shmem name='shmem5'><model type='ivshmem-doorbell'/><server path='/tmp/s5'/>" +
      "<msi ioeventfd='off'/></shmem>",
  ));
  const region = argv.find((a, i) => argv[i - 1] === "-object" && a.includes("shmmem-shmem0"));
  assert.equal(JSON.parse(region!).size, 4194304);
  // libvirt 9.0's shmem-plain-doorbell.args, but for the PCI slots.
  assert.deepEqual(
    devices(argv).filter((d) => d.startsWith("ivshmem-doorbell")).map((d) =>
      d.replace(/,bus=.*$/, "")
    ),
    [
      "ivshmem-doorbell,id=shmem1,chardev=charshmem1,ioeventfd=on",
      "ivshmem-doorbell,id=shmem2,chardev=charshmem2,ioeventfd=off",
    ],
  );
  // qemuDomainShmemDefPostParse's refusals (canon.sh --driver qemu).
  assert.throws(() => argvOf(domain("<shmem name='d'><model type='ivshmem-doorbell'/></shmem>")), {
    message: "unsupported configuration: shmem model 'ivshmem-doorbell' is supported only with " +
      "server option enabled",
  });
});

Deno.test("a chardev label override: relabel='no' starts unchanged, a label is refused", () => {
  const serial = (label: string) =>
    domain(`<serial type='file'><source path='/tmp/s.log'>${label}</source></serial>`);
  const plain = argvOf(serial(""));
  const unlabelled = argvOf(serial("<seclabel model='dac' relabel='no'/>"));
  assert.deepEqual(unlabelled, plain);
  assert.match(
    formatDomainXML(parseDomainXML(serial("<seclabel model='dac' relabel='no'/>"))),
    /<source path='\/tmp\/s.log'>\s*<seclabel model='dac' relabel='no'\/>/,
  );
  assert.throws(
    () => argvOf(serial("<seclabel model='dac'><label>1:1</label></seclabel>")),
    {
      message: "unsupported configuration: security label overrides of chardev 'charserial0' " +
        "are not supported",
    },
  );
});

Deno.test("NIC interrupt coalescing is kept, refused at start; types without a tap refuse it", async () => {
  const launcher = new FakeLauncher();
  const conn = await qemuConnectDriver.open(new URL("qemu:///session"), {
    stateDir: await Deno.makeTempDir({ prefix: "ev-misc-" }),
    launcher,
    kvm: false,
  }) as DriverConnection;
  const error = async (p: Promise<unknown>) => {
    const e = (await p.then(() => undefined, (e) => e)) as VirError | undefined;
    return e ? `${e.code}/${e.domain} ${e.message}` : "ok";
  };
  const nic = (type: string) =>
    `<interface type='${type}'>${type === "bridge" ? "<source bridge='br0'/>" : ""}` +
    "<model type='virtio'/><coalesce><rx><frames max='7'/></rx></coalesce></interface>";
  const dom = await conn.domainDefineXMLFlags!(domain(nic("bridge")), 0);
  assert.match(
    await conn.domainGetXMLDesc!(dom, 0),
    /<coalesce>\s*<rx>\s*<frames max='7'\/>\s*<\/rx>\s*<\/coalesce>/,
  );
  assert.equal(
    await error(conn.domainCreateWithFlags!(dom, 0)),
    "67/10 unsupported configuration: interface <coalesce> is not supported with this QEMU binary",
  );
  assert.equal(
    await error(conn.domainDefineXMLFlags!(domain(nic("user"), "u"), 0)),
    "67/10 unsupported configuration: coalesce settings on interface type user are not supported",
  );
  assert.equal(launcher.launches.length, 0);
  await conn.connectClose();
});
