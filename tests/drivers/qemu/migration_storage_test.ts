// Storage migration (VIR_MIGRATE_NON_SHARED_DISK / NON_SHARED_INC) between two QEMU drivers on
// fake QEMUs, checked against the QMP libvirt 9.0 sends with QEMU 7.2 (qemu_migration.c:
// qemuMigrationDstStartNBDServer before migrate-incoming, qemuMigrationSrcNBDStorageCopyBlockdev's
// blockdev-add of the NBD and raw nodes and blockdev-mirror as job drive-<alias>, the wait for
// every mirror's READY, qemuMigrationSrcNBDCopyCancel's block-job-cancel at the pause before the
// switch-over, then the nodes removed; qemuMigrationDstStopNBDServer at Finish), the disks
// libvirt copies (qemuMigrationAnyCopyDisk), and the failures that leave the source running
// and the destination empty. The real copy of a qcow2 image is real_migrate_storage_test.ts.
import assert from "node:assert/strict";
import { Connection } from "../../../client/connection.ts";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { FakeBlockDevices } from "../../../drivers/qemu/testing/fake_block.ts";
import { FakeMigration } from "../../../drivers/qemu/testing/fake_migration.ts";
import { VIR } from "../../../util/constants.ts";
import type { DriverConnection, DriverEvent } from "../../../util/driver.ts";
import { storageDriver } from "../../../drivers/storage/driver.ts";
import { secondaryOpener } from "../../../util/contract/compose.ts";
import { waitFor } from "../../wait.ts";
import { blockLauncher, error, type Setup, setup, XML } from "./fake_qmp/block_harness.ts";
import { recordedSettings } from "./migration_recorded.ts";
import { closeDriver } from "./fake_qmp/close_driver.ts";

const E = VIR;
// Each migrating test file listens on its own loopback address: files that run in parallel
// would otherwise pick the same free port of libvirt's range at the same moment.
const HOST = "127.0.0.6";

interface Destination {
  conn: DriverConnection;
  client: Connection;
  block: FakeBlockDevices;
  /** The destination's image of vda. */
  image: string;
  params: Record<string, string>;
  commands: () => { execute: string; arguments?: Record<string, unknown> }[];
  events: DriverEvent[];
  close: () => Promise<void>;
}

/**
 * A second driver whose QEMU has a block layer; vda's image there is another file, in a
 * folder that is a `dir` pool of the storage driver beside it.
 */
async function destination(makeImage = true): Promise<Destination> {
  const dir = await Deno.makeTempDir({ prefix: "ev-qstor-b-" });
  const images = `${dir}/images`;
  await Deno.mkdir(images);
  const image = `${images}/vda-dest.img`;
  if (makeImage) await Deno.writeFile(image, new Uint8Array());
  const block = new FakeBlockDevices({
    disks: [
      { id: "virtio-disk0", driver: "virtio-blk-pci" },
      { id: "ide0-1-0", driver: "ide-cd" },
    ],
  });
  const launcher = blockLauncher(block, new FakeMigration("hp"));
  const storageURI = new URL(`qemu:///embed?root=${dir}/storage`);
  const conn = await qemuConnectDriver.open(new URL("qemu:///session"), {
    stateDir: dir,
    launcher,
    secondaries: secondaryOpener([storageDriver], storageURI, {}),
  }) as DriverConnection;
  const storage = await storageDriver.open(storageURI, {});
  const pool = await storage.storagePoolDefineXML!(
    `<pool type='dir'><name>images</name><target><path>${images}</path></target></pool>`,
    0,
  );
  await storage.storagePoolCreate!(pool, 0);
  await storage.connectClose();
  const events: DriverEvent[] = [];
  conn.subscribe!((ev) => events.push(ev));
  const destXML = XML.replace(/<source file='[^']*vda\.img'\/>/, `<source file='${image}'/>`);
  assert.notEqual(destXML, XML);
  return {
    conn,
    client: new Connection(conn, "qemu:///session"),
    block,
    image,
    params: { migrate_uri: `tcp:${HOST}`, listen_address: HOST, destination_xml: destXML },
    commands: () =>
      [...launcher.instances.values()].at(-1)?.commands.filter((c) =>
        !c.execute.startsWith("query-")
      ) ?? [],
    events,
    close: () => closeDriver(conn, dir),
  };
}

