/**
 * Secret values at rest: AES-256-GCM (WebCrypto) under a per-host key kept in a file of mode
 * 0600, made on first use. Each value file holds a fresh 12-byte IV and the ciphertext, with
 * the secret's UUID as additional data so a value file copied onto another secret does not
 * decrypt.
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";

const KEY_BYTES = 32;
const IV_BYTES = 12;

/** Encrypts and decrypts secret values with the host key. */
export class ValueCipher {
  #key: CryptoKey;

  private constructor(key: CryptoKey) {
    this.#key = key;
  }

  /**
   * The cipher of the key in `keyFile`, which is created (0600, 32 random bytes) when absent.
   *
   * @example
   * ```ts
   * import { ValueCipher } from "./value_cipher.ts";
   * const dir = await Deno.makeTempDir();
   * const c = await ValueCipher.open(`${dir}/key`);
   * const box = await c.seal("u", new Uint8Array([1, 2]));
   * (await c.open("u", box)).length; // 2
   * ```
   */
  static async open(keyFile: string): Promise<ValueCipher> {
    let raw: Uint8Array;
    try {
      raw = await Deno.readFile(keyFile);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      raw = crypto.getRandomValues(new Uint8Array(KEY_BYTES));
      await Deno.mkdir(keyFile.slice(0, keyFile.lastIndexOf("/")), { recursive: true });
      await Deno.writeFile(keyFile, raw, { mode: 0o600, createNew: true });
    }
    if (raw.length !== KEY_BYTES) {
      throw VirError.report("SECRET", "INTERNAL_ERROR", `invalid secret key file '${keyFile}'`);
    }
    const key = await crypto.subtle.importKey(
      "raw",
      raw as Uint8Array<ArrayBuffer>,
      "AES-GCM",
      false,
      ["encrypt", "decrypt"],
    );
    return new ValueCipher(key);
  }

  /** IV followed by the ciphertext of `value`, bound to `uuid`. */
  async seal(uuid: string, value: Uint8Array): Promise<Uint8Array> {
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const data = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(uuid) },
        this.#key,
        value as Uint8Array<ArrayBuffer>,
      ),
    );
    const out = new Uint8Array(IV_BYTES + data.length);
    out.set(iv);
    out.set(data, IV_BYTES);
    return out;
  }

  /** The value sealed in `box` for `uuid`; a tampered or foreign box is an error. */
  async open(uuid: string, box: Uint8Array): Promise<Uint8Array> {
    try {
      return new Uint8Array(
        await crypto.subtle.decrypt(
          {
            name: "AES-GCM",
            iv: box.subarray(0, IV_BYTES) as Uint8Array<ArrayBuffer>,
            additionalData: new TextEncoder().encode(uuid),
          },
          this.#key,
          box.subarray(IV_BYTES) as Uint8Array<ArrayBuffer>,
        ),
      );
    } catch {
      throw VirError.report(
        "SECRET",
        "INTERNAL_ERROR",
        `cannot decrypt the value of secret '${uuid}'`,
      );
    }
  }
}
