// Real QEMU 7.2 (TCG): the guest runs the firmware its definition names. A ROM loader's bytes and
// a read-only pflash loader's are what the guest reads below 4 GiB (where x86 maps the firmware,
// the reset vector in its last 16 bytes), the NVRAM QEMU writes to is the copy of its template the
// start made, and a missing firmware file is QEMU's own refusal, marked as a file the definition
// named; `firmware='efi'` boots the image a firmware descriptor names. Without QEMU these tests
// are ignored on a developer machine but FAIL in CI.
import assert from "node:assert/strict";
import { isReachedFileError, reachedFileErrno } from "../../../util/reached_file.ts";
import { VirError } from "../../../util/errors.ts";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import { KeepingLauncher, realQemuTest, withRealDriver } from "./real_qemu.ts";

/** `size` bytes of `hlt`, ending with a 16-byte signature: where the reset vector lies. */
function firmware(size: number, tag: number): Uint8Array {
  const data = new Uint8Array(size).fill(0xf4);
  for (let i = 0; i < 16; i++) data[size - 16 + i] = (tag + i) & 0xff;
  return data;
}

/** The 16 bytes the guest sees at its reset vector (0xfffffff0), through QEMU's monitor. */
async function resetVector(launcher: KeepingLauncher): Promise<number[]> {
  const mon = launcher.procs.at(-1)!.monitor;
  const out = await mon.run("human-monitor-command", {
    "command-line": "xp /16xb 0xfffffff0",
  }) as string;
  return [...out.matchAll(/0x([0-9a-f]{2})\b/g)].map((m) => parseInt(m[1], 16));
}

const domain = (name: string, os: string, features = "") =>
  `<domain type='qemu'><name>${name}</name><memory unit='MiB'>32</memory>
<os><type arch='x86_64' machine='pc'>hvm</type>${os}</os><features>${features}</features>
<devices><memballoon model='none'/></devices></domain>`;

realQemuTest({
  name: "real QEMU: a ROM loader and a pflash loader with its NVRAM are the guest's firmware",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withRealDriver("ev-qemu-loader-", async ({ dir, launcher, conn }) => {
      const rom = firmware(64 * 1024, 0xa0);
      await Deno.writeFile(`${dir}/rom.bin`, rom);
      const romDom = await conn.domainCreateXML!(
        domain("rom", `<loader type='rom'>${dir}/rom.bin</loader>`),
        1, // paused: the guest never runs the image
      );
      assert.deepEqual(await resetVector(launcher), [...rom.subarray(-16)]);
      await conn.domainDestroyFlags!(romDom, 0);

      const code = firmware(256 * 1024, 0xc0);
      await Deno.writeFile(`${dir}/code.fd`, code);
      await Deno.writeFile(`${dir}/vars.fd`, new Uint8Array(128 * 1024).fill(0x5a));
      const pf = await conn.domainDefineXMLFlags!(
        domain(
          "pf",
          `<loader readonly='yes' type='pflash'>${dir}/code.fd</loader>` +
            `<nvram template='${dir}/vars.fd'/>`,
          "<acpi/>",
        ),
        0,
      );
      const nvram = `${dir}/nvram/pf_VARS.fd`;
      assert.match(await conn.domainGetXMLDesc!(pf, 2), new RegExp(`>${nvram}</nvram>`));
      await conn.domainCreateWithFlags!(pf, 1);
      assert.deepEqual(await resetVector(launcher), [...code.subarray(-16)]);
      // The store is the template's copy, and QEMU has it open writable, the code read-only.
      assert.deepEqual(await Deno.readFile(nvram), new Uint8Array(128 * 1024).fill(0x5a));
      const nodes = await launcher.procs.at(-1)!.monitor.run("query-named-block-nodes", {
        flat: true,
      }) as { "node-name": string; ro: boolean; file: string }[];
      const node = (name: string) => nodes.find((n) => n["node-name"] === name);
      assert.equal(node("libvirt-pflash0-format")?.ro, true);
      assert.equal(node("libvirt-pflash0-format")?.file, `${dir}/code.fd`);
      assert.equal(node("libvirt-pflash1-format")?.ro, false);
      assert.equal(node("libvirt-pflash1-format")?.file, nvram);
      // A restore keeps the store as the saved domain left it, or resets it with
      // VIR_DOMAIN_SAVE_RESET_NVRAM.
      const image = `${dir}/pf.save`;
      const ones = new Uint8Array(128 * 1024).fill(1);
      for (
        const [flags, want] of [[0, ones], [8, new Uint8Array(128 * 1024).fill(0x5a)]] as const
      ) {
        await conn.domainSaveFlags!(pf, image, null, 0);
        await Deno.writeFile(nvram, ones);
        await conn.domainRestoreFlags!(image, null, flags);
        assert.deepEqual(await Deno.readFile(nvram), want, `restore flags ${flags}`);
      }
      await conn.domainDestroyFlags!(pf, 0);
      await assert.rejects(conn.domainUndefineFlags!(pf, 0), /cannot undefine domain with nvram/);
      await conn.domainUndefineFlags!(pf, 4); // VIR_DOMAIN_UNDEFINE_NVRAM
      assert.equal(await Deno.stat(nvram).catch(() => null), null);

      // Missing firmware files: QEMU's own words, marked with their errno.
      const gone = await conn.domainCreateXML!(
        domain("gone", `<loader type='rom'>${dir}/gone.bin</loader>`),
        0,
      ).catch((e) => e);
      assert.ok(gone instanceof VirError);
      assert.match(gone.message, new RegExp(`could not load PC BIOS '${dir}/gone.bin'$`));
      assert.equal(reachedFileErrno(gone), "No such file or directory");
      const gonePf = await conn.domainCreateXML!(
        domain("gonepf", `<loader readonly='no' type='pflash'>${dir}/gone.fd</loader>`, "<acpi/>"),
        0,
      ).catch((e) => e);
      assert.ok(gonePf instanceof VirError);
      assert.match(gonePf.message, new RegExp(`Could not open '${dir}/gone.fd': No such file`));
      assert.ok(isReachedFileError(gonePf));
    }),
});

