/**
 * The documents of the QEMU XML namespace recording: one small domain, each with a different
 * use of `xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'` (every parse error of
 * qemu_domain.c's qemuDomainDefNamespaceParse, prefixes and default namespaces, empty and
 * repeated elements, escaping, an error of the namespace against a later validation error).
 * `deno run -A cases.ts DIR` writes them as `DIR/domain/NAME.xml` for record.sh.
 *
 * @module
 */
import { join } from "node:path";

const NS = "http://libvirt.org/schemas/domain/qemu/1.0";

/** A domain with `tail` last and `rootAttrs` on `<domain>`; `devices` replaces the default. */
function domain(tail: string, rootAttrs = ` xmlns:qemu='${NS}'`, devices = ""): string {
  return `<domain type='qemu'${rootAttrs}>
  <name>nsguest</name>
  <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>
  <memory unit='KiB'>219136</memory>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
  </os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    ${devices}<memballoon model='none'/>
  </devices>
${tail}
</domain>
`;
}

const TEST_NS = "http://libvirt.org/schemas/domain/test/1.0";
/** A domain with the test driver's namespace (its run state) holding `tail`. */
const testNs = (tail: string, decl = ` xmlns:test='${TEST_NS}'`) => domain(`  ${tail}`, decl);

const cmd = (inner: string) => `  <qemu:commandline>${inner}</qemu:commandline>`;
const prop = (attrs: string) =>
  `  <qemu:override><qemu:device alias='balloon0'><qemu:frontend>` +
  `<qemu:property ${attrs}/></qemu:frontend></qemu:device></qemu:override>`;

