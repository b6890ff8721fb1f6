/**
 * A file the QEMU driver reaches on its own — a disk's image at a start, a create, a restore, a
 * hot-plug and a media change, a volume's path, a kernel or ROM loader QEMU cannot open, an NVRAM
 * template the start cannot copy — answers libvirt's
 * error with the status of its errno (404 missing, 400 not a file of the kind needed), never a
 * 500, over HTTP; the WebSocket carries the same error (issue 14). On `qemu:///session` with a
 * fake QEMU, the host's storage driver beside it; the errors' texts are libvirt 9.0's
 * (`tests/drivers/qemu/disk_startup_test.ts` and `loader_test.ts` replay them as recorded).
 */
import assert from "node:assert/strict";
import { qemuConnectDriver, type QemuConnectOptions } from "../../drivers/qemu/mod.ts";
import { QemuExitedError } from "../../drivers/qemu/process/launcher.ts";
import { storageDriver } from "../../drivers/storage/mod.ts";
import type { SecondaryDriver } from "../../util/contract/compose.ts";
import { createRegistry } from "../../util/registry.ts";
import { strerror } from "../../util/strerror.ts";
import { blockLauncher } from "../drivers/qemu/fake_qmp/block_launcher.ts";
import { rawRpcSocket, serveGateway, startGateway, TOKENS } from "./helpers.ts";

/** A small domain with `devices` (and `os` inside its `<os>`). */
const domain = (name: string, devices: string, os = "") =>
  `<domain type='qemu'><name>${name}</name><memory unit='MiB'>64</memory>` +
  `<os><type arch='x86_64' machine='pc'>hvm</type>${os}</os>` +
  `<devices>${devices}<memballoon model='none'/></devices></domain>`;

const disk = (file: string, format = "raw", dev = "vdb") =>
  `<disk type='file' device='disk'><driver name='qemu' type='${format}'/>` +
  `<source file='${file}'/><target dev='${dev}' bus='virtio'/></disk>`;

const cdrom = (file?: string) =>
  `<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>` +
  `${file ? `<source file='${file}'/>` : ""}<target dev='hdc' bus='ide'/><readonly/></disk>`;

const ids = () => `(as uid:${Deno.uid()}, gid:${Deno.gid()})`;

