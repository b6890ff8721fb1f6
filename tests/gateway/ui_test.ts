// The web console at /ui/ in headless Chromium (Debian's, driven by npm's playwright-core)
// against a real gateway process: token login, a domain defined from the XML editor (and a bad
// definition refused with libvirt's message), then shut off → running → 3 vCPUs → shut off,
// each state checked in the page and in a screenshot of its state badge (its colour). `.ci/run`
// installs Chromium and playwright-core; without them the test is ignored on a developer
// machine and fails under CI.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { join } from "node:path";
import { spawnGateway } from "./process.ts";
import { decodePng, dominantColour } from "./png.ts";

const TOOLS = Deno.env.get("EDGEVIRT_TOOLS") ?? "/tmp/evtools/node_modules/.bin";
const CHROMIUM = Deno.env.get("EDGEVIRT_CHROMIUM") ?? "/usr/bin/chromium";
const PLAYWRIGHT = join(TOOLS, "..", "playwright-core");
const exists = (path: string) => Deno.stat(path).then(() => true, () => false);
const missing: string[] = [];
for (const path of [CHROMIUM, PLAYWRIGHT]) if (!(await exists(path))) missing.push(path);

/** The part of playwright-core's API this test uses. */
interface Locator {
  screenshot(): Promise<Uint8Array>;
  textContent(): Promise<string | null>;
  fill(value: string): Promise<void>;
  click(): Promise<void>;
  waitFor(options: { timeout: number }): Promise<void>;
}
interface Page {
  goto(url: string): Promise<unknown>;
  locator(selector: string): Locator;
  waitForFunction(fn: string, arg: unknown, options: { timeout: number }): Promise<unknown>;
  inputValue(selector: string): Promise<string>;
  fill(selector: string, value: string): Promise<void>;
  on(event: "pageerror", listener: (e: Error) => void): void;
}
interface Playwright {
  chromium: {
    launch(options: { executablePath: string; args: string[]; timeout: number }): Promise<{
      newPage(): Promise<Page>;
      close(): Promise<void>;
    }>;
  };
}

/** The state badge colours of ui/index.html. */
const BADGE = { running: "#2e7d32", "shut off": "#616161" } as const;

Deno.test({
  name: "web console: login, define from XML, shut off → running → 3 vCPUs → shut off",
  ignore: missing.length > 0 && !Deno.env.get("CI"),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    assert.deepEqual(missing, [], `missing ${missing.join(", ")}: install as .ci/run does`);
    const gw = await spawnGateway();
    const { chromium } = createRequire(import.meta.url)(PLAYWRIGHT) as Playwright;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu"],
      timeout: 15_000,
    });
    const errors: string[] = [];
    try {
      const page = await browser.newPage();
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${gw.origin}/ui/`);
      await page.fill("#token", gw.token);
      await page.locator("#connect").click();
      const row = (name: string) => `#domains tr[data-name="${name}"]`;
      await page.locator(row("test")).waitFor({ timeout: 20_000 });
      const message = () => page.locator("#message").textContent();
      const waitFor = (js: string) => page.waitForFunction(js, null, { timeout: 10_000 });
      const stateOf = async (name: string) => {
        const badge = page.locator(`${row(name)} .state`);
        return {
          text: await badge.textContent(),
          colour: dominantColour(decodePng(await badge.screenshot())),
        };
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
    } finally {
      await browser.close();
      await gw.stop();
    }
  },
});
