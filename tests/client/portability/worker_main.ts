// Entry for workerd (no_nodejs_compat): the bundled client reaches the gateway through the `GW`
// service binding and answers each request with the scenario's lines.
import { runPortableScenario } from "./scenario.ts";

interface Env {
  GW: { fetch: typeof fetch };
  URI: string;
  TOKEN: string;
}

export default {
  async fetch(_req: Request, env: Env): Promise<Response> {
    const lines = await runPortableScenario({
      uri: env.URI,
      token: env.TOKEN,
      fetch: (input, init) => env.GW.fetch(input, init),
    });
    return new Response(lines.join("\n") + "\n");
  },
};
