/**
 * Input the host pushes into a running guest: keys (`qemuDomainSendKey`, QMP `send-key` with
 * QEMU's qnum codes) and the NMI (`qemuDomainInjectNMI`, QMP `inject-nmi`).
 *
 * @module
 */
import { checkActive } from "../../../conf/objects/domain_obj.ts";
import { KEYCODE_SETS, keycodeTranslate } from "../../../util/keycodes.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import type { QemuDomainObj } from "../domain_private.ts";

/** `VIR_KEYCODE_SET_QNUM`: the codes QEMU takes. */
const QNUM = KEYCODE_SETS.indexOf("qnum");

/**
 * Translates `keycodes` of `codeset` to qnum (before any job, as libvirt) and presses them
 * together for `holdtime` ms (QEMU's default hold time when 0).
 *
 * @example
 * ```ts
 * import { sendKey } from "./guest_input.ts";
 * import type { QemuDomainObj } from "../domain_private.ts";
 * declare const obj: QemuDomainObj;
 * await sendKey(obj, 0, 0, [29, 56, 111], 0); // linux Ctrl+Alt+Del
 * ```
 */
export async function sendKey(
  obj: QemuDomainObj,
  codeset: number,
  holdtime: number,
  keycodes: number[],
  flags: number,
): Promise<void> {
  checkFlags(flags, 0, "qemuDomainSendKey", "QEMU");
  const codes = codeset === QNUM ? keycodes : keycodes.map((code) => {
    const qnum = keycodeTranslate(codeset, QNUM, code);
    if (qnum < 0) {
      throw VirError.report(
        "QEMU",
        "INTERNAL_ERROR",
        `cannot translate keycode ${code} of ${KEYCODE_SETS[codeset]} codeset to qnum keycode`,
      );
    }
    return qnum;
  });
  await obj.job.run(async () => {
    checkActive(obj);
    await obj.proc!.monitor.run("send-key", {
      keys: codes.map((data) => ({ type: "number", data })),
      ...(holdtime ? { "hold-time": holdtime } : {}),
    });
  });
}

/**
 * Injects a non-maskable interrupt into the guest.
 *
 * @example
 * ```ts
 * import { injectNMI } from "./guest_input.ts";
 * import type { QemuDomainObj } from "../domain_private.ts";
 * declare const obj: QemuDomainObj;
 * await injectNMI(obj, 0);
 * ```
 */
export async function injectNMI(obj: QemuDomainObj, flags: number): Promise<void> {
  checkFlags(flags, 0, "qemuDomainInjectNMI", "QEMU");
  await obj.job.run(async () => {
    checkActive(obj);
    await obj.proc!.monitor.run("inject-nmi");
  });
}
