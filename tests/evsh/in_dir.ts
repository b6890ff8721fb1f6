import { createFileForEvsh } from "../../tools/evsh/main.ts";

/**
 * evsh's file creation with relative names taken from `dir`, as if evsh ran there: tests do not
 * `Deno.chdir`, because the process's working directory is shared by the test files that
 * `deno test --parallel` runs beside each other.
 */
export function inDir(dir: string): typeof createFileForEvsh {
  return (path) => createFileForEvsh(path.startsWith("/") ? path : `${dir}/${path}`);
}
