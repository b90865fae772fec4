#!/usr/bin/python3
"""Drives `recommend --json` one line at a time, for the end-to-end tests of profiles: each line
is written only after the events that answer the previous one have been read, so a test knows
exactly which answers recommend acknowledged (showed the next recommendation after).

    with Recommend([binary, args...]) as rec:
        opening = rec.opening()          # events before the first line (profile, recommendation)
        events = rec.send("y")           # the events that answer one line
        rec.kill()                       # SIGKILL, no goodbye
"""
import json
import os
import select
import signal
import subprocess
import time

TIMEOUT = 60  # seconds for recommend to answer a line (a busy machine)
# The events after which recommend waits for the next line.
WAITING = {"recommendation", "choices", "error", "favourite", "end", "help", "info"}


class Recommend:
    def __init__(self, command):
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.buffer = b""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def _event(self, deadline):
        while b"\n" not in self.buffer:
            left = deadline - time.time()
            if left <= 0:
                raise TimeoutError("recommend did not answer in time")
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    raise EOFError("recommend closed its output: " +
                                   self.proc.stderr.read().decode(errors="replace"))
                self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def _until_waiting(self):
        deadline = time.time() + TIMEOUT
        events = []
        while True:
            event = self._event(deadline)
            events.append(event)
            name = event["event"]
            if name == "favourite" and event["number"] == 4 and "replaced" not in event:
                continue  # the first recommendation follows
            if name == "favourite" and "replaced" in event:
                continue  # a new recommendation follows
            if name in WAITING:
                return events

    def opening(self, expect_recommendation):
        """The opening events: a profile event, then a recommendation when it resumed."""
        deadline = time.time() + TIMEOUT
        events = [self._event(deadline)]
        if expect_recommendation:
            events.append(self._event(deadline))
        return events

    def send(self, line):
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()
        return self._until_waiting()

    def send_only(self, line):
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