/** Waits until the destination has dropped the domain of a migration that failed. */
function destinationDropped(b: Destination): Promise<void> {
  return waitFor(
    async () => (await b.conn.connectListAllDomains!(0)).length === 0,
    10_000,
    10,
    "the destination to drop the domain",
  );
}

async function withPair(
  fn: (a: Setup, src: Connection, b: Destination) => Promise<void>,
  options: Parameters<typeof setup>[0] = {},
  makeImage = true,
): Promise<void> {
  const a = await setup(options);
  const b = await destination(makeImage);
  try {
    await fn(a, new Connection(a.conn, "qemu:///session"), b);
  } finally {
    await b.close();
    await a.close();
  }
}

/** The source's QMP of the storage copy and the migration, in order. */
function sourceSteps(a: Setup) {
  const fake = [...a.launcher.instances.values()][0];
  const wanted = /^(blockdev-(add|del|mirror)|block-job-cancel|job-dismiss|migrate.*)$/;
  return fake.commands.filter((c) => wanted.test(c.execute))
    .map((c) => [c.execute, c.arguments ?? {}] as const);
}

/** The [disk, type, status] of each BLOCK_JOB_2 event. */
function blockJobs(events: DriverEvent[]): [unknown, unknown, unknown][] {
  return events.filter((e) => e.eventId === E.DOMAIN_EVENT_ID_BLOCK_JOB_2)
    .map((e) => [e.data.disk, e.data.type, e.data.status]);
}

