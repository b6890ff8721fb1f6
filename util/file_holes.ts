/**
 * Where a file's data and holes are (libvirt's `virFileInData`), for sparse streams: the
 * kernel's own map, asked with `lseek(SEEK_DATA)` / `lseek(SEEK_HOLE)` through libc, since Deno
 * has neither. Nothing is guessed from the bytes: a run of written zeroes is data, as libvirt
 * sends it.
 *
 * @module
 */
import { VirError } from "./errors.ts";
import { ERRNO_SYMBOLS, errnoText } from "./libc_errno.ts";

const SEEK_END = 2;
const SEEK_DATA = 3;
const SEEK_HOLE = 4;
const ENXIO = 6;
const O_RDONLY_CLOEXEC = 0o2000000;

const SYMBOLS = {
  open: { parameters: ["buffer", "i32"], result: "i32" },
  lseek: { parameters: ["i32", "i64", "i32"], result: "i64" },
  close: { parameters: ["i32"], result: "i32" },
  ...ERRNO_SYMBOLS,
} as const;

let libc: Deno.DynamicLibrary<typeof SYMBOLS> | undefined;

/** What {@link HoleMap.inData} answers: as libvirt's `inData` and `length`. */
export interface Section {
  /** The position is in data (else in a hole, or at the end when `length` is 0). */
  inData: boolean;
  /** Bytes from the position to where the section ends (0: the end of the file). */
  length: number;
}

/** A file's data/hole map, asked at any position; {@link HoleMap.close} when done. */
export interface HoleMap {
  /** `virFileInData` at `pos`: the section `pos` is in and how far it goes. */
  inData(pos: number): Section;
  /** Closes the descriptor the map asks through. */
  close(): void;
}

function systemError(message: string, errnoMessage: string): VirError {
  return VirError.bare("NONE", "SYSTEM_ERROR", `${message}: ${errnoMessage}`);
}

/**
 * The data/hole map of the regular file at `path`, through a descriptor of its own (positions
 * are absolute, so a stream reading the file through another is not moved). Without libc's
 * `lseek` (no FFI permission), libvirt's error for a host without `SEEK_HOLE`.
 *
 * @example
 * ```ts ignore
 * import { openHoleMap } from "./file_holes.ts";
 * const map = openHoleMap("/var/lib/images/a.img");
 * console.log(map.inData(0)); // { inData: false, length: 1073741824 } for an empty sparse file
 * map.close();
 * ```
 */
export function openHoleMap(path: string): HoleMap {
  let lib: Deno.DynamicLibrary<typeof SYMBOLS>;
  try {
    lib = libc ??= Deno.dlopen("libc.so.6", SYMBOLS);
  } catch {
    throw systemError("sparse files not supported", "Function not implemented");
  }
  const c = lib.symbols;
  const fd = c.open(new TextEncoder().encode(`${path}\0`), O_RDONLY_CLOEXEC);
  if (fd < 0) throw systemError(`Unable to open ${path}`, errnoText(c)[1]);
  const seek = (pos: number, whence: number) => Number(c.lseek(fd, BigInt(pos), whence));
  return {
    inData(pos) {
      // virFileInData's four cases: in data, in a hole before data, in the trailing hole (or
      // past the end), or a failure.
      const data = seek(pos, SEEK_DATA);
      if (data < 0) {
        const [errno, text] = errnoText(c);
        if (errno !== ENXIO) throw systemError("Unable to seek to data", text);
        const end = seek(0, SEEK_END);
        if (end < 0) throw systemError("Unable to seek to EOF", errnoText(c)[1]);
        return { inData: false, length: Math.max(0, end - pos) };
      }
      if (data > pos) return { inData: false, length: data - pos };
      const hole = seek(data, SEEK_HOLE);
      if (hole < 0 || hole === data) {
        throw systemError("unable to seek to hole", errnoText(c)[1]);
      }
      return { inData: true, length: hole - data };
    },
    close() {
      c.close(fd);
    },
  };
}
