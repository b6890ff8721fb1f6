/**
 * python-libvirt's own argument conversions, which fail with a TypeError before libvirt is
 * called: the checks of libvirt-override.c for the methods the runner maps. JSON arrays arrive
 * as Python lists, so a CPU map (which must be a tuple) is refused unless the op names its
 * index under `"tuples"` (a `PyTuple` then).
 *
 * @example
 * ```ts
 * import { pyArgumentError } from "./py_args.ts";
 * pyArgumentError("virDomain", "pinVcpuFlags", [0, [true], 0]);
 * // "Unexpected type, tuple is required"
 * ```
 * @module
 */

type Check = (v: unknown) => string | undefined;

/**
 * A Python tuple among the arguments: an array the scenario asked to pass as a tuple.
 *
 * @example
 * ```ts
 * import { PyTuple } from "./py_args.ts";
 * PyTuple.from([true, false]) instanceof PyTuple; // true
 * ```
 */
export class PyTuple extends Array<unknown> {}

/** virPyCpumapConvert: the CPU map must be a tuple. */
const cpumap: Check = (v) =>
  Array.isArray(v) && !(v instanceof PyTuple) ? "Unexpected type, tuple is required" : undefined;

/** Per class and method, the check of each positional argument (by index). */
const CHECKS: Record<string, Record<string, Record<number, Check>>> = {
  virDomain: {
    pinVcpu: { 1: cpumap },
    pinVcpuFlags: { 1: cpumap },
    pinEmulator: { 0: cpumap },
    pinIOThread: { 1: cpumap },
  },
};

/** The TypeError text python-libvirt raises for `args`, or undefined when they convert. */
export function pyArgumentError(cls: string, name: string, args: unknown[]): string | undefined {
  const checks = CHECKS[cls]?.[name];
  if (!checks) return undefined;
  for (const [i, check] of Object.entries(checks)) {
    const msg = check(args[Number(i)]);
    if (msg) return msg;
  }
  return undefined;
}
