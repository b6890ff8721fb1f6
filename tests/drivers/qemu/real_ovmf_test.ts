// Real UEFI firmware (Debian's OVMF, package `ovmf`) chosen from the system's firmware
// descriptors (/usr/share/qemu/firmware) for `<os firmware='efi'>`: the image, its NVRAM template
// and QEMU's pflash, machine and secure-flash options are the ones libvirt 9.0 chose on this
// machine for the same definitions (fixtures/efi-pc.* and efi-q35-secure.*, recorded by
// fixtures/record_argv.sh with LIVE=1), and the firmware really runs: plain OVMF starts its
// shell, Secure Boot with Microsoft's keys enrolled refuses that unsigned shell. The serial port
// writes to a file here (a pty drops what QEMU writes before a reader opens it). Without OVMF
// the tests are ignored on a developer machine and FAIL in CI (`.ci/run` installs it).
import assert from "node:assert/strict";
import { realQemuTest, withRealDriver } from "./real_qemu.ts";

const DESCRIPTORS = "/usr/share/qemu/firmware";
const haveOvmf = (() => {
  try {
    return Deno.statSync(`${DESCRIPTORS}/60-edk2-x86_64.json`).isFile;
  } catch {
    return false;
  }
})();

const fixtures = new URL("./fixtures/", import.meta.url);
const after = (argv: string[], flag: string) =>
  argv.flatMap((a, i) => argv[i - 1] === flag ? [a] : []);

/** The pflash nodes of a command line, their files reduced to a name where the state lies. */
function pflash(argv: string[], stateDirs: string[]): Record<string, unknown>[] {
  return after(argv, "-blockdev").map((b) => JSON.parse(b) as Record<string, unknown>)
    .filter((b) => String(b["node-name"]).startsWith("libvirt-pflash"))
    .map((b) => {
      let file = b.filename as string | undefined;
      for (const d of stateDirs) if (file?.startsWith(d)) file = "STATE/" + file.split("/").at(-1);
      return { ...b, ...(file === undefined ? {} : { filename: file }) };
    });
}

/** The `-machine` options that concern firmware. */
const machine = (argv: string[]) =>
  after(argv, "-machine")[0].split(",").filter((o) => /^(pflash[01]|smm)=/.test(o));

/** The definition's `<loader>` and `<nvram>` lines, the NVRAM file reduced to its name. */
const firmwareLines = (xml: string) =>
  xml.split("\n").filter((l) => /<loader|<nvram/.test(l)).map((l) =>
    l.trim().replace(/>[^<]*\/([^/<]+)<\/nvram>/, ">STATE/$1</nvram>")
  );

/** Waits until the serial log shows `text` (OVMF under TCG takes seconds to get there). */
async function serialShows(log: string, text: string): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const seen = await Deno.readTextFile(log).catch(() => "");
    if (seen.includes(text)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`serial never showed ${JSON.stringify(text)}:\n${await Deno.readTextFile(log)}`);
}

// Ignored (and listed as such) only on a developer machine without OVMF.
const register = haveOvmf || Deno.env.get("CI")
  ? realQemuTest
  : (def: Parameters<typeof realQemuTest>[0]) => Deno.test({ ...def, ignore: true });

for (
  const [name, shows] of [
    ["efi-pc", "UEFI Interactive Shell"],
    ["efi-q35-secure", "Security Violation"],
  ] as const
) {
  register({
    name: `real QEMU: ${name} runs the OVMF image libvirt 9.0 chooses, and it boots (${shows})`,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      if (!haveOvmf) assert.fail(`OVMF's descriptors (${DESCRIPTORS}) are required in CI`);
      await withRealDriver("ev-qemu-ovmf-", async ({ dir, launcher, conn }) => {
        const log = `${dir}/serial.log`;
        const xml = (await Deno.readTextFile(new URL(`${name}.xml`, fixtures))).replace(
          "<serial type='pty'/>",
          `<serial type='file'><source path='${log}'/></serial>`,
        );
        const dom = await conn.domainCreateXML!(xml, 0);
        const ours = Deno.readTextFileSync(`/proc/${launcher.procs[0].pid}/cmdline`).split("\0");
        const libvirt = (await Deno.readTextFile(new URL(`${name}.argv`, fixtures))).split("\n");
        const recorded = pflash(libvirt, ["$DIR/"]);
        assert.equal(recorded.length, 4, "libvirt's firmware and NVRAM nodes");
        assert.deepEqual(pflash(ours, [dir]), recorded);
        assert.deepEqual(machine(ours), machine(libvirt));
        assert.deepEqual(after(ours, "-global"), after(libvirt, "-global"));
        const live = await Deno.readTextFile(new URL(`${name}.live.xml`, fixtures));
        assert.deepEqual(firmwareLines(await conn.domainGetXMLDesc!(dom, 0)), firmwareLines(live));
        await serialShows(log, shows);
        // OVMF keeps its boot variables in the NVRAM copy the start made from the template.
        const [, template, file] = firmwareLines(live).find((l) => l.startsWith("<nvram"))!
          .match(/template='([^']+)'>STATE\/([^<]+)</)!;
        const vars = await Deno.readFile(`${dir}/nvram/${file}`);
        const original = await Deno.readFile(template);
        assert.equal(vars.length, original.length);
        assert.ok(vars.some((b, i) => b !== original[i]), "the firmware wrote its variables");
        await conn.domainDestroyFlags!(dom, 0);
      });
    },
  });
}
