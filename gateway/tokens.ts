import type { AclRule, Principal } from "./acl.ts";

/** One entry of the token file: the token itself is never stored, only its SHA-256. */
export interface TokenRecord {
  name: string;
  sha256: string;
  role: "full" | "read-only";
  rules?: AclRule[];
}

/** The token file (`tokens.json`). */
export interface TokenFile {
  version: 1;
  tokens: TokenRecord[];
}

const RECENT_TOKENS = 256;

/** Hex SHA-256 of a token, as stored in the token file. */
export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A fresh random bearer token (256 bits, base64url). */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return "ev_" + btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}

/**
 * Looks callers up by the hash of their bearer token.
 *
 * @example
 * ```ts
 * import { hashToken, TokenStore } from "./tokens.ts";
 * const store = new TokenStore([{ name: "admin", sha256: await hashToken("t"), role: "full" }]);
 * (await store.authenticate("t"))?.role; // "full"
 * ```
 */
export class TokenStore {
  #byHash = new Map<string, Principal>();
  // Hashing on every request costs more than the driver call; remember recent good tokens.
  #recent = new Map<string, Principal>();

  constructor(records: readonly TokenRecord[]) {
    for (const r of records) {
      if (!/^[0-9a-f]{64}$/.test(r.sha256)) throw new Error(`token '${r.name}': bad sha256`);
      if (r.role !== "full" && r.role !== "read-only") {
        throw new Error(`token '${r.name}': role must be full or read-only`);
      }
      this.#byHash.set(r.sha256, { name: r.name, role: r.role, rules: r.rules });
    }
  }

  /** The principal for a presented token, or undefined. */
  async authenticate(token: string): Promise<Principal | undefined> {
    const cached = this.#recent.get(token);
    if (cached) return cached;
    const principal = this.#byHash.get(await hashToken(token));
    if (principal) {
      if (this.#recent.size >= RECENT_TOKENS) this.#recent.clear();
      this.#recent.set(token, principal);
    }
    return principal;
  }
}
