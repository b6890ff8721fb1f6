import { formatInterfaceXML, parseInterfaceXML } from "../../conf/interface/mod.ts";
import { corpusTest } from "./xml_corpus.ts";

corpusTest("interface", (xml) => formatInterfaceXML(parseInterfaceXML(xml)));
