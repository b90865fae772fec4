"""A program run on a pseudo-terminal as a person at a terminal runs it: each key typed after a
pause, everything it writes read until it exits. For the end-to-end tests of the terminal front
end (libedit reads keys only from a terminal)."""
import os
import pty
import select
import time


def pty_session(argv, keys, env, settle=1.5, pause=0.5, end_wait=10.0):
    """Runs argv on a pty with env, types keys (bytes each), and returns (output, wait status).

    settle: seconds for start-up and libedit taking the terminal before the first key; pause:
    seconds read after each key; end_wait: at most this long for the program to end after the
    last key (which should end it: Ctrl-D, Ctrl-C, q)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(argv[0], argv, env)
    out = bytearray()

    def read(seconds):  # False once the program has closed the terminal
        end = time.time() + seconds
        while time.time() < end:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    return False
                if not chunk:
                    return False
                out.extend(chunk)
        return True

    read(settle)
    for key in keys:
        os.write(fd, key)
        if not read(pause):
            break
    for _ in range(int(end_wait / pause)):
        if not read(pause):
            break
    _, status = os.waitpid(pid, 0)
    return bytes(out), status
