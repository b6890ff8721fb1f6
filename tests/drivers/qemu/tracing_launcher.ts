// A launcher of real QEMUs that each trace the QMP requests they handle (QEMU's own
// `handle_qmp_command` trace event), the way the recording scripts capture libvirt's QMP, so a
// test compares what edgevirt sent with what libvirt sent.
import { KeepingLauncher } from "./real_qemu.ts";

/** One QMP request, without its id (a type, so that it is a record of its members too). */
export type QmpRequest = {
  execute: string;
  arguments?: Record<string, unknown>;
};

/** A launcher whose QEMUs trace each QMP request they handle into `DIR/qmp-N.log`. */
export class TracingLauncher extends KeepingLauncher {
  #n = 0;
  constructor(readonly dir: string) {
    super();
  }
  override launch(emulator: string, argv: string[], monitorPath: string) {
    const trace = `enable=handle_qmp_command,file=${this.dir}/qmp-${this.#n++}.log`;
    return super.launch(emulator, ["-trace", trace, ...argv], monitorPath);
  }
  /** The requests the N-th QEMU handled, as the recording keeps them. */
  async requests(n: number): Promise<QmpRequest[]> {
    const text = await Deno.readTextFile(`${this.dir}/qmp-${n}.log`);
    return [...text.matchAll(/handle_qmp_command mon \S+ req: (.*)$/gm)]
      .map((m) => JSON.parse(m[1]))
      .map(({ id: _, ...req }) => req as QmpRequest)
      .filter((req) => !/^(query|qom)-/.test(req.execute));
  }
}
