import { EVENT_MARK_HEADER } from "../protocol/event_id.ts";
import { SPARSE_MIME } from "../protocol/sparse_stream.ts";
import { RPC_SOCKET_PATH, RPC_SUBPROTOCOL, STREAM_PATH } from "../protocol/ws_protocol.ts";
import { callInfo, CONTRACT, KINDS, REF_SHAPES } from "../util/contract/mod.ts";
import { isCallable, methodAccess } from "./access.ts";
import { DEFAULT_LIMITS } from "./limits.ts";
import type { DocumentKind } from "./models.ts";
import { MODEL_COMPONENT, modelComponents } from "./openapi_models.ts";
import { RESOURCES, VOLUMES } from "./rest.ts";
import { stateNames } from "./rest_list.ts";

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const str = { type: "string" };
const num = { type: "number" };
const obj = (props: Record<string, Schema>): Schema => ({
  type: "object",
  required: Object.keys(props),
  properties: props,
});

const ERRORS = {
  "400": { $ref: "#/components/responses/Error" },
  "401": { $ref: "#/components/responses/Error" },
  "403": { $ref: "#/components/responses/Error" },
  "404": { $ref: "#/components/responses/Error" },
  "501": { $ref: "#/components/responses/Error" },
};
const JSON_ANY = { "application/json": { schema: { type: "object" } } };
const OK_JSON = { "200": { description: "OK", content: JSON_ANY }, ...ERRORS };
const STREAM = {
  "200": { description: "stream", content: { "text/event-stream": { schema: str } } },
  ...ERRORS,
};

/** The answer to a call: its result, and the newest event it caused (see `markEvents`). */
const CALL_ANSWER = {
  "200": {
    description: "`{result}`; `{}` for a call without a result",
    headers: {
      [EVENT_MARK_HEADER]: {
        description: "The id of the newest event logged while the call ran that the caller " +
          "may see (absent when none): wait until the event stream delivered it",
        schema: str,
      },
    },
    content: { "application/json": { schema: { type: "object" } } },
  },
  ...ERRORS,
};

/** The answer to a stream call: the ticket of its data, at `/v1/streams/{id}`. */
const STREAM_CALL_ANSWER = {
  ...CALL_ANSWER,
  "200": {
    ...CALL_ANSWER["200"],
    description: "`{result}`: where the stream's data goes (`/v1/streams/{result.stream}`)",
    content: {
      "application/json": {
        schema: obj({ result: ref("StreamTicket") }),
        example: { result: { stream: "4a5e1e4b-0b5c-4d4c-9f57-2f4f8c1d9a31" } },
      },
    },
  },
};

/** Bytes as they are, in a request or an answer. */
const BYTES = { schema: { type: "string", contentMediaType: "application/octet-stream" } };

/**
 * The data of stream calls (gateway/stream_routes.ts): read, sent piece by piece, finished,
 * aborted; the owner's token only.
 */
