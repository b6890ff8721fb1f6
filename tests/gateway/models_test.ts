// JSON models through the REST resources: GET answers conf's model of the driver's XML on
// request, POST accepts a model (validated, formatted to XML, defined), and the OpenAPI document
// publishes every model's JSON Schema and references it from those routes.
import assert from "node:assert/strict";
import {
  domainToModel,
  MODEL_SCHEMAS,
  modelJSONSchema,
  parseDomainXML,
  parseInterfaceXML,
  parseNetworkXML,
  parseNodeDeviceXML,
  parseSecretXML,
  parseStoragePoolXML,
  parseStorageVolXML,
} from "../../conf/mod.ts";
import { createGateway } from "../../gateway/app.ts";
import { hostDrivers } from "../../host.ts";
import type { DocumentKind } from "../../gateway/models.ts";
import type { DriverConnection, SecretRef } from "../../util/driver.ts";
import { rpc, snapshot, startGateway, TOKENS } from "./helpers.ts";

const BASE = "/v1/test/default";
const auth = { authorization: `Bearer ${TOKENS.full}` };

/** One document kind on test:///default: where it lives and a definable document per tag. */
interface Case {
  kind: Exclude<DocumentKind, "secret" | "device">;
  collection: string;
  document(tag: string): string;
  /** conf's parser for this kind, as a client would use it. */
  parse(xml: string): unknown;
  /** Query for the read-back: domains are read SECURE, to show a password survives JSON. */
  query?: string;
}

const DEFAULT_POOL = parseStoragePoolXML(
  "<pool type='dir'><name>default-pool</name><target><path>/default-pool</path></target></pool>",
);

// Tags are hex so that they can end a MAC address or a UUID; names are "tw" + tag. The UUIDs
// are explicit because conf's pool formatter writes an empty <uuid/> for a model without one.
const uuid = (t: string) => `<uuid>8d2d5b38-91b4-4ebc-9e3a-2c1f38e000${t}</uuid>`;
const CASES: Case[] = [
  {
    kind: "domain",
    collection: "domains",
    document: (t) =>
      `<domain type='test'><name>tw${t}</name>${uuid(t)}<memory>65536</memory><vcpu>1</vcpu>` +
      `<os><type>hvm</type></os><devices><disk type='file' device='disk'>` +
      `<driver name='qemu' type='raw'/><source file='/images/tw${t}.img'/>` +
      `<target dev='vda' bus='virtio'/></disk><interface type='network'>` +
      `<mac address='52:54:00:00:00:${t}'/><source network='default'/><model type='virtio'/>` +
      `</interface><graphics type='vnc' port='-1' passwd='pw${t}'/></devices></domain>`,
    parse: (xml) => domainToModel(parseDomainXML(xml)),
    query: "flags=1",
  },
  {
    kind: "network",
    collection: "networks",
    document: (t) => `<network><name>tw${t}</name>${uuid(t)}<bridge name='br${t}'/></network>`,
    parse: (xml) => parseNetworkXML(xml),
  },
  {
    kind: "pool",
    collection: "pools",
    document: (t) =>
      `<pool type='dir'><name>tw${t}</name>${uuid(t)}<target><path>/tw${t}</path></target></pool>`,
    parse: (xml) => parseStoragePoolXML(xml),
  },
  {
    kind: "volume",
    collection: "pools/default-pool/volumes",
    document: (t) => `<volume><name>tw${t}</name><capacity unit='KiB'>64</capacity></volume>`,
    parse: (xml) => parseStorageVolXML(DEFAULT_POOL, xml),
  },
  {
    kind: "interface",
    collection: "interfaces",
    document: (t) =>
      `<interface type='ethernet' name='tw${t}'><mac address='52:54:00:00:00:${t}'/>` +
      `<mtu size='1400'/></interface>`,
    parse: (xml) => parseInterfaceXML(xml),
  },
];

type Gw = Awaited<ReturnType<typeof startGateway>>;

