/**
 * Just enough PNG decoding to judge a screenshot: its size, 8-bit RGB or RGBA, not interlaced
 * (what Chromium writes), into pixels, and the colour most of them have.
 *
 * @module
 */
import { inflateSync } from "node:zlib";

/** Decoded pixels, RGBA, row by row. */
export interface Pixels {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/** The 8 bytes every PNG starts with. */
const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * A PNG's width and height from its IHDR, after checking the signature and that IHDR comes
 * first, as PNG requires; throws for anything else.
 *
 * @example
 * ```ts ignore
 * pngSize(await Deno.readFile("shot.png")); // [1120, 832]
 * ```
 */
export function pngSize(png: Uint8Array): [number, number] {
  if (png.length < 33 || SIGNATURE.some((b, i) => png[i] !== b)) {
    throw new Error("not a PNG: wrong signature");
  }
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  if (view.getUint32(8) !== 13 || new TextDecoder().decode(png.subarray(12, 16)) !== "IHDR") {
    throw new Error("not a PNG: no IHDR first");
  }
  return [view.getUint32(16), view.getUint32(20)];
}

/**
 * Decodes a PNG (colour types 2 and 6, bit depth 8, no interlace).
 *
 * @example
 * ```ts ignore
 * const { width, height } = decodePng(await page.screenshot());
 * ```
 */
export function decodePng(png: Uint8Array): Pixels {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let width = 0, height = 0, channels = 0;
  const idat: Uint8Array[] = [];
  for (let off = 8; off < png.length;) {
    const length = view.getUint32(off);
    const type = new TextDecoder().decode(png.subarray(off + 4, off + 8));
    const data = png.subarray(off + 8, off + 8 + length);
    if (type === "IHDR") {
      width = view.getUint32(off + 8);
      height = view.getUint32(off + 12);
      const [depth, colour, , , interlace] = data.subarray(8, 13);
      if (depth !== 8 || (colour !== 2 && colour !== 6) || interlace !== 0) {
        throw new Error(`unsupported PNG: depth ${depth}, colour type ${colour}`);
      }
      channels = colour === 6 ? 4 : 3;
    } else if (type === "IDAT") idat.push(data);
    off += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const rows = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? rows[y * stride + x - channels] : 0;
      const b = y > 0 ? rows[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? rows[(y - 1) * stride + x - channels] : 0;
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      const predictor = [
        0,
        a,
        b,
        (a + b) >> 1,
        pa <= pb && pa <= pc ? a : pb <= pc ? b : c,
      ][filter];
      rows[y * stride + x] = (line[x] + predictor) & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba.set(rows.subarray(i * channels, i * channels + 3), i * 4);
    rgba[i * 4 + 3] = channels === 4 ? rows[i * channels + 3] : 255;
  }
  return { width, height, rgba };
}

/**
 * The colour most pixels have, as `#rrggbb`.
 *
 * @example
 * ```ts ignore
 * dominantColour(decodePng(png)); // "#2e7d32"
 * ```
 */
export function dominantColour({ rgba }: Pixels): string {
  const counts = new Map<number, number>();
  for (let i = 0; i < rgba.length; i += 4) {
    const key = (rgba[i] << 16) | (rgba[i + 1] << 8) | rgba[i + 2];
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const [top] = [...counts].sort((x, y) => y[1] - x[1])[0];
  return `#${top.toString(16).padStart(6, "0")}`;
}
