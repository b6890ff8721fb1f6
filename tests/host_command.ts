/**
 * A host command for tests that set up and inspect the host's side (links, mounts): its
 * standard output, or an error with its standard error when it fails.
 *
 * @example
 * ```ts ignore
 * const links = JSON.parse(await runHost("ip", "-j", "link", "show"));
 * ```
 */
export async function runHost(cmd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  const dec = new TextDecoder();
  if (!out.success) throw new Error(`${cmd} ${args.join(" ")}: ${dec.decode(out.stderr)}`);
  return dec.decode(out.stdout);
}
