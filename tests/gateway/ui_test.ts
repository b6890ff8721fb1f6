// The web console at /ui/ in headless Chromium (Debian's, driven by npm's playwright-core)
// against a real gateway process: token login, a domain defined from the XML editor (and a bad
// definition refused with libvirt's message), then shut off → running → 3 vCPUs → shut off,
// each state checked in the page and in a screenshot of its state badge (its colour). `.ci/run`
// installs Chromium and playwright-core; without them the test is ignored on a developer
// machine and fails under CI.
import assert from "node:assert/strict";
import { type GatewayProcess, spawnGateway } from "./process.ts";
import { decodePng, dominantColour } from "./png.ts";
import { haveQemu } from "../drivers/qemu/real_qemu.ts";
import { echoGuestDisk } from "../drivers/qemu/echo_guest.ts";
import { CHROMIUM, ignoreWithout, launchChromium, missingPaths, PLAYWRIGHT } from "../ci_tools.ts";

const missing = await missingPaths([CHROMIUM, PLAYWRIGHT]);

/** The part of playwright-core's API this test uses. */
interface Locator {
  screenshot(): Promise<Uint8Array>;
  selectOption(value: string): Promise<unknown>;
  textContent(): Promise<string | null>;
  fill(value: string): Promise<void>;
  click(): Promise<void>;
  waitFor(options: { timeout: number }): Promise<void>;
}
interface Page {
  goto(url: string): Promise<unknown>;
  keyboard: { type(text: string): Promise<void> };
  locator(selector: string): Locator;
  waitForFunction(fn: string, arg: unknown, options: { timeout: number }): Promise<unknown>;
  inputValue(selector: string): Promise<string>;
  fill(selector: string, value: string): Promise<void>;
  on(event: "pageerror", listener: (e: Error) => void): void;
}

/**
 * Runs `body` with a gateway process (`env` added to its environment) and a Chromium page that
 * records its errors, both closed afterwards.
 */
async function withConsole(
  env: Record<string, string>,
  body: (page: Page, gw: GatewayProcess, errors: string[]) => Promise<void>,
): Promise<void> {
  assert.deepEqual(missing, [], `missing ${missing.join(", ")}: install as .ci/run does`);
  const gw = await spawnGateway({ env });
  const browser = await launchChromium<Page>();
  const errors: string[] = [];
  try {
    const page = await browser.newPage();
    page.on("pageerror", (e) => errors.push(e.message));
    await body(page, gw, errors);
  } finally {
    await browser.close();
    await gw.stop();
  }
}

/** The state badge colours of ui/index.html. */
const BADGE = { running: "#2e7d32", "shut off": "#616161" } as const;

Deno.test({
  name: "web console: login, define from XML, shut off → running → 3 vCPUs → shut off",
  ignore: ignoreWithout(missing),
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withConsole({}, async (page, gw, errors) => {
      await page.goto(`${gw.origin}/ui/`);
      await page.fill("#token", gw.token);
      await page.locator("#connect").click();
      const row = (name: string) => `#domains tr[data-name="${name}"]`;
      await page.locator(row("test")).waitFor({ timeout: 20_000 });
      const message = () => page.locator("#message").textContent();
      const waitFor = (js: string) => page.waitForFunction(js, null, { timeout: 10_000 });
      // The list re-renders a row when an event arrives, which can detach the badge in the
      // middle of a screenshot: read it again until text and picture come from one rendering.
      const stateOf = async (name: string) => {
        const badge = page.locator(`${row(name)} .state`);
        for (let attempt = 1;; attempt++) {
          try {
            const text = await badge.textContent();
            const colour = dominantColour(decodePng(await badge.screenshot()));
            if (text === await badge.textContent() || attempt >= 5) return { text, colour };
          } catch (e) {
            if (attempt >= 5 || !String(e).includes("not attached")) throw e;
          }
        }
      };

      // The XML editor: a bad definition gets libvirt's error, a good one a new domain.
      await page.locator(`${row("test")} [data-action=xml]`).click();
      await waitFor(`document.querySelector("#xml").value.includes("<name>test</name>")`);
      await page.fill("#xml", "<domain type='test'><name>web1</name></domain>");
      await page.locator("#save-xml").click();
      await waitFor(`document.querySelector("#message").className === "error"`);
      assert.equal(await message(), "XML error: an os <type> must be specified");
      await page.fill(
        "#xml",
        "<domain type='test'><name>web1</name><memory>524288</memory>" +
          "<vcpu current='1'>4</vcpu><os><type>hvm</type></os></domain>",
      );
      await page.locator("#save-xml").click();
      await page.locator(row("web1")).waitFor({ timeout: 10_000 });
      assert.deepEqual(await stateOf("web1"), { text: "shut off", colour: BADGE["shut off"] });

      await page.locator(`${row("web1")} [data-action=start]`).click();
      await waitFor(`document.querySelector('${row("web1")} .state').dataset.state === "1"`);
      assert.deepEqual(await stateOf("web1"), { text: "running", colour: BADGE.running });

      await page.locator(`${row("web1")} input[name=vcpus]`).fill("3");
      await page.locator(`${row("web1")} [data-action=set-vcpus]`).click();
      await waitFor(
        `document.querySelector('${row("web1")} [data-field=vcpus]').textContent === "3"`,
      );

      await page.locator(`${row("web1")} [data-action=shutdown]`).click();
      await waitFor(`document.querySelector('${row("web1")} .state').dataset.state === "5"`);
      assert.deepEqual(await stateOf("web1"), { text: "shut off", colour: BADGE["shut off"] });
      assert.deepEqual(errors, []);
    }),
});

