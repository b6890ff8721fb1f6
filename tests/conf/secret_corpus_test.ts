import { formatSecretXML, parseSecretXML } from "../../conf/secret/mod.ts";
import { corpusTest } from "./xml_corpus.ts";

corpusTest("secret", (xml) => formatSecretXML(parseSecretXML(xml)));
