#!/usr/bin/env python3
"""Waits until a tmux pane shows each pattern in turn; prints, a line each, the
milliseconds since a recorded process start, or "timeout" (then for the rest too).

usage: screen_wait.py SESSION START_FILE LIMIT_MS POLL_S PATTERN [PATTERN ...]

It attaches to SESSION as a control-mode client (`tmux -C`, read-only) and asks for
the pane's text over that one connection, right after the pane wrote something and
at most every POLL_S seconds (and at least every half second when nothing is
written). Nothing is started per look, so the program being timed keeps the CPU a
look by a new tmux client, grep, date and sleep would take; and one watcher serves
every pattern of a start, so none waits for a watcher to start. START_FILE holds the
start time in nanoseconds since 1970 (`date +%s%N`); each PATTERN is a Python
regular expression, which the bench's extended ones also are; LIMIT_MS bounds the
whole wait.
"""

import os
import re
import select
import sys
import time

# Looked at even when the pane wrote nothing: a screen drawn before the client
# attached, or a notice lost.
QUIET_LOOK_S = 0.5


def start_ns(path, deadline):
    while time.monotonic() < deadline:
        try:
            with open(path) as f:
                text = f.read().strip()
            if text:
                return int(text)
        except FileNotFoundError:
            pass
        time.sleep(0.001)
    return None


def attach(session):
    """Starts the control-mode client: its pid, the end its commands are written to,
    and the end its replies and notices are read from. (`os.posix_spawnp` rather than
    the subprocess module, which takes longer to load than the whole program.)"""
    ask_r, ask_w = os.pipe()
    out_r, out_w = os.pipe()
    null = os.open(os.devnull, os.O_WRONLY)
    pid = os.posix_spawnp(
        "tmux",
        ["tmux", "-u", "-C", "attach-session", "-r", "-t", session],
        os.environ,
        file_actions=[
            (os.POSIX_SPAWN_DUP2, ask_r, 0),
            (os.POSIX_SPAWN_DUP2, out_w, 1),
            (os.POSIX_SPAWN_DUP2, null, 2),
        ],
    )
    for fd in (ask_r, out_w, null):
        os.close(fd)
    return pid, ask_w, out_r


def main():
    session, start_file, limit_ms, poll = sys.argv[1:5]
    wanted = [re.compile(p) for p in sys.argv[5:]]
    poll = float(poll)
    deadline = time.monotonic() + int(limit_ms) / 1000
    started = start_ns(start_file, deadline)
    if started is None:
        print("\n".join("timeout" for _ in wanted))
        return
    client, ask, out = attach(session)
    pending = b""
    block = None  # lines of the reply being read, or None between replies
    tag = []  # the time and number of that reply
    asked = False  # a look was asked and its reply has not ended
    written = True  # the pane wrote since the last look
    last_look = float("-inf")
    found = []
    try:
        while len(found) < len(wanted):
            now = time.monotonic()
            if now >= deadline:
                break
            due = last_look + (poll if written else QUIET_LOOK_S)
            if not asked and now >= due:
                os.write(ask, f"capture-pane -p -t {session}\n".encode())
                asked, written, last_look = True, False, now
                continue
            wait = deadline - now if asked else min(deadline, due) - now
            ready, _, _ = select.select([out], [], [], max(wait, 0))
            if not ready:
                continue
            data = os.read(out, 1 << 16)
            if not data:
                break
            pending += data
            *lines, pending = pending.split(b"\n")
            for line in lines:
                if block is None:
                    if line.startswith(b"%begin "):
                        # A reply ends on a line with its time and number (a line of
                        # the screen that begins with "%end" does not end it).
                        block, tag = [], line.split(b" ")[1:3]
                    elif line.startswith(b"%output"):
                        written = True
                elif line.split(b" ")[:3] in ([b"%end"] + tag, [b"%error"] + tag):
                    text = b"\n".join(block).decode("utf-8", "replace")
                    block, asked = None, False
                    # One look may show several of the patterns at once.
                    while len(found) < len(wanted) and wanted[len(found)].search(text):
                        found.append((time.time_ns() - started) // 1_000_000)
                        print(found[-1], flush=True)
                else:
                    block.append(line)
    finally:
        # Closing its input detaches the client, which then exits.
        os.close(ask)
        os.waitpid(client, 0)
    for _ in wanted[len(found):]:
        print("timeout")


if __name__ == "__main__":
    main()
