// Entry for Node and Bun: the bundled client runs the portability scenario and prints its lines.
// Reads the target from EDGEVIRT_URI and EDGEVIRT_TOKEN through the runtime's own process.env.
import { runPortableScenario } from "./scenario.ts";

const env = (globalThis as unknown as { process: { env: Record<string, string> } }).process.env;
for (const l of await runPortableScenario({ uri: env.EDGEVIRT_URI, token: env.EDGEVIRT_TOKEN })) {
  console.log(l);
}
