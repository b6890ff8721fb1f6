import { VIR } from "./constants.ts";
import { ERROR_MESSAGES } from "./error_messages.ts";

/** A libvirt error number name without its `VIR_ERR_` prefix (`"NO_DOMAIN"`), or `"WAR_…"`. */
export type ErrorCodeName = string;
/** A libvirt error domain name without its `VIR_FROM_` prefix (`"DOMAIN"`, `"TEST"`). */
export type ErrorDomainName = string;

const CODE_NAMES = new Map<number, string>();
const DOMAIN_NAMES = new Map<number, string>();
for (const [key, value] of Object.entries(VIR)) {
  if (key.startsWith("FROM_")) DOMAIN_NAMES.set(value, "VIR_" + key);
  else if (
    (key.startsWith("ERR_") || key.startsWith("WAR_")) &&
    !["ERR_NONE", "ERR_WARNING", "ERR_ERROR"].includes(key)
  ) CODE_NAMES.set(value, "VIR_" + key);
}

/** The JSON form of a {@link VirError}, as the gateway sends it. */
export interface VirErrorJSON {
  /** virErrorNumber value, e.g. 42. */
  code: number;
  /** The error number's C name, e.g. `VIR_ERR_NO_DOMAIN`. */
  codeName: string;
  /** virErrorDomain value, e.g. 12. */
  domain: number;
  /** The error domain's C name, e.g. `VIR_FROM_TEST`. */
  domainName: string;
  /** The message text, as libvirt formats it. */
  message: string;
}

/**
 * The one error class of edgevirt: libvirt's `virError` with its error number, error domain
 * and message text, identical to what libvirt reports in the same situation.
 *
 * @example
 * ```ts
 * import { VirError } from "./errors.ts";
 * try {
 *   throw VirError.report("TEST", "NO_DOMAIN", "no domain with matching name 'x'");
 * } catch (e) {
 *   if (e instanceof VirError) console.log(e.code, e.codeName, e.domain, e.message);
 * }
 * ```
 */
export class VirError extends Error {
  /** virErrorNumber value, e.g. 42. */
  readonly code: number;
  /** virErrorDomain value, e.g. 12. */
  readonly domain: number;

  /** An error from raw numbers; {@link VirError.report} and {@link VirError.bare} take names. */
  constructor(code: number, domain: number, message: string) {
    super(message);
    this.name = "VirError";
    this.code = code;
    this.domain = domain;
  }

  /** The error number's C name, e.g. `VIR_ERR_NO_DOMAIN`. */
  get codeName(): string {
    return CODE_NAMES.get(this.code) ?? `VIR_ERR_${this.code}`;
  }

  /** The error domain's C name, e.g. `VIR_FROM_TEST`. */
  get domainName(): string {
    return DOMAIN_NAMES.get(this.domain) ?? `VIR_FROM_${this.domain}`;
  }

  /** The wire form used by the gateway and by the scenario runner. */
  toJSON(): VirErrorJSON {
    return {
      code: this.code,
      codeName: this.codeName,
      domain: this.domain,
      domainName: this.domainName,
      message: this.message,
    };
  }

  /** Rebuilds an error from its wire form. */
  static fromJSON(json: VirErrorJSON): VirError {
    return new VirError(json.code, json.domain, json.message);
  }

  /**
   * Builds an error with the message exactly as given, the way libvirt's virReportInvalidArg,
   * virCheckFlags and friends report it (no "invalid argument: " prefix).
   */
  static bare(domain: ErrorDomainName, code: ErrorCodeName, message: string): VirError {
    return new VirError(codeValue(code), domainValue(domain), message);
  }

  /**
   * Builds an error the way libvirt's `virReportError(code, fmt, …)` does: the code's message
   * prefix, and the detail after it when one is given.
   */
  static report(domain: ErrorDomainName, code: ErrorCodeName, detail?: string): VirError {
    return new VirError(codeValue(code), domainValue(domain), errorMessage(code, detail));
  }
}

function codeValue(name: ErrorCodeName): number {
  const key = name.startsWith("WAR_") ? name : "ERR_" + name;
  const v = (VIR as Record<string, number>)[key];
  if (v === undefined) throw new TypeError(`unknown libvirt error code ${name}`);
  return v;
}

function domainValue(name: ErrorDomainName): number {
  const v = (VIR as Record<string, number>)["FROM_" + name];
  if (v === undefined) throw new TypeError(`unknown libvirt error domain ${name}`);
  return v;
}

/** libvirt's message for an error number with an optional detail (virErrorMsg + format). */
export function errorMessage(code: ErrorCodeName, detail?: string): string {
  const entry = ERROR_MESSAGES[code];
  if (entry === undefined) throw new TypeError(`no message for libvirt error code ${code}`);
  const [plain, withInfo] = typeof entry === "string" ? [entry, `${entry}: %s`] : entry;
  return detail ? withInfo.replace("%s", () => detail) : plain;
}

/**
 * libvirt's `virCheckFlags`: rejects bits outside `supported` with
 * "unsupported flags (0x…) in function NAME".
 *
 * @example
 * ```ts
 * import { checkFlags } from "./errors.ts";
 * checkFlags(0, 0x3, "testDomainCreateWithFlags", "TEST"); // ok
 * ```
 */
export function checkFlags(
  flags: number,
  supported: number,
  fn: string,
  domain: ErrorDomainName,
): void {
  const bad = (flags >>> 0) & ~(supported >>> 0);
  if (bad !== 0) {
    throw VirError.bare(
      domain,
      "INVALID_ARG",
      `unsupported flags (0x${(bad >>> 0).toString(16)}) in function ${fn}`,
    );
  }
}

/** The libvirt error code name for a numeric code, e.g. 42 → `VIR_ERR_NO_DOMAIN`. */
export function errorCodeName(code: number): string | undefined {
  return CODE_NAMES.get(code);
}

/** The libvirt error domain name for a numeric domain, e.g. 12 → `VIR_FROM_TEST`. */
export function errorDomainName(domain: number): string | undefined {
  return DOMAIN_NAMES.get(domain);
}
