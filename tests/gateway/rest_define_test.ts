// Defining through REST as people expect: a JSON domain of name, memory and vCPUs is enough
// (libvirt's defaults for the rest, the UUID generated), every validation problem comes back at
// once with its path, and PUT of a definition honours If-Match against the ETag that GET gave
// (412 when it changed meanwhile, and nothing is redefined).
import assert from "node:assert/strict";
import { snapshot, startGateway, TOKENS } from "./helpers.ts";
import { domainDefaults } from "../../gateway/json_defaults.ts";

const BASE = "/v1/test/default";
const AUTH = { authorization: `Bearer ${TOKENS.full}` };
const JSON_BODY = { ...AUTH, "content-type": "application/json" };

Deno.test("a JSON domain of name, memory and vcpu is enough; its UUID is generated", async () => {
  const gw = await startGateway();
  try {
    const res = await gw.app.request(`${BASE}/domains`, {
      method: "POST",
      headers: JSON_BODY,
      body: JSON.stringify({ name: "web-1", memory: 131072, vcpu: 2 }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const ref = await res.json();
    assert.equal(ref.name, "web-1");
    assert.match(ref.uuid, /^[0-9a-f-]{36}$/);
    const model = await (await gw.app.request(`${BASE}/domains/web-1?format=json`, {
      headers: AUTH,
    })).json();
    assert.deepEqual(
      [model.type, model.memory, model.vcpu.max, model.vcpu.current, model.os.type],
      ["test", { total: 131072, current: 131072 }, 2, 2, "hvm"],
    );
    // What the caller gives wins over the defaults.
    const d = domainDefaults(
      { name: "x", memory: { total: 4, current: 2 }, vcpu: 4, os: { type: "exe" } },
      "kvm",
    ) as Record<string, { current?: number; type?: string }>;
    assert.deepEqual([d.type, d.memory.current, d.vcpu.current, d.os.type], ["kvm", 2, 4, "exe"]);
  } finally {
    await gw.close();
  }
});

Deno.test("a short JSON domain with typed disks, NICs and graphics defines what its XML defines", async () => {
  const gw = await startGateway();
  try {
    const devices = (t: string) =>
      `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>` +
      `<source file='/images/${t}.qcow2'/><target dev='vda' bus='virtio'/></disk>` +
      `<disk type='file' device='cdrom'><source file='/iso/${t}.iso'/>` +
      `<target dev='sda' bus='sata'/><readonly/></disk>` +
      `<interface type='network'><mac address='52:54:00:aa:bb:01'/>` +
      `<source network='default'/><model type='virtio'/></interface>` +
      `<graphics type='vnc' autoport='yes' listen='127.0.0.1'/>`;
    const xml = `<domain type='test'><name>by-xml</name><memory>131072</memory><vcpu>1</vcpu>` +
      `<os><type>hvm</type></os><devices>${devices("by-xml")}</devices></domain>`;
    const viaXml = await gw.app.request(`${BASE}/domains`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/xml" },
      body: xml,
    });
    assert.equal(viaXml.status, 201, await viaXml.clone().text());
    const body = {
      name: "by-json",
      memory: 131072,
      vcpu: 1,
      devices: {
        disks: [
          {
            type: "file",
            device: "disk",
            driver: { name: "qemu", type: "qcow2" },
            source: { file: "/images/by-json.qcow2" },
            target: { dev: "vda", bus: "virtio" },
          },
          {
            type: "file",
            device: "cdrom",
            source: { file: "/iso/by-json.iso" },
            target: { dev: "sda", bus: "sata" },
            readonly: true,
          },
        ],
        interfaces: [{
          type: "network",
          mac: "52:54:00:aa:bb:01",
          source: { network: "default" },
          model: "virtio",
          extra: [],
        }],
        graphics: [{ type: "vnc", autoport: true, listen: "127.0.0.1" }],
      },
    };
    const viaJson = await gw.app.request(`${BASE}/domains`, {
      method: "POST",
      headers: JSON_BODY,
      body: JSON.stringify(body),
    });
    assert.equal(viaJson.status, 201, await viaJson.clone().text());
    const read = async (name: string) =>
      await (await gw.app.request(`${BASE}/domains/${name}?format=xml`, { headers: AUTH })).text();
    const [a, b] = [await read("by-xml"), await read("by-json")];
    const devicesOf = (x: string) => x.slice(x.indexOf("<devices>"), x.indexOf("</devices>"));
    assert.equal(devicesOf(b).replaceAll("by-json", "by-xml"), devicesOf(a));
    assert.match(devicesOf(a), /<disk type='file' device='cdrom'>/);
  } finally {
    await gw.close();
  }
});

Deno.test("every problem of a JSON definition is reported at once, at its path", async () => {
  const gw = await startGateway();
  try {
    const before = await snapshot(gw);
    const res = await gw.app.request(`${BASE}/domains`, {
      method: "POST",
      headers: JSON_BODY,
      body: JSON.stringify({ name: 7, memory: "lots", vcpu: { max: "two" }, os: { type: 1 } }),
    });
    assert.equal(res.status, 400);
    const { message, codeName } = await res.json();
    assert.equal(codeName, "VIR_ERR_INVALID_ARG");
    assert.match(message, /^invalid argument: the body is not a valid domain model: /);
    for (const path of ["name", "memory", "vcpu.max", "os.type"]) {
      assert.match(message, new RegExp(`(: |; )${path.replace(".", "\\.")}: `), path);
    }
    assert.equal(await snapshot(gw), before);
  } finally {
    await gw.close();
  }
});

Deno.test("PUT of a definition: ETag from GET, If-Match, 412 when it changed", async () => {
  const gw = await startGateway();
  const put = (name: string, body: unknown, headers: Record<string, string> = {}) =>
    gw.app.request(`${BASE}/domains/${name}`, {
      method: "PUT",
      headers: { ...JSON_BODY, ...headers },
      body: JSON.stringify(body),
    });
  try {
    const created = await put("web-1", { name: "web-1", memory: 65536, vcpu: 1 });
    assert.equal(created.status, 201);
    const tag0 = created.headers.get("etag")!;
    assert.match(tag0, /^"[0-9a-f]{32}"$/);
    const model = await (await gw.app.request(`${BASE}/domains/web-1?format=json`, {
      headers: AUTH,
    })).json();
    const got = await gw.app.request(`${BASE}/domains/web-1`, { headers: AUTH });
    assert.equal(got.headers.get("etag"), tag0);
    await got.body?.cancel();

    // A change under the right tag: 200 and a new tag.
    const changed = await put("web-1", { ...model, vcpu: { max: 2, current: 2 } }, {
      "if-match": tag0,
    });
    assert.equal(changed.status, 200, await changed.clone().text());
    const tag1 = changed.headers.get("etag")!;
    assert.notEqual(tag1, tag0);

    // The old tag no longer holds: 412, and nothing changes.
    const before = await snapshot(gw);
    const stale = await put("web-1", { ...model, vcpu: { max: 4, current: 4 } }, {
      "if-match": tag0,
    });
    assert.equal(stale.status, 412);
    assert.match((await stale.json()).message, /changed since it was read/);
    assert.equal(await snapshot(gw), before);
    // `*` needs a current definition.
    assert.equal(
      (await put("nosuch", { name: "nosuch", memory: 1024, vcpu: 1 }, {
        "if-match": "*",
      })).status,
      412,
    );
    // The document must name the object of the path.
    const other = await put("web-1", { ...model, name: "web-2" }, { "if-match": tag1 });
    assert.equal(other.status, 400);
    assert.match((await other.json()).message, /defines 'web-2', not the domain 'web-1'/);
    assert.equal(await snapshot(gw), before);
    // A running domain's tag is its persistent definition's: starting it changes nothing.
    await gw.app.request(`${BASE}/domains/web-1/start`, { method: "POST", headers: AUTH });
    const running = await gw.app.request(`${BASE}/domains/web-1?format=xml`, { headers: AUTH });
    assert.equal(running.headers.get("etag"), tag1);
    await running.body?.cancel();
  } finally {
    await gw.close();
  }
});
