// libvirt 9.0's migration capabilities and parameters, recorded by
// tests/tools/record_qemu_migration_caps.sh (QEMU's own trace of the QMP it received), and the
// same settings picked out of what a fake QEMU received, for comparison.
import recorded from "../../fixtures/qemu_migration/caps_qmp.json" with { type: "json" };

/** One recorded migration: its flags and typed parameters, libvirt's error or both sides' QMP. */
export interface RecordedCapsCase {
  case: string;
  flags: number;
  params: Record<string, string | number>;
  error?: { code: number; domain: number; message: string };
  /** Both sides' lifecycle events, [event, detail], of a migration switched to post-copy. */
  events?: { source: [number, number][]; destination: [number, number][] };
  source: { execute: string; arguments?: Record<string, unknown> }[];
  destination: { execute: string; arguments?: Record<string, unknown> }[];
}

/** Every recorded case. */
export const CAPS_CASES: readonly RecordedCapsCase[] = recorded
  .cases as unknown as RecordedCapsCase[];

const SETTINGS = new Set(["migrate-set-capabilities", "migrate-set-parameters"]);

/**
 * The migration settings among `commands`, as [execute, arguments]: the capabilities and
 * parameters, without the `events` capability every QEMU gets at its start.
 */
export function settings(
  commands: readonly { execute: string; arguments?: Record<string, unknown> }[],
): [string, unknown][] {
  return commands.filter((c) => SETTINGS.has(c.execute))
    .filter((c) => !isEventsOn(c.arguments))
    .map((c) => [c.execute, c.arguments ?? {}]);
}

/** The start's `events` capability, the only setting made outside a migration. */
function isEventsOn(args: Record<string, unknown> | undefined): boolean {
  const caps = args?.capabilities as { capability: string }[] | undefined;
  return caps?.length === 1 && caps[0].capability === "events";
}

/** libvirt's settings on `side` in recorded case `name`. */
export function recordedSettings(
  name: string,
  side: "source" | "destination",
): [string, unknown][] {
  const found = CAPS_CASES.find((c) => c.case === name);
  if (!found) throw new Error(`no recorded case ${name}`);
  return settings(found[side]);
}