function streamPaths(): Record<string, Schema> {
  const id = {
    name: "id",
    in: "path",
    required: true,
    description: "The `stream` of the stream call's answer",
    schema: str,
  };
  const flag = (name: string, description: string) => ({
    name,
    in: "query",
    required: false,
    description,
    schema: { type: "string", maxLength: 0 },
    example: "",
  });
  return {
    [`${STREAM_PATH}/{id}`]: {
      parameters: [id],
      get: {
        operationId: "readStream",
        summary: "The stream's data (virStreamRecv to the end): a download, a console's output, " +
          "a screenshot, in one answer that ends where the data ends, or breaks off if the " +
          "driver fails; once (a stream that also takes data stays for its sends)",
        parameters: [
          flag(
            "sparse",
            `A sparse stream's data and holes as ${SPARSE_MIME} records (a 9-byte header — ` +
              "kind 0 data or 1 hole, then the length, 64-bit big-endian — and the data); " +
              "without it, holes come as their zeroes",
          ),
        ],
        responses: {
          "200": {
            description: "The data, of the type the stream call's answer named (`mime`)",
            content: {
              "application/octet-stream": BYTES,
              [SPARSE_MIME]: { schema: { type: "string", contentMediaType: SPARSE_MIME } },
              "image/png": { schema: { type: "string", contentMediaType: "image/png" } },
            },
          },
          ...ERRORS,
        },
      },
      post: {
        operationId: "sendStream",
        summary: "One piece of data (virStreamSend; taken as it arrives, never gathered whole), " +
          "a hole (virStreamSendHole, ?hole=), or the end of the data (virStreamFinish, ?finish)",
        parameters: [
          {
            name: "hole",
            in: "query",
            required: false,
            description: "Instead of data: this many bytes of empty space (a sparse stream only, " +
              "else libvirtd's 'Unexpected stream hole')",
            schema: { type: "integer", minimum: 0 },
            example: 1048576,
          },
          flag(
            "finish",
            "The data is complete: answered once the driver has it all in place, or with its " +
              "error; the stream is then gone",
          ),
        ],
        requestBody: {
          required: false,
          description: "The piece, at most the gateway's request body limit " +
            `(${DEFAULT_LIMITS.maxBodyBytes / 2 ** 20} MiB by default)`,
          content: { "application/octet-stream": BYTES },
        },
        responses: {
          "204": { description: "The driver took it" },
          "413": { $ref: "#/components/responses/Error" },
          ...ERRORS,
        },
      },
      delete: {
        operationId: "abortStream",
        summary: "Drop the transfer on both sides (virStreamAbort)",
        responses: { "204": { description: "aborted" }, ...ERRORS },
      },
    },
  };
}

/** `GET` of one object: its summary, its XML document, or that document's JSON model. */
const oneObject = (kind: DocumentKind) => ({
  parameters: [{
    name: "format",
    in: "query",
    required: false,
    description: "xml: the XML document; json: its JSON model (as Accept: application/xml or " +
      "application/json). Without either, the object's ref and info.",
    schema: { enum: ["xml", "json"] },
  }],
  responses: {
    "200": {
      description: "The ref and info by default; the XML document or its JSON model on request",
      content: {
        "application/json": { schema: { anyOf: [{ type: "object" }, ref(MODEL_COMPONENT[kind])] } },
        "application/xml": { schema: str },
      },
    },
    ...ERRORS,
  },
});

/** Example bodies, checked against their schemas by `redocly lint` (tests/gateway). */
const EXAMPLES = {
  domain: { name: "web-1", memory: 1048576, vcpu: 2 },
  error: {
    code: 42,
    codeName: "VIR_ERR_NO_DOMAIN",
    domain: 10,
    domainName: "VIR_FROM_QEMU",
    message: "Domain not found: no domain with matching name 'web-9'",
  },
};

/**
 * What a JSON domain definition needs: the model's fields, of which only `name`, `memory`
 * (KiB, or `{total, current}`) and `vcpu` (a count, or `{max, current}`) are required; the rest
 * get libvirt's defaults (`gateway/json_defaults.ts`).
 */
const DOMAIN_INPUT: Schema = {
  type: "object",
  required: ["name", "memory", "vcpu"],
  properties: {
    name: str,
    memory: { anyOf: [{ type: "integer", minimum: 1 }, { type: "object" }] },
    vcpu: { anyOf: [{ type: "integer", minimum: 1 }, { type: "object" }] },
  },
  additionalProperties: true,
  description: "A DomainModel; fields left out get libvirt's defaults",
};

/** `POST`/`PUT` of a document: the XML itself or its JSON model, validated, turned into XML. */
const definitionBody = (kind: DocumentKind) => ({
  required: true,
  content: {
    "application/xml": { schema: str },
    "application/json": kind === "domain"
      ? { schema: DOMAIN_INPUT, example: EXAMPLES.domain }
      : { schema: ref(MODEL_COMPONENT[kind]) },
  },
});

const ETAG = { description: "The definition's entity tag, for If-Match", schema: str };

