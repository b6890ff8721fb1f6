// The JSON model of every canonical document of libvirt's corpus (tests/fixtures/libvirt-xml)
// and of every node device of test:///default (tests/conf/golden/nodedev), by model kind, for
// the tests that check what the models accept.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  domainToModel,
  type ModelKind,
  parseDomainXML,
  parseInterfaceXML,
  parseNetworkXML,
  parseNodeDeviceXML,
  parseSecretXML,
  parseStoragePoolXML,
  parseStorageVolXML,
} from "../../conf/mod.ts";
import { FIXTURES, REPO_ROOT } from "../paths.ts";

/** The pool the corpus volumes were created in (see tests/conf/volume_corpus_test.ts). */
export const CORPUS_POOL = parseStoragePoolXML(
  "<pool type='dir'><name>canon-scratch-pool</name><target><path>/canon-scratch-pool</path></target></pool>",
);

const PARSERS: [Exclude<ModelKind, "capabilities">, string, (xml: string) => unknown][] = [
  ["domain", "libvirt-xml/domain", (xml) => domainToModel(parseDomainXML(xml))],
  ["network", "libvirt-xml/network", (xml) => parseNetworkXML(xml)],
  ["pool", "libvirt-xml/pool", (xml) => parseStoragePoolXML(xml)],
  ["volume", "libvirt-xml/volume", (xml) => parseStorageVolXML(CORPUS_POOL, xml)],
  ["interface", "libvirt-xml/interface", (xml) => parseInterfaceXML(xml)],
  ["secret", "libvirt-xml/secret", (xml) => parseSecretXML(xml)],
  ["device", "../conf/golden/nodedev", (xml) => parseNodeDeviceXML(xml)],
];

/** One document's model, as a client would have it from JSON. */
export interface CorpusModel {
  kind: Exclude<ModelKind, "capabilities">;
  /** The document's file, relative to the repository. */
  file: string;
  model: unknown;
}

/** Every canonical corpus document (`*.expected.xml`; node devices: every golden file). */
export function corpusModels(): CorpusModel[] {
  return PARSERS.flatMap(([kind, sub, parse]) => {
    const dir = join(FIXTURES, sub);
    return readdirSync(dir)
      .filter((f) => kind === "device" ? f.endsWith(".xml") : f.endsWith(".expected.xml"))
      .sort()
      .map((f) => ({
        kind,
        file: join(dir, f).slice(REPO_ROOT.length + 1),
        model: JSON.parse(JSON.stringify(parse(readFileSync(join(dir, f), "utf8")))),
      }));
  });
}
