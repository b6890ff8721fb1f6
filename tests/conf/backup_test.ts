/**
 * `<domainbackup>` documents replayed against libvirt 9.0's answers, recorded through its QEMU
 * driver by tests/tools/record_backup_conf.sh (libvirt's test driver has no backup API): each
 * document is parsed, aligned with the recorded domain and made ready as the QEMU driver does,
 * then either formatted (virsh backup-dumpxml's text) or refused with libvirt's error.
 */
import { deepEqual, equal } from "node:assert/strict";
import { alignBackupDisks, formatBackupXML, parseBackupXML } from "../../conf/backup/mod.ts";
import { parseDomainXML } from "../../conf/domain/mod.ts";
import { prepareBackup } from "../../drivers/qemu/api/backup_def.ts";
import { VirError } from "../../util/errors.ts";
import FIXTURE from "./fixtures/backup_cases.json" with { type: "json" };

interface Case {
  name: string;
  xml: string;
  dumpxml?: string;
  error?: { code: number; domain: number; message: string };
}

const GUEST = "/var/lib/guest";
const at = (s: string) => s.replaceAll("$GUEST", GUEST);
const dom = parseDomainXML(at(FIXTURE.domain));

for (const c of FIXTURE.cases as Case[]) {
  Deno.test(`backup: ${c.name}`, () => {
    // libvirt's node counter only grows, failures included: the driver's state, not the
    // document's, so each case starts from the first index libvirt gave it.
    const indexes = [...(c.dumpxml ?? "").matchAll(/index='(\d+)'/g)].map((m) => Number(m[1]));
    let next = indexes.length ? Math.min(...indexes) : 1;
    const backupDomain = {
      newIndex: () => next++,
      hasCheckpoint: () => false,
      bitmapValid: () => false,
    };
    let out: string | VirError;
    try {
      const def = parseBackupXML(at(c.xml));
      alignBackupDisks(def, dom, "SUFFIX");
      out = formatBackupXML(prepareBackup(def, backupDomain));
    } catch (e) {
      if (!(e instanceof VirError)) throw e;
      out = e;
    }
    if (c.error) {
      if (typeof out === "string") throw new Error(`accepted, libvirt refused: ${out}`);
      deepEqual({ code: out.code, domain: out.domain, message: out.message }, c.error);
    } else {
      if (typeof out !== "string") throw out;
      equal(out, at(c.dumpxml!));
    }
  });
}
