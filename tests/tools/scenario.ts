/**
 * `deno task scenario FILE.json [--uri URI] [--settle-ms N] [--no-mask] [--raw]`: the oracle's
 * scenario.py (plus tests/tools/scenario_ext.py's object selectors) on edgevirt. Prints the
 * same lines as the Python runner does against real libvirt 9.0, so the two outputs can be
 * compared with `diff`. FILE `-` reads stdin. Exit status: 0 when every op ran ("ok": false
 * lines included), 2 for a usage error, an invalid scenario or a URI that cannot be opened.
 * Through the gateway an op's events arrive before its result, as through libvirtd: no
 * `--settle-ms` wait is needed (it stays, 0 by default, for drivers whose events lag, such as
 * QEMU's that follow QMP events).
 *
 * @example
 * ```sh
 * deno task scenario tests/conformance/scenarios/lifecycle.json
 * deno task scenario --uri test+http://127.0.0.1:16510/default x.json
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { runScenario, type ScenarioOptions, ScenarioSetupError } from "./scenario/runner.ts";

const USAGE = "usage: scenario.ts [-h] [--uri URI] [--no-mask] [--raw] [--settle-ms MS] scenario";

/** Runs the command line; returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        uri: { type: "string", default: "test:///default" },
        "no-mask": { type: "boolean", default: false },
        raw: { type: "boolean", default: false },
        "settle-ms": { type: "string", default: "0" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    console.error(`${USAGE}\nscenario.ts: error: ${(e as Error).message}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const settleMs = Number(values["settle-ms"]);
  if (positionals.length !== 1 || Number.isNaN(settleMs)) {
    console.error(`${USAGE}\nscenario.ts: error: expected one scenario file and numeric MS`);
    return 2;
  }
  const file = positionals[0];
  let text: string;
  try {
    text = file === "-"
      ? await new Response(Deno.stdin.readable).text()
      : await Deno.readTextFile(file);
  } catch (e) {
    console.error(`scenario: ${file}: ${(e as Error).message}`);
    return 2;
  }
  const options: ScenarioOptions = {
    uri: values.uri,
    settleMs,
    noMask: values["no-mask"],
    raw: values.raw,
  };
  const out = new TextEncoder();
  try {
    await runScenario(text, options, (line) => Deno.stdout.writeSync(out.encode(line + "\n")));
  } catch (e) {
    if (!(e instanceof ScenarioSetupError)) throw e;
    console.error(
      e.kind === "open"
        ? `scenario: cannot open ${options.uri}: ${e.message}`
        : `scenario: ${file}: ${e.message}`,
    );
    return 2;
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