realQemuTest({
  name: "real QEMU: firmware='efi' boots the firmware a descriptor names, on its NVRAM copy",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "ev-qemu-fwsel-" });
    const launcher = new KeepingLauncher();
    const conn = await qemuConnectDriver.open(new URL("qemu:///session"), {
      stateDir: `${dir}/state`,
      launcher,
      firmwareDirs: [`${dir}/firmware`],
    }) as DriverConnection;
    try {
      const code = firmware(256 * 1024, 0x30);
      await Deno.writeFile(`${dir}/code.fd`, code);
      await Deno.writeFile(`${dir}/vars.fd`, new Uint8Array(128 * 1024).fill(0x77));
      await Deno.mkdir(`${dir}/firmware`);
      await Deno.writeTextFile(
        `${dir}/firmware/50-test.json`,
        JSON.stringify({
          "interface-types": ["uefi"],
          mapping: {
            device: "flash",
            executable: { filename: `${dir}/code.fd`, format: "raw" },
            "nvram-template": { filename: `${dir}/vars.fd`, format: "raw" },
          },
          targets: [{ architecture: "x86_64", machines: ["pc-i440fx-*"] }],
          features: ["acpi-s3"],
        }),
      );
      const xml = domain("efi", "", "<acpi/>").replace("<os>", "<os firmware='efi'>");
      const dom = await conn.domainCreateXML!(xml, 1);
      assert.deepEqual(await resetVector(launcher), [...code.subarray(-16)]);
      const nvram = `${dir}/state/nvram/efi_VARS.fd`;
      assert.deepEqual(await Deno.readFile(nvram), new Uint8Array(128 * 1024).fill(0x77));
      assert.match(
        await conn.domainGetXMLDesc!(dom, 0),
        new RegExp(`<loader readonly='yes' type='pflash'>${dir}/code.fd</loader>`),
      );
      await conn.domainDestroyFlags!(dom, 0);
    } finally {
      for (const p of launcher.procs) if (p.alive()) p.kill("SIGKILL");
      await conn.connectClose();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