Deno.test({
  name: "web console: a QEMU domain's serial console in the browser terminal",
  ignore: ignoreWithout(haveQemu ? missing : [...missing, "qemu-system-x86_64"]),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    assert.ok(haveQemu, "QEMU is needed");
    const dir = await Deno.makeTempDir({ prefix: "ev-ui-con-" });
    await Deno.writeFile(`${dir}/boot.img`, echoGuestDisk());
    // The gateway's qemu:///session lives under the test's own directories.
    const env = { EDGEVIRT_QEMU_STATE_DIR: `${dir}/state`, XDG_RUNTIME_DIR: dir };
    try {
      await withConsole(env, async (page, gw, errors) => {
        // A wait that fails with what the page says, which is what tells why.
        const until = async (js: string, timeout: number) => {
          try {
            await page.waitForFunction(js, null, { timeout });
          } catch (e) {
            const said = await page.locator("#message").textContent();
            const term = await page.locator("#terminal .xterm-rows").textContent().catch(() => "");
            throw new Error(`${(e as Error).message}\npage: ${said}\nterminal: ${term}\n${errors}`);
          }
        };
        await page.goto(`${gw.origin}/ui/`);
        await page.fill("#token", gw.token);
        await page.locator("#driver").selectOption("qemu:///session");
        await page.locator("#connect").click();
        await until(
          `document.querySelector("#message").textContent.startsWith("connected")`,
          20_000,
        );
        // The domain comes from another client: the page learns of it from the DEFINED event.
        const res = await fetch(`${gw.origin}/v1/qemu/session/call/domainDefineXMLFlags`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${gw.token}` },
          body: JSON.stringify([
            `<domain type='qemu'><name>echo</name><memory unit='MiB'>32</memory>
<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os><devices>
<disk type='file' device='disk'><driver name='qemu' type='raw'/>
<source file='${dir}/boot.img'/><target dev='hda' bus='ide'/></disk>
<serial type='pty'/><console type='pty'/><memballoon model='none'/></devices></domain>`,
            0,
          ]),
        });
        assert.equal(res.status, 200, await res.text());
        const row = `#domains tr[data-name="echo"]`;
        await page.locator(row).waitFor({ timeout: 10_000 });
        await page.locator(`${row} [data-action=start]`).click();
        await page.locator(`${row} [data-action=console]`).waitFor({ timeout: 20_000 });
        await page.locator(`${row} [data-action=console]`).click();
        const screen = () => page.locator("#terminal .xterm-rows").textContent();
        // The guest's '>' came at boot, before anyone listened: what is typed now comes back.
        await until(`document.querySelector("#terminal .xterm-rows") !== null`, 10_000);
        await page.locator("#terminal").click();
        await page.keyboard.type("hello from the browser");
        await until(
          `document.querySelector("#terminal .xterm-rows").textContent.includes("browser")`,
          10_000,
        );
        assert.match((await screen()) ?? "", /hello from the browser/);
        await page.locator(`${row} [data-action=destroy]`).click();
        await until(`document.querySelector('${row} .state').dataset.state === "5"`, 10_000);
        assert.deepEqual(errors, []);
      });
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
