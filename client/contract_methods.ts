import { CONTRACT, type DriverMethod } from "../util/contract/contract.ts";
import type { ArgKind, CallDecl, RefKind } from "../util/contract/declare.ts";

/** What a call gets for an argument left out, by kind: python-libvirt's defaults. */
const DEFAULTS: Partial<Record<ArgKind, unknown>> = {
  int: 0,
  uint: 0,
  long: 0,
  ulong: 0,
  "str?": null,
};

/** A snapshot or checkpoint call: the domain is its first argument, but its handle is the child's. */
const childCall = (decl: CallDecl): boolean =>
  decl.family === "DOMAIN_SNAPSHOT" || decl.family === "DOMAIN_CHECKPOINT";

/** What a derived method needs of its handle: the protected call with the reference first. */
interface Caller {
  call(method: string, ...args: unknown[]): Promise<unknown>;
}

/**
 * Gives a handle class a method for each contract call on its object (first argument of kind
 * `ref`, name `prefix` + the method's: `domainGetInfo` is `getInfo`) that it does not write out
 * itself. Arguments left out (or `undefined`) default by kind: 0, or null for a string that may
 * be NULL; a call that returns nothing resolves to `undefined`. Their types and JSDoc are the
 * class's interface of the same name (the managed migration's steps, which only `migrate3`
 * makes, are left out of it). The bodies are derived, not written out, because the portable
 * client carries each one.
 *
 * @example
 * ```ts
 * import { Domain } from "./domain.ts";
 * import { contractMethods } from "./contract_methods.ts";
 * contractMethods(Domain, "dom", "domain"); // dom.getInfo() calls domainGetInfo
 * ```
 */
export function contractMethods(cls: { prototype: object }, ref: RefKind, prefix: string): void {
  const written = new Set<string>();
  for (let p = cls.prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const n of Object.getOwnPropertyNames(p)) written.add(n.toLowerCase());
  }
  for (const [method, decl] of Object.entries(CONTRACT)) {
    if (decl.args[0]?.kind !== ref || !method.startsWith(prefix) || childCall(decl)) continue;
    const name = method[prefix.length].toLowerCase() + method.slice(prefix.length + 1);
    // written out, maybe in python-libvirt's case (`fsFreeze` for `domainFSFreeze`)
    if (written.has(name.toLowerCase())) continue;
    const after = decl.args.slice(1);
    const none = decl.result.shape.kind === "none";
    Object.defineProperty(cls.prototype, name, {
      configurable: true,
      writable: true,
      value(this: Caller, ...given: unknown[]) {
        const args = after.map((a, i) => given[i] === undefined ? DEFAULTS[a.kind] : given[i]);
        const answer = this.call(method as DriverMethod, ...args);
        return none ? answer.then(() => {}) : answer;
      },
    });
  }
}
