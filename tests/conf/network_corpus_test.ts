import { formatNetworkXML, parseNetworkXML } from "../../conf/network/mod.ts";
import { VIR } from "../../util/constants.ts";
import { corpusTest } from "./xml_corpus.ts";

corpusTest("network", (xml) => formatNetworkXML(parseNetworkXML(xml), VIR.NETWORK_XML_INACTIVE));
