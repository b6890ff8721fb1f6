/**
 * `testDomainScreenshot`: libvirt's test driver answers every screenshot with one fixed PNG
 * (its `test-screenshot.png`), whatever the domain, its state or the screen asked for.
 *
 * @module
 */
import type { DriverConnection } from "../../util/driver.ts";
import { checkFlags } from "../../util/errors.ts";
import { methodTable } from "../../util/method_table.ts";
import { TEST_SCREENSHOT_PNG_BASE64 } from "./test_screenshot_png.ts";

/** The image's bytes, decoded once on first use. */
let png: Uint8Array<ArrayBuffer> | undefined;

function image(): Uint8Array<ArrayBuffer> {
  return png ??= Uint8Array.from(atob(TEST_SCREENSHOT_PNG_BASE64), (c) => c.charCodeAt(0));
}

/**
 * The screenshot call of the test driver. libvirt looks neither the domain nor the screen up:
 * a shut-off domain and screen 7 give the same image.
 *
 * @example
 * ```ts
 * import { domainScreenshotMethods } from "./domain_screenshot_api.ts";
 * const { domainScreenshot } = domainScreenshotMethods();
 * const ref = { name: "test", uuid: "6695eb01-f6a4-8304-79aa-97f2502e193f", id: 1 };
 * (await domainScreenshot!(ref, 0, 0)).mime; // "image/png"
 * ```
 */
export function domainScreenshotMethods(): Partial<DriverConnection> {
  return methodTable({
    domainScreenshot: (_dom, _screen, flags) => {
      checkFlags(flags, 0, "testDomainScreenshot", "TEST");
      return { readable: new Blob([image()]).stream(), mime: "image/png" };
    },
  });
}