Deno.test("a file the QEMU driver reaches is its errno's 4xx with libvirt's error, over HTTP and WebSocket", async () => {
  const d = await Deno.makeTempDir({ prefix: "ev-driver-files-" });
  const state = await Deno.makeTempDir({ prefix: "ev-driver-files-state-" });
  await Deno.writeFile(`${d}/vda.img`, new Uint8Array(1 << 16));
  await Deno.writeFile(`${d}/plain`, new Uint8Array());
  await Deno.mkdir(`${d}/dir`);
  await Deno.symlink(`${d}/loop`, `${d}/loop`);
  const { launcher } = blockLauncher();
  // QEMU opens the kernel itself and dies with its errno; the fake does as QEMU 7.2 does.
  const launch = launcher.launch.bind(launcher);
  launcher.launch = async (emulator, argv, monitor, fds) => {
    const kernel = argv[argv.indexOf("-kernel") + 1];
    if (argv.includes("-kernel")) {
      await Deno.stat(kernel).catch((err) => {
        throw new QemuExitedError(
          "QEMU unexpectedly closed the monitor (exit status 1): " +
            `qemu: could not open kernel file '${kernel}': ${strerror(err)}`,
          "",
        );
      });
    }
    const bios = argv[argv.indexOf("-bios") + 1];
    if (argv.includes("-bios") && !(await Deno.stat(bios).catch(() => undefined))) {
      throw new QemuExitedError(
        "QEMU unexpectedly closed the monitor (exit status 1): " +
          `qemu: could not load PC BIOS '${bios}'`,
        "",
      );
    }
    return launch(emulator, argv, monitor, fds);
  };
  const held = (s: SecondaryDriver): SecondaryDriver => ({
    ...s,
    open: (uri, options) => s.open(uri, { ...options, stateDir: state }),
  });
  const registry = createRegistry([{
    ...qemuConnectDriver,
    open: (uri: URL, options: QemuConnectOptions) =>
      qemuConnectDriver.open(uri, { ...options, stateDir: state, launcher }),
  }], [held(storageDriver)]);
  const gw = await startGateway(undefined, ["qemu:///session"], registry);
  const served = await serveGateway(gw);
  const ws = await rawRpcSocket(served.port, TOKENS.full, "qemu:///session");
  const http = async (method: string, args: unknown[]) => {
    const res = await gw.fetch(
      new Request(`http://127.0.0.1/v1/qemu/session/call/${method}`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKENS.full}`, "content-type": "application/json" },
        body: JSON.stringify(args),
      }),
    );
    return { status: res.status, body: await res.json() };
  };
  const ok = async (method: string, args: unknown[]) => {
    const { status, body } = await http(method, args);
    assert.equal(status, 200, `${method}: ${JSON.stringify(body)}`);
    return body.result;
  };
  /** The call fails alike both ways, with `status` and libvirt's code, domain and message. */
  const refused = async (
    label: string,
    method: string,
    args: unknown[],
    want: { status: number; code: number; domain: number; message: string },
  ) => {
    const { status, body } = await http(method, args);
    assert.deepEqual(
      { status, code: body.code, domain: body.domain, message: body.message },
      want,
      `${label} (HTTP)`,
    );
    const answer = await ws.call(method, args);
    assert.deepEqual(answer.error, body, `${label} (WebSocket)`);
  };
  const storage = (status: number, message: string) => ({ status, code: 38, domain: 18, message });
  try {
    assert.deepEqual((await ws.opened).error, undefined);
    const starts: [string, string, number, string][] = [
      [
        "a missing image",
        disk(`${d}/missing.img`),
        404,
        `Cannot access storage file '${d}/missing.img': No such file or directory`,
      ],
      [
        "an image in a missing folder",
        disk(`${d}/nodir/x.qcow2`, "qcow2"),
        404,
        `Cannot access storage file '${d}/nodir/x.qcow2' ${ids()}: No such file or directory`,
      ],
      [
        "an image below a file",
        disk(`${d}/plain/x.img`),
        400,
        `Cannot access storage file '${d}/plain/x.img': Not a directory`,
      ],
      [
        "an image that is a symbolic link to itself",
        disk(`${d}/loop`),
        400,
        `Cannot access storage file '${d}/loop': Too many levels of symbolic links`,
      ],
      [
        "a qcow2 image that is a folder",
        disk(`${d}/dir`, "qcow2"),
        400,
        `cannot read header '${d}/dir': Is a directory`,
      ],
    ];
    for (const [i, [label, devices, status, message]] of starts.entries()) {
      const dom = await ok("domainDefineXMLFlags", [
        domain(`s${i}`, disk(`${d}/vda.img`, "raw", "vda") + devices),
        0,
      ]);
      await refused(`start: ${label}`, "domainCreateWithFlags", [dom, 0], storage(status, message));
      await refused(
        `createXML: ${label}`,
        "domainCreateXML",
        [domain(`c${i}`, disk(`${d}/vda.img`, "raw", "vda") + devices), 0],
        storage(status, message),
      );
    }
    // A kernel QEMU cannot open: libvirt's words are QEMU's, an internal error, with its errno.
    const kernel = await ok("domainDefineXMLFlags", [
      domain("k", "", `<kernel>${d}/nokernel</kernel>`),
      0,
    ]);
    await refused("a missing kernel", "domainCreateWithFlags", [kernel, 0], {
      status: 404,
      code: 1,
      domain: 10,
      message: "internal error: QEMU unexpectedly closed the monitor (exit status 1): " +
        `qemu: could not open kernel file '${d}/nokernel': No such file or directory`,
    });
    // A ROM loader QEMU cannot load: QEMU's words name no errno; the driver found it.
    const rom = await ok("domainDefineXMLFlags", [
      domain("rom", "", `<loader type='rom'>${d}/nobios.bin</loader>`),
      0,
    ]);
    await refused("a missing ROM loader", "domainCreateWithFlags", [rom, 0], {
      status: 404,
      code: 1,
      domain: 10,
      message: "internal error: QEMU unexpectedly closed the monitor (exit status 1): " +
        `qemu: could not load PC BIOS '${d}/nobios.bin'`,
    });
    // An NVRAM template the start cannot copy (qemuPrepareNVRAM): libvirt's system error.
    const vars = await ok("domainDefineXMLFlags", [
      domain(
        "uefi",
        "",
        `<loader readonly='yes' type='pflash'>${d}/vda.img</loader>` +
          `<nvram template='${d}/novars.fd'/>`,
      ).replace("<devices>", "<features><acpi/></features><devices>"),
      0,
    ]);
    await refused("a missing NVRAM template", "domainCreateWithFlags", [vars, 0], {
      status: 404,
      code: 38,
      domain: 10,
      message: `Failed to open file '${d}/novars.fd': No such file or directory`,
    });

    // A volume whose file went away behind its pool's back.
    const pool = await ok("storagePoolCreateXML", [
      `<pool type='dir'><name>p</name><target><path>${d}/pool</path></target></pool>`,
      1, // VIR_STORAGE_POOL_CREATE_WITH_BUILD
    ]);
    await ok("storageVolCreateXML", [
      pool,
      "<volume><name>v.img</name><capacity unit='KiB'>64</capacity></volume>",
      0,
    ]);
    await Deno.remove(`${d}/pool/v.img`);
    const vol = await ok("domainDefineXMLFlags", [
      domain(
        "v",
        "<disk type='volume' device='disk'><source pool='p' volume='v.img'/>" +
          "<target dev='vda' bus='virtio'/></disk>",
      ),
      0,
    ]);
    await refused(
      "a volume's file gone",
      "domainCreateWithFlags",
      [vol, 0],
      storage(404, `Cannot access storage file '${d}/pool/v.img': No such file or directory`),
    );

    // Running: a hot-plug and a media change reach their images too.
    await Deno.writeFile(`${d}/cd.iso`, new Uint8Array());
    const run = await ok("domainCreateXML", [
      domain("r", disk(`${d}/vda.img`, "raw", "vda") + cdrom(`${d}/cd.iso`)),
      0,
    ]);
    const gone = `Cannot access storage file '${d}/missing.img': No such file or directory`;
    await refused(
      "hot-plug",
      "domainAttachDeviceFlags",
      [run, disk(`${d}/missing.img`), 1],
      storage(404, gone),
    );
    await refused(
      "media change",
      "domainUpdateDeviceFlags",
      [run, cdrom(`${d}/missing.img`), 1],
      storage(404, gone),
    );
    // A restore whose image's disk is gone since the save.
    await Deno.writeFile(`${d}/vdb.img`, new Uint8Array());
    const saved = await ok("domainCreateXML", [
      domain("sv", disk(`${d}/vda.img`, "raw", "vda") + disk(`${d}/vdb.img`)),
      0,
    ]);
    await ok("domainSaveFlags", [saved, `${d}/sv.save`, null, 0]);
    await Deno.remove(`${d}/vdb.img`);
    await refused(
      "restore",
      "domainRestoreFlags",
      [`${d}/sv.save`, null, 0],
      storage(404, `Cannot access storage file '${d}/vdb.img': No such file or directory`),
    );
    await ok("domainDestroyFlags", [run, 0]);
  } finally {
    ws.close();
    await ws.closed;
    await served.close();
    await gw.close();
    await Deno.remove(d, { recursive: true });
    await Deno.remove(state, { recursive: true });
  }
});