/** An `x.y/z` served path as an operationId prefix: `test.default`. */
const opPrefix = (served: string) => served.replace(/\//g, ".");

/**
 * The OpenAPI 3.1 document of the gateway at `origin`: one operation per driver method (with its
 * exact argument list) and the REST resources with their XML documents' JSON models, spelt out
 * for each served driver path (`/v1/test/default/…`, operationIds `test.default.…`), so that no
 * two paths can match one URL; the RPC WebSocket, sessions, stream data, events, health and
 * metrics: every route of the app but the web console's files (tests/gateway/openapi_routes_test.ts).
 *
 * @example
 * ```ts
 * import { openApiDocument } from "./openapi.ts";
 * openApiDocument(["test/default"], "http://127.0.0.1:16510").openapi; // "3.1.0"
 * ```
 */
export function openApiDocument(
  servedPaths: string[],
  origin: string,
): Schema & { openapi: string } {
  const nameParam = { name: "name", in: "path", required: true, schema: str };
  const sessionParam = { name: "id", in: "path", required: true, schema: str };
  const paths: Record<string, Schema> = {
    "/": {
      get: {
        operationId: "getApi",
        summary: "API version, served drivers and extensions",
        responses: OK_JSON,
      },
    },
    "/healthz": {
      get: {
        operationId: "getHealth",
        summary: "Health (no token needed)",
        security: [],
        responses: OK_JSON,
      },
    },
    "/metrics": {
      get: {
        operationId: "getMetrics",
        summary: "Prometheus text metrics (full-role token)",
        responses: {
          "200": { description: "metrics", content: { "text/plain": { schema: str } } },
          ...ERRORS,
        },
      },
    },
    "/v1/openapi.json": {
      get: { operationId: "getOpenApi", summary: "This document", responses: OK_JSON },
    },
    [RPC_SOCKET_PATH]: {
      get: {
        operationId: "openRpcSocket",
        summary: `RPC over one WebSocket, a session (Upgrade; subprotocol ${RPC_SUBPROTOCOL}): ` +
          '{"auth": TOKEN} first (or a bearer.TOKEN subprotocol), {"id", "open": URI} opens the ' +
          'session\'s own driver connection, then {"id", "method", "args"} calls answered by id ' +
          'with {"id", "result"} or {"id", "error"}; {"id", "subscribe": LAST_EVENT_ID|null} ' +
          'streams {"eid", "event"}; {"id", "close": true} closes the connection',
        responses: {
          "101": { description: "Switching Protocols: the RPC socket" },
          "200": { description: "never: the socket needs an Upgrade" },
          ...ERRORS,
        },
      },
    },
    "/v1/sessions": {
      post: {
        operationId: "openSession",
        summary: 'Open an HTTP session with its own driver connection: {"uri": "test:///default"}' +
          " → {session, type, uri, methods}; closed by DELETE or after an idle timeout",
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: { type: "object", required: ["uri"], properties: { uri: str } },
              example: { uri: "test:///default" },
            },
          },
        },
        responses: { "201": { description: "the session" }, ...ERRORS },
      },
    },
    "/v1/sessions/{id}": {
      parameters: [sessionParam],
      delete: {
        operationId: "closeSession",
        summary: "Close the session and its driver connection",
        responses: { "204": { description: "closed" }, ...ERRORS },
      },
    },
    "/v1/sessions/{id}/call/{method}": {
      parameters: [sessionParam, { name: "method", in: "path", required: true, schema: str }],
      post: {
        operationId: "callInSession",
        summary: "A driver call in the session: the JSON array of arguments, as /v1/{driver}/" +
          "{path}/call/{method}",
        requestBody: {
          required: true,
          content: { "application/json": { schema: { type: "array" } } },
        },
        responses: CALL_ANSWER,
      },
    },
    "/v1/operations": {
      get: {
        operationId: "listOperations",
        summary: "The caller's operations (long actions answered 202)",
        responses: OK_JSON,
      },
    },
    "/v1/operations/{id}": {
      parameters: [sessionParam],
      get: {
        operationId: "getOperation",
        summary: "An operation's status (running, success, failure, cancelled) and progress",
        parameters: [{
          name: "wait",
          in: "query",
          required: false,
          description: "Hold the answer until the operation ends, at most this many seconds",
          schema: { type: "number", minimum: 0, maximum: 600 },
          example: 30,
        }],
        responses: OK_JSON,
      },
      delete: {
        operationId: "cancelOperation",
        summary: "Cancel an operation (libvirt's job abort; refused where libvirt cannot)",
        responses: { ...OK_JSON, "409": ERRORS["400"] },
      },
    },
    "/v1/sessions/{id}/events": {
      parameters: [sessionParam],
      get: {
        operationId: "sessionEvents",
        summary: "The session's events as Server-Sent Events (resume with Last-Event-ID)",
        responses: STREAM,
      },
    },
  };
  Object.assign(paths, streamPaths());
  for (const served of servedPaths) Object.assign(paths, drivenPaths(served, nameParam));
  return {
    openapi: "3.1.0",
    info: {
      title: "edgevirt gateway",
      version: "1.0.0",
      description: "libvirt's API over HTTP: RPC calls, REST resources, events",
      license: { name: "LGPL-2.1-or-later", identifier: "LGPL-2.1-or-later" },
    },
    servers: [{ url: origin, description: "this gateway" }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      responses: {
        Error: {
          description: "A libvirt error",
          content: { "application/json": { schema: ref("VirError"), example: EXAMPLES.error } },
        },
      },
      schemas: {
        VirError: obj({ code: num, codeName: str, domain: num, domainName: str, message: str }),
        StreamTicket: {
          type: "object",
          required: ["stream"],
          properties: {
            stream: { ...str, description: `Where the data goes: ${STREAM_PATH}/{stream}` },
            mime: { ...str, description: "The data's type, for calls that name one" },
            sparse: { const: true, description: "Holes come and go besides data" },
          },
        },
        ...Object.fromEntries(
          Object.values(REF_SHAPES).map(({ schema, fields }) => [
            schema,
            obj(Object.fromEntries(
              Object.entries(fields).map(([k, t]) => [k, t === "string" ? str : num]),
            )),
          ]),
        ),
        ...modelComponents(),
      },
    },
  };
}

