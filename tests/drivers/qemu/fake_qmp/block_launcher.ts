/**
 * A fake launcher whose every QEMU has a block model from its own command line from its first
 * QMP command on, so what the driver does during a start (a transient disk's overlay) and after
 * a driver restart reaches the same model; each also migrates (a save, a restore) as
 * {@link FakeMigration} does.
 *
 * @module
 */
import { FakeLauncher } from "../../../../drivers/qemu/testing/mod.ts";
import { FakeBlockDevices } from "../../../../drivers/qemu/testing/fake_block.ts";
import { FakeMigration } from "../../../../drivers/qemu/testing/fake_migration.ts";

/** The launcher; `block()` is the model of the QEMU launched last. */
export function blockLauncher(): { launcher: FakeLauncher; block: () => FakeBlockDevices } {
  let block = new FakeBlockDevices();
  let migration = new FakeMigration("vm");
  let opened = 0;
  const launcher: FakeLauncher = new FakeLauncher({
    onCommand: (execute, args, qemu) => {
      if (opened < launcher.launches.length) {
        opened = launcher.launches.length;
        // No guest acks an unplug, as none did for the recordings.
        block = new FakeBlockDevices({ unplug: "hold" });
        block.bind([...launcher.instances.values()].at(-1)!);
        block.openCommandLine(launcher.launches.at(-1)!);
        migration = new FakeMigration("vm");
      }
      return block.handle(execute, args) ?? migration.handle(execute, args, qemu);
    },
  });
  return { launcher, block: () => block };
}