Deno.test("storage migration: vda goes through the destination's NBD server as libvirt copies it", async () => {
  await withPair(async (a, src, b) => {
    a.events.length = 0;
    const dom = await src.lookupDomainByName("hp");
    const moved = await dom.migrate3(
      b.client,
      b.params,
      E.MIGRATE_LIVE | E.MIGRATE_NON_SHARED_DISK | E.MIGRATE_PERSIST_DEST,
    );
    assert.deepEqual(await moved.getState(), [E.DOMAIN_RUNNING, E.DOMAIN_RUNNING_MIGRATED]);
    // The destination: the NBD server on the listen address and a port of the migration
    // range other than the migration's, vda's top node exported writable (the cdrom, empty
    // and read-only, is not), all before migrate-incoming; the server stops before cont.
    const dest = b.commands().filter((c) =>
      /^(nbd-server-.*|block-export-add|migrate-incoming|cont)$/.test(c.execute)
    );
    assert.deepEqual(dest.map((c) => c.execute), [
      "nbd-server-start",
      "block-export-add",
      "migrate-incoming",
      "nbd-server-stop",
      "cont",
    ]);
    const addr = dest[0].arguments!.addr as { type: string; data: { host: string; port: string } };
    assert.equal(addr.type, "inet");
    assert.equal(addr.data.host, HOST);
    const nbdPort = Number(addr.data.port);
    const migPort = Number(String(dest[2].arguments!.uri).split(":").at(-1));
    assert.ok(nbdPort >= 49152 && nbdPort <= 49215, `${nbdPort} in the migration range`);
    assert.notEqual(nbdPort, migPort);
    assert.deepEqual(dest[1].arguments, {
      type: "nbd",
      id: "libvirt-nbd-libvirt-2-format",
      "node-name": "libvirt-2-format",
      writable: true,
      name: "drive-virtio-disk0",
    });
    assert.equal(b.block.nbdServer, undefined, "the destination's NBD server is gone");
    // The source: the NBD client nodes, the mirror, the memory; the mirror cancelled at the
    // pause before the switch-over (a ready mirror so ends complete), its nodes removed.
    const steps = sourceSteps(a);
    assert.deepEqual(steps, [
      // libvirt's capabilities and parameters of a migration without options.
      ...recordedSettings("plain", "source"),
      ["blockdev-add", {
        driver: "nbd",
        server: { type: "inet", host: HOST, port: String(nbdPort) },
        export: "drive-virtio-disk0",
        "node-name": "migration-vda-storage",
        "read-only": false,
        discard: "unmap",
        "tls-hostname": "",
      }],
      ["blockdev-add", {
        driver: "raw",
        "node-name": "migration-vda-format",
        "read-only": false,
        file: "migration-vda-storage",
      }],
      ["blockdev-mirror", {
        "job-id": "drive-virtio-disk0",
        device: "libvirt-2-format",
        target: "migration-vda-format",
        sync: "full",
        "auto-finalize": true,
        "auto-dismiss": false,
      }],
      ["migrate", { uri: `tcp:${HOST}:${migPort}` }],
      ["block-job-cancel", { device: "drive-virtio-disk0" }],
      ["job-dismiss", { id: "drive-virtio-disk0" }],
      ["blockdev-del", { "node-name": "migration-vda-format" }],
      ["blockdev-del", { "node-name": "migration-vda-storage" }],
      ["migrate-continue", { state: "pre-switchover" }],
    ]);
    // libvirt's events of the copy job (qemuBlockJobEmitEvents): READY, then COMPLETED.
    assert.deepEqual(blockJobs(a.events), [
      ["vda", E.DOMAIN_BLOCK_JOB_TYPE_COPY, E.DOMAIN_BLOCK_JOB_READY],
      ["vda", E.DOMAIN_BLOCK_JOB_TYPE_COPY, E.DOMAIN_BLOCK_JOB_COMPLETED],
    ]);
    await waitFor(
      async () => (await a.conn.domainGetState!(a.dom, 0))[0] === E.DOMAIN_SHUTOFF,
      10_000,
      10,
      "the source to stop",
    );
    assert.deepEqual(await a.conn.domainGetState!(a.dom, 0), [
      E.DOMAIN_SHUTOFF,
      E.DOMAIN_SHUTOFF_MIGRATED,
    ]);
  });
});

Deno.test("storage migration --copy-storage-inc mirrors only the top image (sync top), --copy-storage-synchronous-writes blocking", async () => {
  await withPair(async (a, src, b) => {
    const dom = await src.lookupDomainByName("hp");
    const flags = E.MIGRATE_LIVE | E.MIGRATE_NON_SHARED_INC |
      E.MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES;
    await dom.migrate3(b.client, { ...b.params, bandwidth: 2 }, flags);
    const mirror = sourceSteps(a).find(([c]) => c === "blockdev-mirror")!;
    // The bandwidth (MiB/s) is the mirror's speed too, in bytes/s.
    assert.deepEqual([mirror[1].sync, mirror[1]["copy-mode"], mirror[1].speed], [
      "top",
      "write-blocking",
      2 << 20,
    ]);
  });
});