/** Name → document. */
export const CASES: Record<string, string> = {
  "args-env": domain(cmd(
    `<qemu:env name='A_1' value='x y'/><qemu:arg value='-name'/><qemu:arg value='guest=a,,b'/>` +
      `<qemu:env name='_EMPTY' value=''/><qemu:env name='NOVALUE'/>`,
  )),
  "arg-empty": domain(cmd(`<qemu:arg value=''/>`)),
  "arg-no-value": domain(cmd(`<qemu:arg/>`)),
  "arg-escaped": domain(cmd(`<qemu:arg value='&lt;a&gt; &amp; "b" &apos;c&apos;'/>`)),
  "env-no-name": domain(cmd(`<qemu:env value='x'/>`)),
  "env-empty-name": domain(cmd(`<qemu:env name='' value='x'/>`)),
  "env-digit-first": domain(cmd(`<qemu:env name='1A' value='x'/>`)),
  "env-dash": domain(cmd(`<qemu:env name='A-B' value='x'/>`)),
  "env-escaped-value": domain(cmd(`<qemu:env name='V' value='&lt;&amp;&apos;'/>`)),
  "arg-error-before-env-error": domain(cmd(`<qemu:env name='1'/><qemu:arg/>`)),
  "commandline-empty": domain(cmd("")),
  "commandline-twice": domain(cmd(`<qemu:arg value='-a'/>`) + cmd(`<qemu:arg value='-b'/>`)),
  "commandline-unknown-child": domain(cmd(`<qemu:other value='-a'/><qemu:arg value='-b'/>`)),
  "unknown-element": domain(`  <qemu:foo value='x'/>\n` + cmd(`<qemu:arg value='-a'/>`)),
  "unknown-element-alone": domain(`  <qemu:foo value='x'/>`),
  "commandline-default-ns": domain(
    `  <commandline xmlns='${NS}'><arg value='-a'/><env name='E'/></commandline>`,
    "",
  ),
  "commandline-other-uri": domain(cmd(`<qemu:arg value='-a'/>`), " xmlns:qemu='urn:other'"),
  "commandline-no-ns": domain(`  <commandline><arg value='-a'/></commandline>`, ""),
  "caps": domain(
    `  <qemu:capabilities><qemu:del capability='name'/><qemu:add capability='vnc-colon'/>` +
      `</qemu:capabilities>`,
  ),
  "caps-unknown": domain(
    `  <qemu:capabilities><qemu:add capability='no-such-capability'/></qemu:capabilities>`,
  ),
  "caps-no-name": domain(`  <qemu:capabilities><qemu:del/></qemu:capabilities>`),
  "caps-empty": domain(`  <qemu:capabilities/>`),
  "override-no-alias": domain(`  <qemu:override><qemu:device/></qemu:override>`),
  "override-device-only": domain(`  <qemu:override><qemu:device alias='x'/></qemu:override>`),
  "override-empty": domain(`  <qemu:override/>`),
  "prop-no-name": domain(prop(`type='string' value='a'`)),
  "prop-id": domain(prop(`name='id' type='string' value='a'`)),
  "prop-no-type": domain(prop(`name='p' value='a'`)),
  "prop-empty-type": domain(prop(`name='p' type='' value='a'`)),
  "prop-bad-type": domain(prop(`name='p' type='int' value='a'`)),
  "prop-no-value": domain(prop(`name='p' type='string'`)),
  "prop-signed": domain(prop(`name='p' type='signed' value=' -0042'`)),
  "prop-signed-bad": domain(prop(`name='p' type='signed' value='4x'`)),
  "prop-signed-overflow": domain(prop(`name='p' type='signed' value='9223372036854775808'`)),
  "prop-unsigned-max": domain(prop(`name='p' type='unsigned' value='18446744073709551615'`)),
  "prop-unsigned-negative": domain(prop(`name='p' type='unsigned' value='-1'`)),
  "prop-bool-yes": domain(prop(`name='p' type='bool' value='yes'`)),
  "prop-remove-value": domain(prop(`name='p' type='remove' value='a'`)),
  "prop-remove": domain(prop(`name='p' type='remove'`)),
  "override-error-before-caps-error": domain(
    prop(`name='p' type='bool' value='1'`) +
      `\n  <qemu:capabilities><qemu:add/></qemu:capabilities>`,
  ),
  "deprecation": domain(`  <qemu:deprecation behavior='reject'/>`),
  "deprecation-unknown": domain(`  <qemu:deprecation behavior='sometimes'/>`),
  "deprecation-empty": domain(`  <qemu:deprecation behavior=''/>`),
  "deprecation-second": domain(
    `  <qemu:deprecation/>\n  <qemu:deprecation behavior='omit'/>\n` +
      `  <qemu:deprecation behavior='crash'/>`,
  ),
  "all-reordered": domain(
    `  <qemu:deprecation behavior='none'/>\n${prop(`name='p' type='string' value='v'`)}\n` +
      `  <qemu:capabilities><qemu:add capability='a'/></qemu:capabilities>\n` +
      cmd(`<qemu:arg value='-S'/>`),
  ),
  "attrs-prefixed": domain(
    cmd(`<qemu:arg qemu:value='-a'/><qemu:env qemu:name='E' qemu:value='v'/>`) + "\n" +
      prop(`qemu:name='p' qemu:type='signed' qemu:value='5'`),
  ),
  "deprecation-prefixed-attr": domain(`  <qemu:deprecation qemu:behavior='omit'/>`),
  "test-runstate": testNs("<test:runstate>5</test:runstate>"),
  "test-runstate-blanks": testNs("<test:runstate> 3</test:runstate>"),
  "test-runstate-trailing": testNs("<test:runstate>3 </test:runstate>"),
  "test-runstate-word": testNs("<test:runstate>abc</test:runstate>"),
  "test-runstate-empty": testNs("<test:runstate/>"),
  "test-runstate-range": testNs("<test:runstate>9</test:runstate>"),
  "test-runstate-minus": testNs("<test:runstate>-1</test:runstate>"),
  "test-runstate-huge": testNs("<test:runstate>4294967295</test:runstate>"),
  "test-runstate-twice": testNs("<test:runstate>5</test:runstate><test:runstate>x</test:runstate>"),
  "test-transient-shutoff": testNs("<test:transient/><test:runstate>5</test:runstate>"),
  "test-managedsave-running": testNs("<test:hasmanagedsave/>"),
  "test-managedsave-shutoff": testNs("<test:hasmanagedsave/><test:runstate>5</test:runstate>"),
  "test-other-uri": testNs("<test:runstate>abc</test:runstate>", " xmlns:test='urn:other'"),
  "test-default-ns": testNs(`<runstate xmlns='${TEST_NS}'>abc</runstate>`, ""),
  "test-and-qemu": testNs(
    "<test:runstate>abc</test:runstate><qemu:commandline><qemu:arg/></qemu:commandline>",
    ` xmlns:test='${TEST_NS}' xmlns:qemu='${NS}'`,
  ),
  "ns-error-before-validation": domain(
    cmd(`<qemu:arg/>`),
    undefined,
    "<vsock model='virtio'><cid auto='no' address='2'/></vsock>",
  ),
};

if (import.meta.main) {
  const dir = join(Deno.args[0], "domain");
  Deno.mkdirSync(dir, { recursive: true });
  for (const [name, xml] of Object.entries(CASES)) {
    Deno.writeTextFileSync(join(dir, `${name}.xml`), xml);
  }
}
