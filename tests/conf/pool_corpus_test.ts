import { formatStoragePoolXML, parseStoragePoolXML } from "../../conf/storage_pool/mod.ts";
import { testStoragePoolDefaults } from "../../drivers/simulator/storage_postparse.ts";
import { corpusTest } from "./xml_corpus.ts";

corpusTest(
  "pool",
  (xml) => formatStoragePoolXML(testStoragePoolDefaults(parseStoragePoolXML(xml))),
);
