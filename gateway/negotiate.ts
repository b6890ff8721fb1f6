import { VirError } from "../util/errors.ts";

/**
 * What `GET` of one object answers: its ref and info (`summary`, the default), the driver's XML
 * document (`xml`), or that document as conf's JSON model (`model`).
 */
export type Representation = "summary" | "xml" | "model";

const FORMATS: Record<string, Representation> = { xml: "xml", json: "model" };

/**
 * The representation a request asks for: `?format=xml|json` first (links and browsers cannot
 * always set headers), then `Accept` naming an XML or the JSON media type. A wildcard or no
 * `Accept` keeps the summary, so a plain fetch gets what it always got.
 *
 * @example
 * ```ts
 * import { representation } from "./negotiate.ts";
 * representation(new Request("http://gw/v1/test/default/domains/test?format=json")); // "model"
 * ```
 */
export function representation(req: Request): Representation {
  const format = new URL(req.url).searchParams.get("format");
  if (format !== null) {
    if (!Object.hasOwn(FORMATS, format)) {
      throw VirError.report("RPC", "INVALID_ARG", `format must be xml or json, got '${format}'`);
    }
    return FORMATS[format];
  }
  const accept = req.headers.get("accept") ?? "";
  if (/\b(application|text)\/xml\b/.test(accept)) return "xml";
  return /\bapplication\/json\b/.test(accept) ? "model" : "summary";
}

/**
 * The XML document a `POST` carries: the body itself as `application/xml`, or a JSON model as
 * `application/json`, turned into XML by `toXml` (which validates it).
 *
 * @example
 * ```ts ignore
 * const xml = await documentBody(req, (model) => modelCodec("domain").toXml(model));
 * ```
 */
export async function documentBody(
  req: Request,
  toXml: (model: unknown) => string | Promise<string>,
): Promise<string> {
  const type = req.headers.get("content-type") ?? "";
  if (/^(application|text)\/xml\b/.test(type)) return await req.text();
  if (!/^application\/json\b/.test(type)) {
    throw VirError.report(
      "RPC",
      "INVALID_ARG",
      "send the XML document as application/xml or its JSON model as application/json",
    );
  }
  let model: unknown;
  try {
    model = await req.json();
  } catch {
    throw VirError.report("RPC", "INVALID_ARG", "the body is not valid JSON");
  }
  return await toXml(model);
}
