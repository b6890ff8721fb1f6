/**
 * tsc keeps the sources' `.ts` specifiers in the declarations it emits; a package's `.d.ts`
 * files name their siblings the way its JavaScript would (`.js`), which every TypeScript
 * module resolution maps back to the `.d.ts`. JSDoc lines are left as written.
 *
 * @example
 * ```ts
 * import { rewriteDeclarationImports } from "./declarations.ts";
 * rewriteDeclarationImports('export * from "./client/mod.ts";'); // 'export * from "./client/mod.js";'
 * ```
 */
export function rewriteDeclarationImports(dts: string): string {
  return dts.split("\n").map((line) =>
    /^\s*\*/.test(line)
      ? line
      : line.replace(/(from |import\()"(\.{1,2}\/[^"]*)\.ts"/g, '$1"$2.js"')
  ).join("\n");
}
