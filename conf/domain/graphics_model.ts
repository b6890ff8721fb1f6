/**
 * The typed JSON model of a `<graphics>` (libvirt's `virDomainGraphicsDef`), as conf
 * canonicalises it (`parseGraphics`): its attributes as fields (ports as numbers, `autoport` as
 * a boolean), its `<listen>` children as `listens`, and SPICE's channels and options in `extra`.
 *
 * @example
 * ```ts
 * import { GRAPHICS_MODEL } from "./graphics_model.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * GRAPHICS_MODEL.toModel(parse("<graphics type='vnc' port='-1' autoport='yes'/>"));
 * // { type: "vnc", port: -1, autoport: true }
 * ```
 * @module
 */
import { z } from "zod";
import { attr, deviceModel, kid, type ModelOf } from "./device_model.ts";
import { DEVICE_ENUMS } from "./devices.ts";
import { SPICE_KIDS } from "./graphics.ts";

const str = () => attr.string(z.string());

const graphicsAttrs = {
  type: attr.string(z.enum(DEVICE_ENUMS.graphics.type as [string, ...string[]]), true),
  port: attr.int("The TCP port; -1 with autoport"),
  autoport: attr.yesNo("Whether the port is allocated at start-up"),
  tlsPort: attr.int("SPICE's TLS port"),
  websocket: attr.int("VNC's WebSocket port; -1 to allocate one"),
  sharePolicy: str(),
  socket: str(),
  listen: str(),
  defaultMode: str(),
  keymap: str(),
  passwd: str(),
  passwdValidTo: str(),
  connected: str(),
  display: str(),
  xauth: str(),
  fullscreen: str(),
};

const graphicsKids = {
  listens: kid.attributes("listen", ["type", "address", "network", "socket"], true),
};

/** The model of `<graphics>`. */
export const GRAPHICS_MODEL = deviceModel(
  "graphics",
  graphicsAttrs,
  graphicsKids,
  ["listen", ...SPICE_KIDS],
  {
    description: "A <graphics> console: typed fields, SPICE's channels and options in extra",
    examples: [{
      type: "vnc",
      port: -1,
      autoport: true,
      listen: "127.0.0.1",
      listens: [{ type: "address", address: "127.0.0.1" }],
    }],
  },
);

/** A `<graphics>` as JSON. */
export type GraphicsModel = ModelOf<typeof graphicsAttrs, typeof graphicsKids>;