Deno.test("storage migration: migrate_disks chooses the disks; an unknown target is refused first", async () => {
  await withPair(async (a, src, b) => {
    const dom = await src.lookupDomainByName("hp");
    const flags = E.MIGRATE_LIVE | E.MIGRATE_NON_SHARED_DISK;
    // libvirt checks the list after the disks' safety, which UNSAFE skips.
    const e = await error(
      dom.migrate3(b.client, { ...b.params, migrate_disks: "vdz" }, flags | E.MIGRATE_UNSAFE),
    );
    assert.deepEqual([e.code, e.domain, e.message], [
      E.ERR_INVALID_ARG,
      E.FROM_QEMU,
      "invalid argument: disk target vdz not found",
    ]);
    // Without vda in the list nothing is copied, and the local vda makes it unsafe.
    const unsafe = await error(
      dom.migrate3(b.client, { ...b.params, migrate_disks: "hdc" }, flags),
    );
    assert.deepEqual([unsafe.code, unsafe.message], [
      E.ERR_MIGRATE_UNSAFE,
      "Unsafe migration: Migration without shared storage is unsafe",
    ]);
    assert.deepEqual(await b.conn.connectListAllDomains!(0), []);
    assert.deepEqual(sourceSteps(a), []);
    // An empty cdrom named explicitly is libvirt's refusal on the destination.
    const cdrom = await error(
      dom.migrate3(b.client, { ...b.params, migrate_disks: "vda,hdc" }, flags),
    );
    assert.deepEqual([cdrom.code, cdrom.message], [
      E.ERR_OPERATION_UNSUPPORTED,
      "Operation not supported: Cannot migrate empty or read-only disk hdc",
    ]);
    await destinationDropped(b);
    assert.deepEqual(await a.conn.domainGetState!(a.dom, 0), [
      E.DOMAIN_RUNNING,
      E.DOMAIN_RUNNING_BOOTED,
    ]);
    // The fake's block layer belongs to the destination's first QEMU: a fresh destination.
    const b2 = await destination();
    try {
      await dom.migrate3(b2.client, { ...b2.params, migrate_disks: "vda" }, flags);
      const exports = b2.commands().filter((c) => c.execute === "block-export-add");
      assert.deepEqual(exports.map((c) => c.arguments!.name), ["drive-virtio-disk0"]);
    } finally {
      await b2.close();
    }
  });
});

Deno.test("storage migration: a missing destination image is made in its pool (precreate)", async () => {
  await withPair(
    async (_a, src, b) => {
      const dom = await src.lookupDomainByName("hp");
      // An incremental copy needs its images (and their backing files) made beforehand.
      const inc = await error(
        dom.migrate3(b.client, b.params, E.MIGRATE_LIVE | E.MIGRATE_NON_SHARED_INC),
      );
      assert.deepEqual([inc.code, inc.message], [
        E.ERR_OPERATION_UNSUPPORTED,
        "Operation not supported: pre-creation of storage targets for incremental storage " +
        "migration is not supported",
      ]);
      assert.deepEqual(await b.conn.connectListAllDomains!(0), []);
      await dom.migrate3(b.client, b.params, E.MIGRATE_LIVE | E.MIGRATE_NON_SHARED_DISK);
      // The source's cookie told the size: the fake's 1 MiB.
      assert.equal((await Deno.stat(b.image)).size, 1 << 20);
    },
    {},
    false,
  );
});

Deno.test("storage migration: a missing destination image outside any pool fails Prepare", async () => {
  await withPair(
    async (a, src, b) => {
      const dom = await src.lookupDomainByName("hp");
      const params = {
        ...b.params,
        destination_xml: b.params.destination_xml.replace(b.image, `${b.image}.d/vda.img`),
      };
      const e = await error(
        dom.migrate3(b.client, params, E.MIGRATE_LIVE | E.MIGRATE_NON_SHARED_DISK),
      );
      assert.deepEqual([e.code, e.domain, e.message], [
        E.ERR_NO_STORAGE_POOL,
        E.FROM_STORAGE,
        `Storage pool not found: no storage pool with matching target path '${b.image}.d'`,
      ]);
      assert.deepEqual(await b.conn.connectListAllDomains!(0), []);
      assert.deepEqual(await a.conn.domainGetState!(a.dom, 0), [
        E.DOMAIN_RUNNING,
        E.DOMAIN_RUNNING_BOOTED,
      ]);
    },
    {},
    false,
  );
});

