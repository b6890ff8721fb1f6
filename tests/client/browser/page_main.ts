// Entry for the browser page (bundled by esbuild): runs the portability scenario twice against
// the gateway on another origin, over the WebSocket channel (the browser's default) and over
// HTTP POST + SSE through the page's own fetch (which needs the gateway's CORS answers), and
// prints each run's lines into the page. The gateway URI and token come in the page's query.
import { runPortableScenario } from "../portability/scenario.ts";

/** The little of the DOM this page touches (the repo type-checks without the DOM library). */
interface PageDocument {
  getElementById(id: string): { textContent: string | null } | null;
  body: { dataset: Record<string, string> };
}

const { document } = globalThis as unknown as { document: PageDocument };
const query = new URLSearchParams(globalThis.location.search);
const target = { uri: query.get("uri")!, token: query.get("token")! };
const print = (id: string, text: string) => document.getElementById(id)!.textContent = text;

try {
  print("websocket", (await runPortableScenario(target)).join("\n"));
  const fetch = globalThis.fetch.bind(globalThis);
  print("http", (await runPortableScenario({ ...target, fetch })).join("\n"));
} catch (e) {
  print("error", e instanceof Error ? `${e.name}: ${e.message}` : String(e));
}
document.body.dataset.done = "true";
