import { EVENT_MARK_HEADER } from "../protocol/event_id.ts";
import { RPC_SOCKET_PATH, RPC_SUBPROTOCOL } from "../protocol/ws_protocol.ts";
import { callInfo, CONTRACT, KINDS, REF_SHAPES } from "../util/contract/mod.ts";
import { isCallable, methodAccess } from "./access.ts";
import type { DocumentKind } from "./models.ts";
import { MODEL_COMPONENT, modelComponents } from "./openapi_models.ts";
import { RESOURCES, VOLUMES } from "./rest.ts";

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
const OK_JSON = { "200": { description: "OK", content: { "application/json": {} } }, ...ERRORS };

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

/** `POST` of a document: the XML itself or its JSON model, validated and formatted as XML. */
const documentBody = (kind: DocumentKind) => ({
  required: true,
  content: {
    "application/xml": { schema: str },
    "application/json": { schema: ref(MODEL_COMPONENT[kind]) },
  },
});

/**
 * The OpenAPI 3.1 document of the gateway: one operation per driver method (with its exact
 * argument list), the RPC WebSocket, the REST resources with their XML documents' JSON
 * models, and the event stream.
 *
 * @example
 * ```ts
 * import { openApiDocument } from "./openapi.ts";
 * openApiDocument(["test/default"]).openapi; // "3.1.0"
 * ```
 */
export function openApiDocument(servedPaths: string[]): Schema & { openapi: string } {
  const driverParams = [
    { name: "driver", in: "path", required: true, schema: { enum: unique(servedPaths, 0) } },
    { name: "path", in: "path", required: true, schema: { enum: unique(servedPaths, 1) } },
  ];
  const nameParam = { name: "name", in: "path", required: true, schema: str };
  const sessionParam = { name: "id", in: "path", required: true, schema: str };
  const paths: Record<string, Schema> = {
    "/": { get: { summary: "API version, served drivers and extensions", responses: OK_JSON } },
    "/v1/openapi.json": { get: { summary: "This document", responses: OK_JSON } },
    "/v1/{driver}/{path}": {
      parameters: driverParams,
      get: { summary: "Driver type and implemented methods", responses: OK_JSON },
    },
    "/v1/{driver}/{path}/events": {
      parameters: driverParams,
      get: {
        summary: "Events as Server-Sent Events (resume with Last-Event-ID); " +
          "WebSocket on Upgrade (resume with ?lastEventId=)",
        responses: { "200": { description: "stream", content: { "text/event-stream": {} } } },
      },
    },
    [RPC_SOCKET_PATH]: {
      get: {
        summary: `RPC over one WebSocket, a session (Upgrade; subprotocol ${RPC_SUBPROTOCOL}): ` +
          '{"auth": TOKEN} first (or a bearer.TOKEN subprotocol), {"id", "open": URI} opens the ' +
          'session\'s own driver connection, then {"id", "method", "args"} calls answered by id ' +
          'with {"id", "result"} or {"id", "error"}; {"id", "subscribe": LAST_EVENT_ID|null} ' +
          'streams {"eid", "event"}; {"id", "close": true} closes the connection',
        responses: { "101": { description: "Switching Protocols: the RPC socket" }, ...ERRORS },
      },
    },
    "/v1/sessions": {
      post: {
        summary: 'Open an HTTP session with its own driver connection: {"uri": "test:///default"}' +
          " → {session, type, uri, methods}; closed by DELETE or after an idle timeout",
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: { type: "object", required: ["uri"], properties: { uri: str } },
            },
          },
        },
        responses: { "201": { description: "the session" }, ...ERRORS },
      },
    },
    "/v1/sessions/{id}": {
      parameters: [sessionParam],
      delete: {
        summary: "Close the session and its driver connection",
        responses: { "204": { description: "closed" }, ...ERRORS },
      },
    },
    "/v1/sessions/{id}/call/{method}": {
      parameters: [sessionParam, { name: "method", in: "path", required: true, schema: str }],
      post: {
        summary: "A driver call in the session: the JSON array of arguments, as /v1/{driver}/" +
          "{path}/call/{method}",
        responses: CALL_ANSWER,
      },
    },
    "/v1/sessions/{id}/events": {
      parameters: [sessionParam],
      get: {
        summary: "The session's events as Server-Sent Events (resume with Last-Event-ID)",
        responses: { "200": { description: "stream", content: { "text/event-stream": {} } } },
      },
    },
    "/v1/{driver}/{path}/node": {
      parameters: driverParams,
      get: { summary: "Host information", responses: OK_JSON },
    },
  };
  for (const method of Object.keys(CONTRACT)) {
    if (!isCallable(method)) continue;
    const { api, decl } = callInfo(method);
    paths[`/v1/{driver}/{path}/call/${method}`] = {
      parameters: driverParams,
      post: {
        operationId: method,
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
        responses: CALL_ANSWER,
      },
    };
  }
  for (const r of RESOURCES) {
    const col = `/v1/{driver}/{path}/${r.segment}`;
    paths[col] = {
      parameters: driverParams,
      get: { summary: `List ${r.title}s`, responses: OK_JSON },
      post: {
        summary: `Define a ${r.title} from XML or its JSON model` +
          (r.create ? " (?transient=1 creates)" : ""),
        requestBody: documentBody(r.model),
        responses: OK_JSON,
      },
    };
    paths[`${col}/{name}`] = {
      parameters: [...driverParams, nameParam],
      get: { summary: `One ${r.title}`, ...oneObject(r.model) },
      delete: { summary: `Undefine a ${r.title}`, responses: { "204": { description: "gone" } } },
    };
    if (Object.keys(r.actions).length) {
      paths[`${col}/{name}/{action}`] = {
        parameters: [...driverParams, nameParam, {
          name: "action",
          in: "path",
          required: true,
          schema: { enum: Object.keys(r.actions) },
        }],
        post: { summary: `Act on a ${r.title}`, responses: OK_JSON },
      };
    }
  }
  const vols = "/v1/{driver}/{path}/pools/{pool}/volumes";
  const poolParam = { name: "pool", in: "path", required: true, schema: str };
  paths[vols] = {
    parameters: [...driverParams, poolParam],
    get: { summary: "List volumes", responses: OK_JSON },
    post: {
      summary: "Create a volume from XML or its JSON model",
      requestBody: documentBody(VOLUMES.model),
      responses: OK_JSON,
    },
  };
  paths[`${vols}/{name}`] = {
    parameters: [...driverParams, poolParam, nameParam],
    get: { summary: "One volume", ...oneObject(VOLUMES.model) },
    delete: { summary: "Delete a volume", responses: { "204": { description: "gone" } } },
  };
  return {
    openapi: "3.1.0",
    info: { title: "edgevirt gateway", version: "1.0.0" },
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      responses: {
        Error: {
          description: "A libvirt error",
          content: { "application/json": { schema: ref("VirError") } },
        },
      },
      schemas: {
        VirError: obj({ code: num, codeName: str, domain: num, domainName: str, message: str }),
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

function unique(paths: string[], part: number): string[] {
  return [...new Set(paths.map((p) => p.split("/")[part]))];
}