Deno.test("storage migration: a mirror that fails ends the migration; the source runs on", async () => {
  await withPair(async (a, src, b) => {
    const dom = await src.lookupDomainByName("hp");
    const outcome = dom.migrate3(b.client, b.params, E.MIGRATE_LIVE | E.MIGRATE_NON_SHARED_DISK)
      .then(() => undefined, (e) => e);
    await waitFor(() => a.block.jobs.length === 1, 10_000, 5, "the mirror");
    const job = a.block.jobs[0];
    job.status = "concluded";
    job.error = "Input/output error";
    [...a.launcher.instances.values()][0].emit("JOB_STATUS_CHANGE", {
      id: job.id,
      status: "concluded",
    });
    const e = await outcome;
    assert.deepEqual([e.code, e.domain, e.message], [
      E.ERR_OPERATION_FAILED,
      E.FROM_QEMU,
      "operation failed: migration of disk vda failed: Input/output error",
    ]);
    assert.ok(!sourceSteps(a).some(([c]) => c === "migrate"), "no memory was sent");
    assert.deepEqual(
      sourceSteps(a).filter(([c]) => c === "blockdev-del").map(([, args]) => args["node-name"]),
      ["migration-vda-format", "migration-vda-storage"],
    );
    assert.deepEqual(await a.conn.domainGetState!(a.dom, 0), [
      E.DOMAIN_RUNNING,
      E.DOMAIN_RUNNING_BOOTED,
    ]);
    await destinationDropped(b);
  }, { holdJobs: true });
});

Deno.test("storage migration: an abort while the disks copy forces the mirrors off", async () => {
  await withPair(async (a, src, b) => {
    const dom = await src.lookupDomainByName("hp");
    const outcome = dom.migrate3(b.client, b.params, E.MIGRATE_LIVE | E.MIGRATE_NON_SHARED_DISK)
      .then(() => undefined, (e) => e);
    await waitFor(() => a.block.jobs.length === 1, 10_000, 5, "the mirror");
    // The job's statistics count the mirrors' progress as the disks' (and the data's).
    Object.assign(a.block.jobs[0], { offset: 4096, len: 1 << 20 });
    const stats = await a.conn.domainGetJobStats!(a.dom, 0);
    assert.equal(stats.type, E.DOMAIN_JOB_UNBOUNDED);
    assert.deepEqual([stats.disk_total, stats.disk_processed, stats.disk_remaining], [
      1 << 20,
      4096,
      (1 << 20) - 4096,
    ]);
    assert.deepEqual([stats.data_total, stats.data_processed], [1 << 20, 4096]);
    const info = await a.conn.domainGetJobInfo!(a.dom);
    assert.deepEqual([info.type, info.fileTotal, info.fileProcessed, info.dataRemaining], [
      E.DOMAIN_JOB_UNBOUNDED,
      1 << 20,
      4096,
      (1 << 20) - 4096,
    ]);
    await a.conn.domainAbortJob!(a.dom);
    const e = await outcome;
    assert.deepEqual([e.code, e.domain, e.message], [
      E.ERR_OPERATION_ABORTED,
      E.FROM_QEMU,
      "operation aborted: migration out job: canceled by client",
    ]);
    assert.deepEqual(
      sourceSteps(a).filter(([c]) => c === "block-job-cancel"),
      [["block-job-cancel", { device: "drive-virtio-disk0", force: true }]],
    );
    assert.deepEqual(await a.conn.domainGetState!(a.dom, 0), [
      E.DOMAIN_RUNNING,
      E.DOMAIN_RUNNING_BOOTED,
    ]);
    await destinationDropped(b);
  }, { holdJobs: true });
});