async function request(gw: Gw, path: string, init: RequestInit = {}) {
  const res = await gw.app.request(`${BASE}/${path}`, {
    ...init,
    headers: { ...auth, ...init.headers as Record<string, string> },
  });
  const type = res.headers.get("content-type") ?? "";
  return {
    status: res.status,
    type,
    body: type.includes("json") ? await res.json() : await res.text(),
  };
}

const post = (gw: Gw, path: string, type: string, body: string) =>
  request(gw, path, { method: "POST", headers: { "content-type": type }, body });

Deno.test("GET answers conf's model of the driver's XML with ?format=json or Accept: application/json", async () => {
  const gw = await startGateway();
  try {
    await post(gw, "pools/default-pool/volumes", "application/xml", CASES[3].document("c7"));
    const objects: [Case, string][] = CASES.map((
      c,
      i,
    ) => [c, ["test", "default", "default-pool", "twc7", "eth1"][i]]);
    for (const [c, name] of objects) {
      const xml = await request(gw, `${c.collection}/${name}`, {
        headers: { accept: "application/xml" },
      });
      assert.equal(xml.status, 200, `${c.kind}: ${JSON.stringify(xml.body)}`);
      const expected = JSON.parse(JSON.stringify(c.parse(xml.body)));
      const byQuery = await request(gw, `${c.collection}/${name}?format=json`);
      const byAccept = await request(gw, `${c.collection}/${name}`, {
        headers: { accept: "application/json" },
      });
      for (const got of [byQuery, byAccept]) {
        assert.equal(got.status, 200, c.kind);
        assert.match(got.type, /application\/json/);
        assert.deepEqual(got.body, expected, c.kind);
        assert.deepEqual(MODEL_SCHEMAS[c.kind].parse(got.body), got.body, c.kind);
      }
      // A plain fetch (no Accept, or any type) still gets the object's ref and info.
      for (const accept of [undefined, "*/*"]) {
        const plain = await request(gw, `${c.collection}/${name}`, {
          headers: accept ? { accept } : {},
        });
        assert.equal(plain.body.name, name, c.kind);
        assert.notDeepEqual(plain.body, expected, c.kind);
      }
    }
    const device = await request(gw, "nodedevices/scsi_host1?format=json");
    const deviceXml = await request(gw, "nodedevices/scsi_host1?format=xml");
    assert.deepEqual(device.body, JSON.parse(JSON.stringify(parseNodeDeviceXML(deviceXml.body))));
  } finally {
    await gw.close();
  }
});

Deno.test("a JSON model POSTed defines the same object as its XML document", async () => {
  const gw = await startGateway();
  try {
    for (const c of CASES) {
      const fromXml = await post(gw, c.collection, "application/xml", c.document("c7"));
      assert.equal(fromXml.status, 201, `${c.kind}: ${JSON.stringify(fromXml.body)}`);
      const model = JSON.stringify(c.parse(c.document("d8")));
      const fromJson = await post(gw, c.collection, "application/json", model);
      assert.equal(fromJson.status, 201, `${c.kind}: ${JSON.stringify(fromJson.body)}`);
      assert.equal(fromJson.body.name, "twd8");
      const read = async (name: string) =>
        (await request(gw, `${c.collection}/${name}?format=json&${c.query ?? ""}`)).body;
      const twin = JSON.parse(JSON.stringify(await read("twc7")).replaceAll("c7", "d8"));
      assert.deepEqual(await read("twd8"), twin, c.kind);
    }
    // The domain's password came through the JSON body (read SECURE above, and here).
    const secure = await request(gw, "domains/twd8?format=xml&flags=1");
    assert.match(secure.body, /passwd='pwd8'/);
  } finally {
    await gw.close();
  }
});

