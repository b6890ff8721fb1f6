/**
 * A guest for console tests that needs no download: a boot sector that prints '>' on COM1 and
 * then echoes every byte it receives there.
 *
 * @module
 */

/**
 * The boot sector (real mode, loaded at 0x7c00), hand-assembled:
 *
 *         mov al, '>'      ; B0 3E
 *         call putc        ; E8 11 00
 * loop:   mov dx, 0x3fd    ; BA FD 03   line status
 *         in al, dx        ; EC
 *         test al, 1       ; A8 01      data ready?
 *         jz loop          ; 74 F8
 *         mov dx, 0x3f8    ; BA F8 03
 *         in al, dx        ; EC         the byte
 *         call putc        ; E8 02 00
 *         jmp loop         ; EB EF
 * putc:   mov ah, al       ; 88 C4
 *         mov dx, 0x3fd    ; BA FD 03
 * wait:   in al, dx        ; EC
 *         test al, 0x20    ; A8 20      transmitter empty?
 *         jz wait          ; 74 FB
 *         mov al, ah       ; 88 E0
 *         mov dx, 0x3f8    ; BA F8 03
 *         out dx, al       ; EE
 *         ret              ; C3
 */
const ECHO_GUEST = "b03ee81100bafd03eca80174f8baf803ece80200ebef88c4bafd03eca82074fb" +
  "88e0baf803eec3";

/**
 * A 1 MiB raw disk whose boot sector is the echo guest.
 *
 * @example
 * ```ts ignore
 * await Deno.writeFile(`${dir}/boot.img`, echoGuestDisk());
 * ```
 */
export function echoGuestDisk(): Uint8Array {
  const disk = new Uint8Array(1024 * 1024);
  disk.set(ECHO_GUEST.match(/../g)!.map((b) => parseInt(b, 16)));
  disk.set([0x55, 0xaa], 510);
  return disk;
}
