import { isCallable, methodAccess } from "./access.ts";
import { type ArgKind, METHOD_ARGS } from "./method_table.ts";
import { RESOURCES } from "./rest.ts";

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const str = { type: "string" };
const num = { type: "number" };
const bool = { type: "boolean" };
const obj = (props: Record<string, Schema>): Schema => ({
  type: "object",
  required: Object.keys(props),
  properties: props,
});

const ARG_SCHEMA: Record<ArgKind, Schema> = {
  dom: ref("DomainRef"),
  net: ref("NetworkRef"),
  pool: ref("StoragePoolRef"),
  vol: ref("StorageVolRef"),
  dev: ref("NodeDeviceRef"),
  iface: ref("InterfaceRef"),
  secret: ref("SecretRef"),
  num,
  str,
  "str?": { type: ["string", "null"] },
  bool,
  "str[]": { type: "array", items: str },
  "num[]": { type: "array", items: num },
  "bool[]": { type: "array", items: bool },
  params: { type: "object", additionalProperties: { type: ["string", "number", "boolean"] } },
};

const ERRORS = {
  "400": { $ref: "#/components/responses/Error" },
  "401": { $ref: "#/components/responses/Error" },
  "403": { $ref: "#/components/responses/Error" },
  "404": { $ref: "#/components/responses/Error" },
  "501": { $ref: "#/components/responses/Error" },
};
const OK_JSON = { "200": { description: "OK", content: { "application/json": {} } }, ...ERRORS };
const OK_XML = {
  "200": {
    description: "JSON by default; the XML document with Accept: application/xml",
    content: { "application/json": {}, "application/xml": { schema: str } },
  },
  ...ERRORS,
};
const XML_BODY = { required: true, content: { "application/xml": { schema: str } } };

/**
 * The OpenAPI 3.1 document of the gateway: one operation per driver method (with its exact
 * argument list), the REST resources, and the event stream.
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
    "/v1/{driver}/{path}/node": {
      parameters: driverParams,
      get: { summary: "Host information", responses: OK_JSON },
    },
  };
  for (const [method, kinds] of Object.entries(METHOD_ARGS)) {
    if (!isCallable(method)) continue;
    paths[`/v1/{driver}/{path}/call/${method}`] = {
      parameters: driverParams,
      post: {
        operationId: method,
        summary: `vir${method[0].toUpperCase()}${method.slice(1)} (${methodAccess(method, [])})`,
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: {
                type: "array",
                prefixItems: kinds.map((k) => ARG_SCHEMA[k]),
                minItems: kinds.length,
                maxItems: kinds.length,
              },
            },
          },
        },
        responses: {
          "200": {
            description: "`{result}`; `{}` for a call without a result",
            content: { "application/json": { schema: { type: "object" } } },
          },
          ...ERRORS,
        },
      },
    };
  }
  for (const r of RESOURCES) {
    const col = `/v1/{driver}/{path}/${r.segment}`;
    paths[col] = {
      parameters: driverParams,
      get: { summary: `List ${r.title}s`, responses: OK_JSON },
      post: {
        summary: `Define a ${r.title} from XML` + (r.create ? " (?transient=1 creates)" : ""),
        requestBody: XML_BODY,
        responses: OK_JSON,
      },
    };
    paths[`${col}/{name}`] = {
      parameters: [...driverParams, nameParam],
      get: { summary: `One ${r.title}`, responses: OK_XML },
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
    post: { summary: "Create a volume from XML", requestBody: XML_BODY, responses: OK_JSON },
  };
  paths[`${vols}/{name}`] = {
    parameters: [...driverParams, poolParam, nameParam],
    get: { summary: "One volume", responses: OK_XML },
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
        DomainRef: obj({ name: str, uuid: str, id: num }),
        NetworkRef: obj({ name: str, uuid: str }),
        StoragePoolRef: obj({ name: str, uuid: str }),
        StorageVolRef: obj({ pool: str, name: str, key: str }),
        NodeDeviceRef: obj({ name: str }),
        InterfaceRef: obj({ name: str, mac: str }),
        SecretRef: obj({ uuid: str, usageType: num, usageID: str }),
      },
    },
  };
}

function unique(paths: string[], part: number): string[] {
  return [...new Set(paths.map((p) => p.split("/")[part]))];
}
