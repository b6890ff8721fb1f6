/**
 * Differential test against libvirt 9.0's session storage and secret drivers: the steps of
 * fixtures/scenario.json run through this project's drivers must give what a private libvirtd
 * gave for them (fixtures/libvirt_session.jsonl, recorded by record_libvirt.sh), step by step:
 * results, volume XML and libvirt's errors (code, domain, message). Masked on both sides: the
 * pool directory, file owner and group (libvirtd ran as another user), the values of volume
 * timestamps, the pool's file-system sizes and its generated UUID.
 */
import assert from "node:assert/strict";
import { VirError } from "../../../util/errors.ts";
import type { SecondaryConnection } from "../../../util/contract/compose.ts";
import type { StoragePoolRef, StorageVolRef } from "../../../util/driver.ts";
import { storageDriver } from "../../../drivers/storage/mod.ts";
import { secretDriver } from "../../../drivers/secret/mod.ts";
import { withRoot } from "../secondary_helpers.ts";

type Step = [string, ...(string | number)[]];

const here = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

/** What both sides' outputs go through before they are compared. */
function mask(line: string): string {
  return line
    .replace(/<([abcm]time)>[0-9.]+<\/[abcm]time>/g, "<$1>*</$1>")
    .replace(/<owner>\d+<\/owner>/g, "<owner>*</owner>")
    .replace(/<group>\d+<\/group>/g, "<group>*</group>");
}

function maskStep(out: { step: string; result?: unknown; error?: unknown }): string {
  if (out.step === "poolInfo" && Array.isArray(out.result)) {
    out.result = [out.result[0], "*", "*", "*"];
  }
  if (out.step === "poolXML" && typeof out.result === "string") {
    out.result = out.result
      .replace(/<uuid>[-0-9a-f]+<\/uuid>/, "<uuid>*</uuid>")
      .replace(/<(capacity|allocation|available) unit='bytes'>\d+</g, "<$1 unit='bytes'>*<");
  }
  if (typeof out.result === "string") out.result = mask(out.result);
  return JSON.stringify(out);
}

