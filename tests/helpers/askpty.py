#!/usr/bin/env python3
# askpty.py LINE... -- CMD...: run CMD on a terminal of its own (a new
# pty, its controlling terminal), and answer each prompt that ends in
# ": " with the next LINE, once the prompt is shown; what CMD writes to
# the terminal goes to standard output; exit with CMD's status.
import os
import pty
import sys

i = sys.argv.index('--')
lines, cmd = sys.argv[1:i], sys.argv[i + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
buf = b''
answered = 0
while True:
    try:
        d = os.read(fd, 4096)
    except OSError:
        break
    if not d:
        break
    buf += d
    sys.stdout.buffer.write(d)
    while answered < buf.count(b': ') and lines:
        os.write(fd, lines.pop(0).encode() + b'\n')
        answered += 1
_, st = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(st))
