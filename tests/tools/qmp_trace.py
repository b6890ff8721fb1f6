"""What the QMP recording scripts share (record_qemu_storage_migration.sh, record_qemu_backup.sh,
record_qemu_migration_caps.sh, record_qemu_memory_hotplug.sh): libvirt's event loop, which their
domain events need, and the QMP commands libvirt sent, read back from QEMU's own trace of every
command it handled (`-trace enable=handle_qmp_command,file=PATH`, asked for through the domain's
<qemu:commandline>)."""
import json
import re
import threading

import libvirt


def start_event_loop():
    """libvirt's default event loop on a daemon thread; errors are left to the exceptions
    (libvirt's default handler would also print each one)."""
    libvirt.registerErrorHandler(lambda *_: None, None)
    libvirt.virEventRegisterDefaultImpl()
    threading.Thread(target=lambda: [libvirt.virEventRunDefaultImpl() for _ in iter(int, 1)],
                     daemon=True).start()


def traced_requests(path, keep):
    """The QMP requests QEMU traced into `path`, in order and without their ids, of the
    commands `keep` accepts."""
    out = []
    with open(path) as f:
        for line in f:
            m = re.search(r"handle_qmp_command mon \S+ req: (.*)$", line)
            if m:
                req = json.loads(m.group(1))
                req.pop("id", None)
                if keep(req["execute"]):
                    out.append(req)
    return out