Deno.test("a node device is created from its JSON model (?transient=1)", async () => {
  const gw = await startGateway();
  try {
    const model = parseNodeDeviceXML(
      "<device><parent>scsi_host1</parent><capability type='scsi_host'><host>0</host>" +
        "<capability type='fc_host'><wwnn>2000000012341298</wwnn><wwpn>1000000012341298</wwpn>" +
        "</capability></capability></device>",
    );
    const created = await post(
      gw,
      "nodedevices?transient=1",
      "application/json",
      JSON.stringify(model),
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const back = await request(gw, `nodedevices/${created.body.name}?format=json`);
    assert.equal(back.body.parent, "scsi_host1");
    const fc = back.body.caps[0].fcHost;
    assert.deepEqual([fc.wwnn, fc.wwpn], ["2000000012341298", "1000000012341298"]);
  } finally {
    await gw.close();
  }
});

Deno.test("secrets: JSON model in, the driver gets conf's XML; JSON model out", async () => {
  const stored = new Map<string, string>();
  const refOf = (xml: string): SecretRef => {
    const def = parseSecretXML(xml);
    return { uuid: def.uuid, usageType: 1, usageID: def.usage?.volume ?? "" };
  };
  const driver: DriverConnection = {
    type: "FAKE",
    connectClose: () => Promise.resolve(),
    secretDefineXML(xml) {
      stored.set(parseSecretXML(xml).uuid, xml);
      return Promise.resolve(refOf(xml));
    },
    secretLookupByUUID(uuid) {
      const xml = stored.get(uuid);
      return xml ? Promise.resolve(refOf(xml)) : Promise.reject(new Error("no secret"));
    },
    secretGetXMLDesc(ref) {
      return Promise.resolve(stored.get(ref.uuid)!);
    },
  };
  const gw = await createGateway({
    drivers: [{ uri: "fake:///one", driver }],
    registry: hostDrivers(),
    auth: "none",
  });
  try {
    const uuid = "8d2d5b38-91b4-4ebc-9e3a-2c1f38e0a4d1";
    const model = {
      uuid,
      ephemeral: false,
      private: true,
      description: "disk key",
      usage: { type: "volume", volume: "/var/lib/images/a.img" },
    };
    const res = await gw.app.request("/v1/fake/one/secrets", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(model),
    });
    assert.equal(res.status, 201, await res.clone().text());
    assert.deepEqual(parseSecretXML(stored.get(uuid)!), model);
    const back = await gw.app.request(`/v1/fake/one/secrets/${uuid}?format=json`);
    assert.deepEqual(await back.json(), model);
  } finally {
    await gw.close();
  }
});

Deno.test("bad bodies and formats are a 400 that names the problem and change nothing", async () => {
  const gw = await startGateway();
  try {
    const before = await snapshot(gw);
    const invalid = await post(gw, "domains", "application/json", JSON.stringify({ name: 5 }));
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.codeName, "VIR_ERR_INVALID_ARG");
    assert.match(invalid.body.message, /not a valid domain model: \S+: /);
    const notJson = await post(gw, "networks", "application/json", "{");
    assert.deepEqual([notJson.status, notJson.body.message], [
      400,
      "invalid argument: the body is not valid JSON",
    ]);
    const volume = await post(gw, "pools/default-pool/volumes", "application/json", "[]");
    assert.equal(volume.status, 400);
    assert.match(volume.body.message, /not a valid volume model: \(root\)/);
    const plain = await post(gw, "domains", "text/plain", "<domain/>");
    assert.equal(plain.status, 415);
    assert.match(
      plain.body.message,
      /content type 'text\/plain' is not accepted: send JSON or XML/,
    );
    const csv = await post(gw, "domains", "text/csv", "<domain/>");
    assert.equal(csv.status, 400);
    assert.match(csv.body.message, /application\/xml or its JSON model as application\/json/);
    const yaml = await request(gw, "domains/test?format=yaml");
    assert.equal(yaml.status, 400);
    assert.match(yaml.body.message, /format must be xml or json/);
    assert.equal(await snapshot(gw), before);
  } finally {
    await gw.close();
  }
});

