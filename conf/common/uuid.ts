/**
 * UUID parsing and generation live in util/ (the client needs them too); conf re-exports them.
 * @module
 */
export { generateUUID, parseUUID } from "../../util/uuid.ts";