Deno.test("storage migration: a disk with checkpoints' bitmaps is refused, not copied without them", async () => {
  const qcow2 = XML.replace(
    "<driver name='qemu' type='raw'/>",
    "<driver name='qemu' type='qcow2'/>",
  );
  await withPair(async (a, src, b) => {
    await a.conn.domainCheckpointCreateXML!(
      a.dom,
      "<domaincheckpoint><name>c1</name></domaincheckpoint>",
      0,
    );
    const dom = await src.lookupDomainByName("hp");
    const e = await error(
      dom.migrate3(b.client, b.params, E.MIGRATE_LIVE | E.MIGRATE_NON_SHARED_DISK),
    );
    assert.deepEqual([e.code, e.domain, e.message], [
      E.ERR_OPERATION_UNSUPPORTED,
      E.FROM_QEMU,
      "Operation not supported: migration of the dirty bitmaps of disk vda is not supported " +
      "by this driver",
    ]);
    assert.deepEqual(await b.conn.connectListAllDomains!(0), []);
    assert.ok(!sourceSteps(a).some(([c]) => c === "blockdev-mirror"));
  }, { xml: qcow2 });
});

Deno.test("storage migration: disks_port sets the NBD server's port; beyond 65535 it is refused", async () => {
  await withPair(async (a, src, b) => {
    const dom = await src.lookupDomainByName("hp");
    const flags = E.MIGRATE_LIVE | E.MIGRATE_NON_SHARED_DISK;
    const e = await error(dom.migrate3(b.client, { ...b.params, disks_port: 70000 }, flags));
    assert.deepEqual([e.code, e.domain, e.message], [
      E.ERR_INVALID_ARG,
      E.FROM_QEMU,
      "invalid argument: nbd port must be in range 0-65535",
    ]);
    await destinationDropped(b);
    const b2 = await destination();
    try {
      await dom.migrate3(b2.client, { ...b2.params, disks_port: 49999 }, flags);
      const start = b2.commands().find((c) => c.execute === "nbd-server-start")!;
      assert.deepEqual(start.arguments, {
        addr: { type: "inet", data: { host: HOST, port: "49999" } },
      });
      const nbd = sourceSteps(a).find(([c, args]) =>
        c === "blockdev-add" && args.driver === "nbd"
      )!;
      assert.deepEqual(nbd[1].server, { type: "inet", host: HOST, port: "49999" });
    } finally {
      await b2.close();
    }
  });
});

Deno.test("storage migration: a Perform whose destination set up no NBD server is refused", async () => {
  await withPair(async (a, _src, b) => {
    // The destination prepared a migration without storage: its cookie has no <nbd>.
    const begin = await a.conn.domainMigrateBegin3Params!(
      a.dom,
      b.params,
      E.MIGRATE_LIVE | E.MIGRATE_UNSAFE,
    );
    assert.ok(!begin.cookieout!.includes("<nbd"));
    const prepared = await b.conn.domainMigratePrepare3Params!(
      b.params,
      begin.cookieout,
      E.MIGRATE_LIVE | E.MIGRATE_UNSAFE,
    );
    assert.ok(!prepared.cookieout!.includes("<nbd"));
    const port = Number(/:(\d+)$/.exec(prepared.uriout!)![1]);
    const e = await error(a.conn.domainMigratePerform3Params!(
      a.dom,
      null,
      { ...b.params, migrate_uri: `tcp:${HOST}:${port}` },
      prepared.cookieout,
      E.MIGRATE_LIVE | E.MIGRATE_NON_SHARED_DISK,
    ));
    assert.deepEqual([e.code, e.domain, e.message], [
      E.ERR_INTERNAL_ERROR,
      E.FROM_QEMU,
      "internal error: migration of non-shared disks requested but NBD is not set up",
    ]);
    assert.deepEqual(sourceSteps(a), []);
    assert.deepEqual(await a.conn.domainGetState!(a.dom, 0), [
      E.DOMAIN_RUNNING,
      E.DOMAIN_RUNNING_BOOTED,
    ]);
    await b.conn.domainMigrateFinish3Params!(
      { ...b.params, destination_name: "hp" },
      null,
      E.MIGRATE_LIVE,
      1,
    );
  });
});