async function runStep(
  storage: SecondaryConnection,
  secrets: SecondaryConnection,
  step: Step,
): Promise<unknown> {
  const [op, ...a] = step;
  const s = a.map((x) => String(x));
  const n = (i: number) => Number(a[i]);
  const pool = async (): Promise<StoragePoolRef> => await storage.storagePoolLookupByName!(s[0]);
  const vol = async (name = s[1]): Promise<StorageVolRef> =>
    await storage.storageVolLookupByName!(await pool(), name);
  const secret = async () => await secrets.secretLookupByUUID!(s[0]);
  const done = (p: Promise<unknown>) => p.then(() => 0);
  switch (op) {
    case "poolDefine":
      return await storage.storagePoolDefineXML!(s[1], 0).then(() => null);
    case "poolBuild":
      return await done(storage.storagePoolBuild!(await pool(), 0));
    case "poolCreate":
      return await done(storage.storagePoolCreate!(await pool(), 0));
    case "poolInfo": {
      const i = await storage.storagePoolGetInfo!(await pool());
      return [i.state, i.capacity, i.allocation, i.available];
    }
    case "poolRefresh":
      return await done(storage.storagePoolRefresh!(await pool(), 0));
    case "poolListVolumes":
      return (await storage.storagePoolListVolumes!(await pool())).sort();
    case "poolUndefine":
      return await done(storage.storagePoolUndefine!(await pool()));
    case "poolAutostart":
      return await done(storage.storagePoolSetAutostart!(await pool(), Boolean(a[1])));
    case "poolGetAutostart":
      return Number(await storage.storagePoolGetAutostart!(await pool()));
    case "poolDestroy":
      return await done(storage.storagePoolDestroy!(await pool()));
    case "poolDelete":
      return await done(storage.storagePoolDelete!(await pool(), 0));
    case "poolLookup":
      return await pool().then(() => null);
    case "poolXML":
      return await storage.storagePoolGetXMLDesc!(await pool(), 0);
    case "poolBuildFlags":
      return await done(storage.storagePoolBuild!(await pool(), Number(a[1])));
    case "poolCreateXML":
      return (await storage.storagePoolCreateXML!(s[0], Number(a[1]))).name;
    case "poolIsPersistent":
      return Number(await storage.storagePoolIsPersistent!(await pool()));
    case "volCreate":
      return (await storage.storageVolCreateXML!(await pool(), s[1], 0)).name;
    case "volCreateFrom":
      return (await storage.storageVolCreateXMLFrom!(await pool(), s[1], await vol(s[2]), 0)).name;
    case "volInfo": {
      const i = await storage.storageVolGetInfo!(await vol());
      return [i.type, i.capacity, i.allocation];
    }
    case "volXML":
      return await storage.storageVolGetXMLDesc!(await vol(), 0);
    case "volResize":
      return await done(storage.storageVolResize!(await vol(), Number(a[2]), Number(a[3])));
    case "volWipe":
      return await done(storage.storageVolWipe!(await vol(), 0));
    case "volDelete":
      return await done(storage.storageVolDelete!(await vol(), 0));
    case "volLookup":
      return (await vol()).key;
    case "volLookupPath":
      return (await storage.storageVolLookupByPath!(s[0])).name;
    case "volLookupKey":
      return (await storage.storageVolLookupByKey!(s[0])).name;
    case "volInfoPhysical": {
      const i = await storage.storageVolGetInfoFlags!(await vol(), 1);
      return [i.type, i.capacity, i.allocation];
    }
    case "volWipePattern":
      return await done(storage.storageVolWipePattern!(await vol(), Number(a[2]), 0));
    case "volUpload": {
      const data = Uint8Array.from(atob(s[5]), (c) => c.charCodeAt(0));
      const { writable } = await storage.storageVolUpload!(await vol(), n(2), n(3), n(4));
      const w = writable!.getWriter();
      try {
        await w.write(data);
        await w.close();
      } catch (e) {
        await w.abort().catch(() => {});
        throw e;
      }
      return 0;
    }
    case "volDownload": {
      const { readable } = await storage.storageVolDownload!(await vol(), n(2), n(3), n(4));
      const bytes = new Uint8Array(
        await new Response(readable as ReadableStream<Uint8Array>).arrayBuffer(),
      );
      return btoa(String.fromCharCode(...bytes));
    }
    case "secretDefine":
      return (await secrets.secretDefineXML!(s[0], 0)).uuid;
    case "secretSetValue": {
      const bytes = Uint8Array.from(atob(s[1]), (c) => c.charCodeAt(0));
      return await done(secrets.secretSetValue!(await secret(), [...bytes], 0));
    }
    case "secretGetValue":
      return btoa(String.fromCharCode(...await secrets.secretGetValue!(await secret(), 0)));
    case "secretXML":
      return await secrets.secretGetXMLDesc!(await secret(), 0);
    case "secretList":
      return (await secrets.connectListSecrets!()).sort();
    case "secretListAll":
      return (await secrets.connectListAllSecrets!(Number(a[0]))).map((r) => r.uuid).sort();
    case "secretLookupUsage":
      return (await secrets.secretLookupByUsage!(Number(a[0]), s[1])).uuid;
    case "secretUndefine":
      return await done(secrets.secretUndefine!(await secret()));
  }
  throw new Error(`unknown step ${op}`);
}

Deno.test("storage and secret drivers answer the recorded scenario as libvirt 9.0 did", async () => {
  const steps: Step[] = JSON.parse(await Deno.readTextFile(here("scenario.json")));
  const expected = (await Deno.readTextFile(here("libvirt_session.jsonl"))).trimEnd().split("\n");
  assert.equal(steps.length, expected.length);
  await withRoot(async (root) => {
    const uri = new URL(`qemu:///embed?root=${root}`);
    const storage = await storageDriver.open(uri, {});
    const secrets = await secretDriver.open(uri, {});
    const dir = `${root}/pool`;
    try {
      const got: string[] = [];
      for (const step of steps) {
        const concrete = step.map((x) =>
          typeof x === "string" ? x.replaceAll("$POOL", dir) : x
        ) as Step;
        let out: { step: string; result?: unknown; error?: unknown };
        try {
          out = { step: step[0], result: await runStep(storage, secrets, concrete) };
        } catch (e) {
          if (!(e instanceof VirError)) throw e;
          out = { step: step[0], error: [e.code, e.domain, e.message] };
        }
        got.push(maskStep(JSON.parse(JSON.stringify(out).replaceAll(dir, "$POOL"))));
      }
      const want = expected.map((l) => maskStep(JSON.parse(l)));
      assert.deepEqual(got, want);
    } finally {
      await storage.connectClose();
      await secrets.connectClose();
    }
  });
});
