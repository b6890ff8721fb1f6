/**
 * QEMU's interop descriptor folders (`firmware`, `vhost-user`) as libvirt 9.0 reads them
 * (`qemuInteropFetchConfigs`): QEMU's data folder, the host's configuration, and for a session
 * driver the user's own; a file name in a more specific folder masks the same name in the
 * others, an empty file masking it altogether; the files in effect come in file-name order.
 *
 * @example
 * ```ts
 * import { interopDirs, interopFiles } from "./interop_config.ts";
 * await interopFiles(interopDirs("vhost-user", true));
 * // ["/usr/share/qemu/vhost-user/50-qemu-virtiofsd.json"]
 * ```
 * @module
 */

/**
 * The folders descriptors of kind `name` are read from, the least specific first.
 *
 * @example
 * ```ts
 * import { interopDirs } from "./interop_config.ts";
 * interopDirs("firmware", true); // ["/usr/share/qemu/firmware", "/etc/qemu/firmware"]
 * ```
 */
export function interopDirs(name: string, privileged: boolean): string[] {
  const home = Deno.env.get("HOME") ?? "/";
  const config = Deno.env.get("XDG_CONFIG_HOME") || `${home}/.config`;
  return [
    `/usr/share/qemu/${name}`,
    `/etc/qemu/${name}`,
    ...(privileged ? [] : [`${config}/qemu/${name}`]),
  ];
}

/**
 * The descriptor files in effect in `dirs`, by file name: each name once, from the most specific
 * folder that has it (an empty file there masks the others), dot files and what is not a file
 * left out, a folder that is not there having none.
 *
 * @example
 * ```ts
 * import { interopFiles } from "./interop_config.ts";
 * await interopFiles(["/nonexistent"]); // []
 * ```
 */
export async function interopFiles(dirs: readonly string[]): Promise<string[]> {
  const byName = new Map<string, string>();
  for (const dir of dirs) {
    try {
      for await (const e of Deno.readDir(dir)) {
        const path = `${dir}/${e.name}`;
        if (e.name.startsWith(".") || !(await Deno.stat(path)).isFile) continue;
        byName.set(e.name, path);
      }
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory)) {
        throw err;
      }
    }
  }
  const found: string[] = [];
  for (const name of [...byName.keys()].sort()) {
    const path = byName.get(name)!;
    if ((await Deno.stat(path)).size > 0) found.push(path);
  }
  return found;
}
