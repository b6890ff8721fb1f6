import { parseStoragePoolXML } from "../../conf/storage_pool/mod.ts";
import { formatStorageVolXML, parseStorageVolXML } from "../../conf/storage_vol/mod.ts";
import {
  testStoragePoolDefaults,
  testStorageVolDefaults,
} from "../../drivers/simulator/storage_postparse.ts";
import { corpusTest } from "./xml_corpus.ts";

// The corpus volumes were created in this transient dir pool (see data/README.md).
const pool = testStoragePoolDefaults(parseStoragePoolXML(
  "<pool type='dir'><name>canon-scratch-pool</name><target><path>/canon-scratch-pool</path></target></pool>",
));

corpusTest(
  "volume",
  (xml) => formatStorageVolXML(pool, testStorageVolDefaults(pool, parseStorageVolXML(pool, xml))),
);
