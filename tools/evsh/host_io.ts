/**
 * evsh's services from the host it runs on, beyond reading files: what virsh asks of the
 * system itself (`stat` of a disk source, the editor of the `*-edit` commands). `main.ts`
 * binds them into the shell's IO.
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { strerror } from "../../util/strerror.ts";

/**
 * `stat(path)` and `S_ISBLK`: false when the path does not exist or is no block device.
 *
 * @example
 * ```ts
 * import { isBlockDevice } from "./host_io.ts";
 * await isBlockDevice("/nonexistent"); // false
 * ```
 */
export async function isBlockDevice(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isBlockDevice === true;
  } catch {
    return false;
  }
}

/** Characters virsh accepts unquoted in `$EDITOR` and in the temporary file name. */
const ACCEPTED = /^[A-Za-z0-9\-/_.:@]*$/;

/** `virBufferEscapeShell`'s test and quoting, as `virCommandToString` shows arguments. */
function shellWord(arg: string): string {
  if (!/[\r\t\n !"#$&'()*;<>?[\\\]^`{|}~]/.test(arg) && arg !== "") return arg;
  return `'${arg.replaceAll("'", "'\\''")}'`;
}

/** A command's program found in `PATH`, as `virFindFileInPath` does; undefined if none. */
async function inPath(program: string): Promise<string | undefined> {
  if (program.includes("/")) return program;
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    const full = `${dir || "."}/${program}`;
    try {
      const st = await Deno.stat(full);
      if (st.isFile && (st.mode ?? 0o111) & 0o111) return full;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * One edit session of virsh's `vshEditWriteToTempFile` / `vshEditFile` /
 * `vshEditReadBackFile`: the document in a private temporary file (`$TMPDIR/virshXXXXXX.xml`),
 * edited with `$VISUAL`, `$EDITOR` or `sensible-editor` as often as asked, removed at the end.
 * An editor that cannot run or fails rejects with libvirt's `VirError`; other failures reject
 * with an `Error` whose message is virsh's own line.
 *
 * @example
 * ```ts
 * import { openEditSession } from "./host_io.ts";
 * const session = await openEditSession("<domain/>", { EDITOR: "true" });
 * await session.edit(); // "<domain/>"
 * await session.close();
 * ```
 */
export async function openEditSession(
  doc: string,
  env: Record<string, string | undefined> = Deno.env.toObject(),
): Promise<EditSession> {
  const dir = env.TMPDIR ?? "/tmp";
  let file: string;
  try {
    file = await Deno.makeTempFile({ dir, prefix: "virsh", suffix: ".xml" });
    await Deno.chmod(file, 0o600);
    await Deno.writeTextFile(file, doc);
  } catch (e) {
    throw new Error(
      `g_mkstemp_full: failed to create temporary file: ${strerror(e)}`,
    );
  }
  const editor = env.VISUAL ?? env.EDITOR ?? "sensible-editor";
  return {
    async edit() {
      let argv: string[];
      if (!ACCEPTED.test(editor)) {
        if (!ACCEPTED.test(file)) {
          throw new Error(
            `${file}: temporary filename contains shell meta or other unacceptable characters ` +
              "(is $TMPDIR wrong?)",
          );
        }
        argv = ["sh", "-c", `${editor} ${file}`];
      } else argv = [editor, file];
      const program = await inPath(argv[0]);
      if (!program) {
        throw VirError.report(
          "NONE",
          "SYSTEM_ERROR",
          `Cannot find '${argv[0]}' in path: No such file or directory`,
        );
      }
      const status = await new Deno.Command(program, {
        args: argv.slice(1),
        env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<
          string,
          string
        >,
        clearEnv: true,
        stdin: "inherit",
        stdout: "inherit",
        stderr: "inherit",
      }).output();
      if (!status.success) {
        const shown = argv.map(shellWord).join(" ");
        throw VirError.report(
          "NONE",
          "INTERNAL_ERROR",
          status.signal
            ? `Child process (${shown}) unexpected fatal signal ${signalNumber(status.signal)}`
            : `Child process (${shown}) unexpected exit status ${status.code}`,
        );
      }
      try {
        return await Deno.readTextFile(file);
      } catch (e) {
        throw new Error(`${file}: failed to read temporary file: ${strerror(e)}`);
      }
    },
    async close() {
      await Deno.remove(file).catch(() => {});
    },
  };
}

/** An editor session over one temporary file (see {@link openEditSession}). */
export interface EditSession {
  /** Runs the editor on the file and reads it back. */
  edit(): Promise<string>;
  /** Removes the temporary file. */
  close(): Promise<void>;
}

const SIGNALS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGABRT: 6,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGTERM: 15,
};

function signalNumber(signal: Deno.Signal): number {
  return SIGNALS[signal] ?? 0;
}
