/**
 * `qemu-img` as libvirt's QEMU driver runs it for shut-off domains' snapshots
 * (`virCommandRun`): a failure is libvirt's "Child process (…) unexpected exit status" error.
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";

/**
 * Runs `qemu-img ARGS`; rejects with libvirt's error when it fails.
 *
 * @example
 * ```ts
 * import { qemuImg } from "./qemu_img.ts";
 * await qemuImg(["snapshot", "-c", "s1", "/var/lib/a.qcow2"]);
 * ```
 */
export async function qemuImg(args: string[]): Promise<void> {
  const out = await new Deno.Command("qemu-img", { args, stdout: "null", stderr: "piped" })
    .output();
  if (!out.success) {
    throw VirError.report(
      "NONE",
      "INTERNAL_ERROR",
      `Child process (qemu-img ${args.join(" ")}) unexpected exit status ${out.code}: ${
        new TextDecoder().decode(out.stderr).trim()
      }`,
    );
  }
}