Deno.test("storage migration: disks_uri puts the NBD server on a UNIX socket or a TCP address", async () => {
  await withPair(async (a, src, b) => {
    const dom = await src.lookupDomainByName("hp");
    const flags = E.MIGRATE_LIVE | E.MIGRATE_NON_SHARED_DISK;
    // libvirt's refusals, each before anything is copied.
    const cases: [Record<string, string | number>, string][] = [
      [
        { disks_uri: "unix:///run/x.sock", disks_port: 49999 },
        "invalid argument: Both port and URI requested for disk migration while being mutually " +
        "exclusive",
      ],
      [{ disks_uri: "nbd.sock" }, "invalid argument: No URI scheme specified: nbd.sock"],
      [
        { disks_uri: "tcp://:49999" },
        "invalid argument: URI with tcp scheme did not provide a server part: tcp://:49999",
      ],
      [{ disks_uri: "unix:" }, "invalid argument: UNIX disks URI does not include path"],
      [{ disks_uri: "ftp://h/x" }, "invalid argument: Unsupported scheme in disks URI: ftp"],
    ];
    for (const [params, message] of cases) {
      const e = await error(dom.migrate3(b.client, { ...b.params, ...params }, flags));
      assert.deepEqual([e.code, e.domain, e.message], [E.ERR_INVALID_ARG, E.FROM_QEMU, message]);
      await destinationDropped(b);
    }
    assert.ok(!sourceSteps(a).some(([c]) => c === "blockdev-add"));
  });
  for (
    const [uri, server, client] of [
      [
        "unix:///run/ev-nbd.sock",
        { type: "unix", data: { path: "/run/ev-nbd.sock" } },
        { type: "unix", path: "/run/ev-nbd.sock" },
      ],
      [
        `tcp://${HOST}:49998`,
        { type: "inet", data: { host: HOST, port: "49998" } },
        { type: "inet", host: HOST, port: "49998" },
      ],
    ] as const
  ) {
    await withPair(async (a, src, b) => {
      const dom = await src.lookupDomainByName("hp");
      const flags = E.MIGRATE_LIVE | E.MIGRATE_NON_SHARED_DISK;
      await dom.migrate3(b.client, { ...b.params, disks_uri: uri }, flags);
      const start = b.commands().find((c) => c.execute === "nbd-server-start")!;
      assert.deepEqual(start.arguments, { addr: server });
      const nbd = sourceSteps(a).find(([c, x]) => c === "blockdev-add" && x.driver === "nbd")!;
      assert.deepEqual(nbd[1].server, client);
    });
  }
});

Deno.test("migration: a domain with a block job running is refused (qemuMigrationSrcIsAllowed)", async () => {
  await withPair(async (a, src, b) => {
    await a.conn.domainSnapshotCreateXML!(
      a.dom,
      `<domainsnapshot><name>s1</name><disks><disk name='vda'><source file='${a.dir}/vda.s1'/>` +
        "</disk><disk name='hdc' snapshot='no'/></disks></domainsnapshot>",
      E.DOMAIN_SNAPSHOT_CREATE_DISK_ONLY | E.DOMAIN_SNAPSHOT_CREATE_NO_METADATA,
    );
    await a.conn.domainBlockPull!(a.dom, "vda", 0, 0);
    const dom = await src.lookupDomainByName("hp");
    for (
      const flags of [E.MIGRATE_LIVE | E.MIGRATE_UNSAFE, E.MIGRATE_LIVE | E.MIGRATE_NON_SHARED_DISK]
    ) {
      const e = await error(dom.migrate3(b.client, b.params, flags));
      assert.deepEqual([e.code, e.domain, e.message], [
        E.ERR_OPERATION_INVALID,
        E.FROM_QEMU,
        "Requested operation is not valid: domain has active block job",
      ]);
    }
    assert.deepEqual(await b.conn.connectListAllDomains!(0), []);
    assert.ok(!sourceSteps(a).some(([c]) => c === "blockdev-mirror"));
  }, { holdJobs: true });
});
