#!/usr/bin/python3
"""Runs a console client on a fresh pseudo-terminal, as a person at a terminal would use it,
for tests/evsh/console_pty_test.ts.

Usage: pty_session.py escape|external|interactive COMMAND [ARG...]

Waits for the "(Ctrl + ])" line, types `hello`, waits for its echo, then leaves: `escape`
types Ctrl-] (0x1d); `external` prints ECHOED on its own stdout and waits for the command to
end by itself (the test then destroys the domain). `interactive` runs an interactive shell:
types `console con` at its prompt, then as `escape`, then `list` at the next prompt (whose
output must show the running domain) and `quit`. Prints one JSON line: what the terminal
showed, the exit status and whether the terminal's attributes were the same before and after.
Exits 2 if something never came (the JSON still says what was seen).
"""
import fcntl
import json
import os
import select
import subprocess
import sys
import termios
import time

mode, argv = sys.argv[1], sys.argv[2:]
master, slave = os.openpty()
before = termios.tcgetattr(slave)


def own_terminal():
    """Makes the pty the client's controlling terminal, as a login's terminal is."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, preexec_fn=own_terminal)
seen = b""


def wait_for(want, seconds, start=0):
    """Whether `want` shows, after the first `start` bytes, within `seconds`."""
    global seen
    end = time.time() + seconds
    while time.time() < end and want not in seen[start:]:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                seen += os.read(master, 4096)
            except OSError:
                return False
    return want in seen[start:]


def wait_raw(seconds):
    """Whether the client put the terminal in raw mode (no ICANON) within `seconds`: a person
    types after it, as virsh makes the terminal raw right after its banner."""
    end = time.time() + seconds
    while time.time() < end:
        if not termios.tcgetattr(slave)[3] & termios.ICANON:
            return True
        time.sleep(0.02)
    return False


ok = True
if mode == "interactive":
    ok = wait_for(b"# ", 60)
    os.write(master, b"console con\r")
ok = ok and wait_for(b"(Ctrl + ])\r\n", 60) and wait_raw(10)
if ok:
    # Typed once: a guest still booting under TCG echoes it once it runs.
    os.write(master, b"hello")
    ok = wait_for(b"hello", 30)
if ok and mode in ("escape", "interactive"):
    os.write(master, b"\x1d")
if ok and mode == "interactive":
    # The prompt again, then a command typed at it reaches the shell.
    ok = wait_for(b"# ", 10, seen.index(b"(Ctrl + ])")) and wait_raw(10)
    if ok:
        mark = len(seen)
        os.write(master, b"list\r")
        ok = wait_for(b" con ", 10, mark)
        os.write(master, b"quit\r")
if ok and mode == "external":
    print("ECHOED", flush=True)
try:
    status = proc.wait(timeout=30)
except subprocess.TimeoutExpired:
    proc.kill()
    status = proc.wait()
    ok = False
wait_for(b"\0", 0.5)
restored = termios.tcgetattr(slave) == before
print(json.dumps({"terminal": seen.decode(errors="replace"), "status": status,
                  "restored": restored}), flush=True)
sys.exit(0 if ok else 2)
