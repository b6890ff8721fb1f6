/**
 * Defining through REST: the document of a `POST` or `PUT` (XML, or a JSON model with libvirt's
 * defaults filled in), and `PUT /…/{segment}/{name}`, which redefines that object under
 * `If-Match` (412 when the definition changed since the caller read its `ETag`).
 *
 * @example
 * ```ts ignore
 * app.put(`${col}/:name`, (c) => putDefinition(r, { req: c.req.raw, name, virtType, call }));
 * ```
 * @module
 */
import { VirError } from "../util/errors.ts";
import { definitionTag, ifMatchHolds } from "./etag.ts";
import { asVirError, errorResponse, httpStatus } from "./http_status.ts";
import { domainDefaults } from "./json_defaults.ts";
import { modelCodec } from "./models.ts";
import { documentBody } from "./negotiate.ts";
import { flagsOf, type Resource } from "./rest.ts";
import { type Call, summarize } from "./rest_list.ts";

/** A request to define one object. */
export interface DefineRequest {
  req: Request;
  /** The `<domain type=…>` a JSON domain gets when it names none. */
  virtType: string;
  call: Call;
}

/** The XML document a request carries, a JSON model turned into XML with the defaults. */
export function definitionBody(r: Resource, x: DefineRequest): Promise<string> {
  const codec = modelCodec(r.model);
  return documentBody(
    x.req,
    (m) => codec.toXml(r.model === "domain" ? domainDefaults(m, x.virtType) : m),
  );
}

/** A JSON answer with the definition's entity tag. */
export async function withTag(
  r: Resource,
  ref: unknown,
  call: Call,
  body: unknown,
  status = 200,
): Promise<Response> {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", etag: await definitionTag(r, ref, call) },
  });
}

/**
 * `PUT` of a definition at `/…/{segment}/{name}`: the document must name that object; with
 * `If-Match`, the object's current definition must carry one of the tags (`*`: exist at all).
 * Answers the new summary and tag; nothing is defined when a check fails.
 */
export async function putDefinition(
  r: Resource,
  name: string,
  x: DefineRequest,
): Promise<Response> {
  const ifMatch = x.req.headers.get("if-match");
  let current: unknown;
  try {
    current = await x.call(r.lookup, [name]);
  } catch (e) {
    if (httpStatus(asVirError(e)) !== 404) throw e;
  }
  if (ifMatch !== null) {
    const tag = current === undefined ? undefined : await definitionTag(r, current, x.call);
    if (!ifMatchHolds(ifMatch, tag)) {
      const why = tag === undefined
        ? `the ${r.title} '${name}' does not exist`
        : `the ${r.title} '${name}' changed since it was read (its tag is now ${tag})`;
      const res = errorResponse(VirError.report("RPC", "OPERATION_INVALID", why));
      return new Response(res.body, { status: 412, headers: res.headers });
    }
  }
  const xml = await definitionBody(r, x);
  const def = modelCodec(r.model).toModel(xml) as { name?: string; uuid?: string };
  const named = r.lookup === "secretLookupByUUID" ? def.uuid : def.name;
  if (named !== name) {
    throw VirError.report(
      "RPC",
      "INVALID_ARG",
      `the document defines '${named}', not the ${r.title} '${name}' of the path`,
    );
  }
  const ref = await x.call(r.define, [xml, flagsOf(new URL(x.req.url).searchParams)]);
  return withTag(
    r,
    ref,
    x.call,
    await summarize(r, ref, x.call),
    current === undefined ? 201 : 200,
  );
}
