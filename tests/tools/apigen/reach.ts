/**
 * The API generator's reach: of the python-libvirt methods the TypeScript scenario runner maps
 * (and so can compare), how many {@link CATALOG} draws, per class, with the ones it leaves out.
 *
 *     deno run -A tests/tools/apigen/reach.ts
 *
 * @module
 */
import { HANDLERS } from "../scenario/ops.ts";
import { PYTHON_API } from "../scenario/python_api.ts";
import { CATALOG } from "./catalog.ts";

const drawn = new Set(CATALOG.map((m) => `${m.cls}.${m.method}`));
let mapped = 0;
let reached = 0;
for (const [cls, handlers] of Object.entries(HANDLERS)) {
  // the runner also maps a few names python-libvirt does not have: they are not methods
  const methods = Object.keys(handlers).filter((m) => Object.hasOwn(PYTHON_API[cls] ?? {}, m));
  const left = methods.filter((m) => !drawn.has(`${cls}.${m}`));
  mapped += methods.length;
  reached += methods.length - left.length;
  console.log(
    `${cls}: ${methods.length - left.length}/${methods.length}` +
      (left.length ? ` (not drawn: ${left.join(" ")})` : ""),
  );
}
console.log(`python-libvirt methods drawn: ${reached} of the ${mapped} the runner maps`);
