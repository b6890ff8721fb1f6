import type { AclRule, Principal } from "./acl.ts";

/** One entry of the token file: the token itself is never stored, only its SHA-256. */
export interface TokenRecord {
  name: string;
  sha256: string;
  role: "full" | "read-only";
  rules?: AclRule[];
  /** When `deno task token create` made it (ISO 8601); older files have none. */
  created?: string;
  /** After this instant (ISO 8601) the token is refused. */
  expires?: string;
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
  #byHash = new Map<string, Entry>();
  // Hashing on every request costs more than the driver call; remember recent good tokens.
  #recent = new Map<string, Entry>();

  constructor(records: readonly TokenRecord[]) {
    this.replace(records);
  }

  /**
   * Swaps in a new set of tokens (a reload): all-or-nothing, so a bad file leaves the old set.
   * Sessions already open keep their principal, as libvirtd's do across a reload.
   */
  replace(records: readonly TokenRecord[]): void {
    const byHash = new Map<string, Entry>();
    for (const r of records) {
      if (typeof r.name !== "string" || !r.name) throw new Error("a token has no name");
      if (!/^[0-9a-f]{64}$/.test(r.sha256)) throw new Error(`token '${r.name}': bad sha256`);
      if (r.role !== "full" && r.role !== "read-only") {
        throw new Error(`token '${r.name}': role must be full or read-only`);
      }
      const expires = r.expires === undefined ? Infinity : Date.parse(r.expires);
      if (Number.isNaN(expires)) throw new Error(`token '${r.name}': bad expires '${r.expires}'`);
      const principal = { name: r.name, role: r.role, rules: r.rules };
      // A reload keeps what is known of a token's last use.
      const lastUsed = this.#byHash.get(r.sha256)?.lastUsed ?? 0;
      byHash.set(r.sha256, { principal, expires, lastUsed });
    }
    this.#byHash = byHash;
    this.#recent = new Map();
  }

  /** The principal for a presented token, or undefined (unknown or expired). */
  async authenticate(token: string): Promise<Principal | undefined> {
    let entry = this.#recent.get(token);
    if (!entry) {
      const byHash = this.#byHash;
      entry = byHash.get(await hashToken(token));
      if (!entry) return undefined;
      // A reload during the hash must not let the old set back into the cache.
      if (byHash === this.#byHash) {
        if (this.#recent.size >= RECENT_TOKENS) this.#recent.clear();
        this.#recent.set(token, entry);
      }
    }
    const now = Date.now();
    if (now >= entry.expires) return undefined;
    entry.lastUsed = now;
    return entry.principal;
  }

  /** When each token was last accepted (ISO 8601, by name), for tokens used since the start. */
  lastUsed(): Record<string, string> {
    const used: Record<string, string> = {};
    for (const { principal, lastUsed } of this.#byHash.values()) {
      if (lastUsed) used[principal.name] = new Date(lastUsed).toISOString();
    }
    return used;
  }
}

interface Entry {
  principal: Principal;
  /** Epoch milliseconds, `Infinity` for none. */
  expires: number;
  /** Epoch milliseconds of the last accepted use, 0 for none. */
  lastUsed: number;
}
