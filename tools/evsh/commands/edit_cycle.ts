/**
 * virsh's edit cycle (`virsh-edit.c`) shared by `edit`, `net-edit`, `pool-edit`,
 * `iface-edit`, `nwfilter-edit`, `snapshot-edit`, `checkpoint-edit`, `save-image-edit` and
 * `managedsave-edit`: the XML to a temporary file, the editor, and the edited XML redefined
 * unless it did not change or someone else changed the object meanwhile. Where standard input
 * is no terminal virsh cannot ask whether to try again: it reports the failure and carries on
 * as if the edit had worked, printing its success line with a null name, which evsh keeps.
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import { type CommandContext, CommandFailed } from "../context.ts";

/** What one edit command plugs into the cycle (virsh's `EDIT_*` macros). */
export interface EditSpec<T> {
  /** `EDIT_GET_XML`. */
  getXML(): Promise<string>;
  /** `EDIT_DEFINE`: the redefined object. */
  define(xml: string): Promise<T>;
  /** `EDIT_NOT_CHANGED`: true when an unchanged document ends the cycle. */
  notChanged(): boolean;
  /** `EDIT_RELAX`: turns validation off, where the command has it. */
  relax?(): void;
}

/** How the cycle ended: the XML unchanged, or the object defined (null when it was not). */
export type EditOutcome<T> = { unchanged: true } | { unchanged: false; edited: T | null };

/** `vshEditFile` + `vshEditReadBackFile`, with their errors reported as virsh does. */
async function runEditor(
  ctx: CommandContext,
  session: { edit(): Promise<string> },
): Promise<string> {
  try {
    return await session.edit();
  } catch (e) {
    if (e instanceof VirError) {
      ctx.lastError = e;
      ctx.reportNow();
      throw new CommandFailed();
    }
    return ctx.fail((e as Error).message);
  }
}

/**
 * Runs the edit cycle; a failure before the redefinition ends the command (the saved error is
 * reported as usual).
 *
 * @example
 * ```ts
 * import { editCycle } from "./edit_cycle.ts";
 * // const r = await editCycle(ctx, { getXML, define, notChanged: () => true });
 * ```
 */
export async function editCycle<T>(
  ctx: CommandContext,
  spec: EditSpec<T>,
): Promise<EditOutcome<T>> {
  let doc = await ctx.call(() => spec.getXML());
  const open = ctx.io.openEditor;
  if (!open) return ctx.fail("no editor can run in this environment");
  let session;
  try {
    session = await open(doc);
  } catch (e) {
    return ctx.fail((e as Error).message);
  }
  let relax = spec.relax !== undefined;
  try {
    let edited = await runEditor(ctx, session);
    if (doc === edited && spec.notChanged()) return { unchanged: true };
    for (;;) {
      // Re-read the object: another user may have changed it while it was being edited.
      const reread = await ctx.call(() => spec.getXML());
      let msg: string | undefined;
      let obj: T | null = null;
      if (reread !== doc) {
        msg = "The XML configuration was changed by another user.";
        doc = reread;
      } else {
        const r = await ctx.attempt(() => spec.define(edited));
        if (r.ok) obj = r.value;
        else msg = "Failed.";
      }
      if (msg === undefined) return { unchanged: false, edited: obj };
      const answer = await ctx.io.askReedit?.(msg, relax);
      if (answer === "y") {
        edited = await runEditor(ctx, session);
        if (doc === edited && spec.notChanged()) return { unchanged: true };
        continue;
      }
      if (answer === "f") continue;
      if (answer === "n") throw new CommandFailed();
      if (answer === "i" && relax) {
        spec.relax!();
        relax = false;
        continue;
      }
      ctx.error(msg);
      return { unchanged: false, edited: null };
    }
  } finally {
    await session.close();
  }
}

/**
 * One edit of a text outside the cycle (`desc --edit`): the text after the editor ran on it.
 *
 * @example
 * ```ts
 * import { editText } from "./edit_cycle.ts";
 * // const edited = await editText(ctx, "old description");
 * ```
 */
export async function editText(ctx: CommandContext, text: string): Promise<string> {
  const open = ctx.io.openEditor;
  if (!open) return ctx.fail("no editor can run in this environment");
  let session;
  try {
    session = await open(text);
  } catch (e) {
    return ctx.fail((e as Error).message);
  }
  try {
    return await runEditor(ctx, session);
  } finally {
    await session.close();
  }
}

/** How virsh prints the name of an object it does not have (`%s` of NULL). */
export function nameOrNull(obj: { name: string } | null): string {
  return obj?.name ?? "(null)";
}