Deno.test("a read-only caller gets models, but not the SECURE one", async () => {
  const gw = await startGateway();
  try {
    const ro = { authorization: `Bearer ${TOKENS.readOnly}` };
    const plain = await gw.app.request(`${BASE}/domains/test?format=json`, { headers: ro });
    assert.equal(plain.status, 200);
    const secure = await gw.app.request(`${BASE}/domains/test?format=json&flags=1`, {
      headers: ro,
    });
    assert.equal(secure.status, 403);
    const define = await gw.app.request(`${BASE}/domains`, {
      method: "POST",
      headers: { ...ro, "content-type": "application/json" },
      body: JSON.stringify(CASES[0].parse(CASES[0].document("ef"))),
    });
    assert.equal(define.status, 403);
    const names = (await rpc(gw, "connectListAllDomains", [0], TOKENS.full)).body.result;
    assert.deepEqual((names as { name: string }[]).map((d) => d.name), ["test"]);
  } finally {
    await gw.close();
  }
});

/** Every `$ref` in a document. */
function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refs(v, out));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

Deno.test("OpenAPI publishes each model's JSON Schema, references it, and lists the RPC socket", async () => {
  const gw = await startGateway();
  try {
    const doc = await (await gw.app.request("/v1/openapi.json")).json();
    const schemas = doc.components.schemas;
    const components: [DocumentKind, string, string][] = [
      ["domain", "DomainModel", "/v1/test/default/domains"],
      ["network", "NetworkModel", "/v1/test/default/networks"],
      ["pool", "StoragePoolModel", "/v1/test/default/pools"],
      ["volume", "StorageVolModel", "/v1/test/default/pools/{pool}/volumes"],
      ["interface", "InterfaceModel", "/v1/test/default/interfaces"],
      ["secret", "SecretModel", "/v1/test/default/secrets"],
      ["device", "NodeDeviceModel", "/v1/test/default/nodedevices"],
    ];
    for (const [kind, name, path] of components) {
      const own = modelJSONSchema(kind);
      assert.deepEqual(Object.keys(schemas[name].properties), Object.keys(own.properties ?? {}));
      assert.deepEqual(schemas[name].required, own.required, name);
      assert.equal(schemas[name].$schema, undefined, name);
      const ref = { $ref: `#/components/schemas/${name}` };
      // A JSON domain needs only name, memory and vcpu (the rest gets libvirt's defaults).
      const input = doc.paths[path].post.requestBody.content["application/json"].schema;
      if (kind === "domain") assert.deepEqual(input.required, ["name", "memory", "vcpu"]);
      else assert.deepEqual(input, ref);
      const get = doc.paths[`${path}/{name}`].get;
      assert.deepEqual(get.responses["200"].content["application/json"].schema.anyOf[1], ref);
      assert.deepEqual(get.parameters[0].schema.enum, ["xml", "json"]);
    }
    // Recursive models (domain's XML elements, interface bridges) point into the document.
    for (const r of refs(doc)) {
      const target = r.replace(/^#\//, "").split("/").reduce((o, k) => o?.[k], doc);
      assert.ok(target, `unresolved ${r}`);
    }
    assert.ok(refs(schemas).some((r) => r.startsWith("#/components/schemas/DomainModel_")));
    assert.ok(refs(schemas.InterfaceModel).includes("#/components/schemas/InterfaceModel"));
    const socket = doc.paths["/v1/rpc"].get;
    assert.ok(socket.responses["101"]);
    assert.match(socket.summary, /edgevirt\.rpc\.v2/);
    // HTTP sessions: open, call, events, close.
    assert.ok(doc.paths["/v1/sessions"].post.responses["201"]);
    assert.ok(doc.paths["/v1/sessions/{id}"].delete.responses["204"]);
    assert.ok(doc.paths["/v1/sessions/{id}/call/{method}"].post);
    assert.ok(doc.paths["/v1/sessions/{id}/events"].get);
  } finally {
    await gw.close();
  }
});
