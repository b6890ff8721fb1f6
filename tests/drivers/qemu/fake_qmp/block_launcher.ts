/**
 * A fake launcher whose every QEMU has a block model from its own command line from its first
 * QMP command on, so what the driver does during a start (a transient disk's overlay) and after
 * a driver restart reaches the same model.
 *
 * @module
 */
import { FakeLauncher } from "../../../../drivers/qemu/testing/mod.ts";
import { FakeBlockDevices } from "../../../../drivers/qemu/testing/fake_block.ts";

/** The launcher; `block()` is the model of the QEMU launched last. */
export function blockLauncher(): { launcher: FakeLauncher; block: () => FakeBlockDevices } {
  let block = new FakeBlockDevices();
  let opened = 0;
  const launcher: FakeLauncher = new FakeLauncher({
    onCommand: (execute, args) => {
      if (opened < launcher.launches.length) {
        opened = launcher.launches.length;
        // No guest acks an unplug, as none did for the recordings.
        block = new FakeBlockDevices({ unplug: "hold" });
        block.bind([...launcher.instances.values()].at(-1)!);
        block.openCommandLine(launcher.launches.at(-1)!);
      }
      return block.handle(execute, args);
    },
  });
  return { launcher, block: () => block };
}