/** Every operation of one served driver path (`test/default`). */
function drivenPaths(served: string, nameParam: Schema): Record<string, Schema> {
  const base = `/v1/${served}`;
  const id = (name: string) => `${opPrefix(served)}.${name}`;
  const tags = [served];
  const paths: Record<string, Schema> = {
    [base]: {
      get: {
        operationId: id("describe"),
        tags,
        summary: "Driver type and implemented methods",
        responses: OK_JSON,
      },
    },
    [`${base}/events`]: {
      get: {
        operationId: id("events"),
        tags,
        summary: "Events as Server-Sent Events (resume with Last-Event-ID); WebSocket on " +
          "Upgrade (resume with ?lastEventId=). Each names its numbers: " +
          '"names": {"eventId": "lifecycle", "event": "started", "detail": "booted"}',
        responses: STREAM,
      },
    },
    [`${base}/node`]: {
      get: { operationId: id("node"), tags, summary: "Host information", responses: OK_JSON },
    },
    [`${base}/node/capabilities`]: {
      get: {
        operationId: id("capabilities"),
        tags,
        summary: "The capabilities XML (virConnectGetCapabilities)",
        responses: {
          "200": { description: "capabilities", content: { "application/xml": { schema: str } } },
          ...ERRORS,
        },
      },
    },
  };
  for (const method of Object.keys(CONTRACT)) {
    if (!isCallable(method)) continue;
    const { api, decl } = callInfo(method);
    paths[`${base}/call/${method}`] = {
      post: {
        operationId: id(method),
        tags,
        summary: `${api} (${methodAccess(method, [])})`,
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: {
                type: "array",
                prefixItems: decl.args.map((a) => ({ ...KINDS[a.kind].schema, title: a.name })),
                minItems: decl.args.length,
                maxItems: decl.args.length,
              },
            },
          },
        },
        responses: decl.result.shape.kind === "stream" ? STREAM_CALL_ANSWER : CALL_ANSWER,
      },
    };
  }
  for (const r of RESOURCES) {
    const col = `${base}/${r.segment}`;
    const noun = r.segment.replace(/s$/, "");
    paths[col] = {
      get: {
        operationId: id(`list.${r.segment}`),
        tags,
        summary: `List ${r.title}s with their state by name and a summary`,
        parameters: listParams(r),
        responses: OK_JSON,
      },
      post: {
        operationId: id(`define.${noun}`),
        tags,
        summary: `Define a ${r.title} from XML or its JSON model` +
          (r.create ? " (?transient=1 creates)" : ""),
        requestBody: definitionBody(r.model),
        responses: OK_JSON,
      },
    };
    paths[`${col}/{name}`] = {
      parameters: [nameParam],
      get: {
        operationId: id(`get.${noun}`),
        tags,
        summary: `One ${r.title}`,
        ...oneObject(r.model),
      },
      put: {
        operationId: id(`put.${noun}`),
        tags,
        summary: `Define the ${r.title} of this name (If-Match: the ETag GET gave, else 412)`,
        parameters: [{ name: "If-Match", in: "header", required: false, schema: str }],
        requestBody: definitionBody(r.model),
        responses: {
          "200": { description: "redefined", headers: { ETag: ETAG }, content: JSON_ANY },
          "201": { description: "defined", headers: { ETag: ETAG }, content: JSON_ANY },
          "412": ERRORS["400"],
          ...ERRORS,
        },
      },
      delete: {
        operationId: id(`undefine.${noun}`),
        tags,
        summary: `Undefine a ${r.title}`,
        responses: { "204": { description: "gone" }, ...ERRORS },
      },
    };
    for (const action of Object.keys(r.actions)) {
      paths[`${col}/{name}/${action}`] = {
        parameters: [nameParam],
        post: {
          operationId: id(`${action}.${noun}`),
          tags,
          summary: `${action[0].toUpperCase()}${action.slice(1)} a ${r.title}` +
            (r.long?.includes(action)
              ? " (202 with an operation on QEMU, or with Prefer: respond-async)"
              : ""),
          responses: r.long?.includes(action)
            ? { ...OK_JSON, "202": { description: "the operation", content: JSON_ANY } }
            : OK_JSON,
        },
      };
    }
  }
  const vols = `${base}/pools/{pool}/volumes`;
  const poolParam = { name: "pool", in: "path", required: true, schema: str };
  paths[vols] = {
    parameters: [poolParam],
    get: { operationId: id("list.volumes"), tags, summary: "List volumes", responses: OK_JSON },
    post: {
      operationId: id("create.volume"),
      tags,
      summary: "Create a volume from XML or its JSON model",
      requestBody: definitionBody(VOLUMES.model),
      responses: OK_JSON,
    },
  };
  paths[`${vols}/{name}`] = {
    parameters: [poolParam, nameParam],
    get: {
      operationId: id("get.volume"),
      tags,
      summary: "One volume",
      ...oneObject(VOLUMES.model),
    },
    delete: {
      operationId: id("delete.volume"),
      tags,
      summary: "Delete a volume",
      responses: { "204": { description: "gone" }, ...ERRORS },
    },
  };
  return paths;
}

/** A list's query: filters and recursion. */
function listParams(r: (typeof RESOURCES)[number]): Schema[] {
  return [
    {
      name: "state",
      in: "query",
      required: false,
      description: "Only objects in these states (comma-separated)",
      schema: { type: "string" },
      example: stateNames(r)[1],
    },
    {
      name: "name",
      in: "query",
      required: false,
      description: "Only names matching this glob (* and ?)",
      schema: str,
      example: "web-*",
    },
    {
      name: "recursion",
      in: "query",
      required: false,
      description: "1: each object's full definition too",
      schema: { enum: ["0", "1"] },
    },
  ];
}
