"""Render a staff-written agreement text in a child process with CPU and memory limits.

The Jinja sandbox stops a template from reaching files or Python internals, but not from looping
for hours or doubling a string until memory runs out (`{% set a = a ~ a %}` a few thousand times).
So before a text is saved, previewed or published it is rendered here, against example values and
against empty values, in a child process with RLIMIT_CPU and RLIMIT_AS set and a wall-clock
timeout. Only a text that passes is ever rendered inside the app.

Starting Python and importing the renderer costs about a second, so it is done once: the first
check starts `python -m portal.agreements.sandbox_check` (a helper that imports the renderer and
nothing of the app's own state, and serves one check at a time), and for every check the helper
forks a fresh child, sets the limits in it, and reports what the child answered; a child killed by a
limit, or still running after WALL_SECONDS, is a refusal. The helper is single-threaded, so forking
it is safe; the limits apply to the child alone, which starts with no CPU time used.

Protocol, one line of JSON each way: `{"body": str, "params": [dict, ...]}` to the helper,
`{"ok": true}` or `{"problem": str}` (or `{}`: no answer within the limits) back.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import selectors
import signal
import subprocess  # nosec B404 (runs this module with the same interpreter, no shell)
import sys
import threading
import time
from pathlib import Path
from typing import Any

CPU_SECONDS = 5
MEMORY_BYTES = 1024 * 1024 * 1024
WALL_SECONDS = 15
ROOT = Path(__file__).resolve().parent.parent.parent

TOO_COSTLY = "The template needs too much time or memory to render. Look for loops or text that grows."

_lock = threading.Lock()  # one check at a time per process: the helper serves them in turn
_helper: subprocess.Popen[str] | None = None


def check(body: str, params: list[dict[str, Any]]) -> None:
    """Raise TemplateProblem unless `body` renders against every parameter set within the limits."""
    from .rendering import TemplateProblem

    request = json.dumps({"body": body, "params": params})  # one line: JSON escapes newlines
    with _lock:
        answer = _ask(request)
    if answer.get("ok") is True:
        return
    raise TemplateProblem(answer.get("problem") or TOO_COSTLY)


def _ask(request: str) -> dict[str, Any]:
    global _helper
    for attempt in range(2):  # a helper that died since the last check is started again, once
        if _helper is None or _helper.poll() is not None:
            _helper = _start_helper()
        helper = _helper
        assert helper.stdin is not None and helper.stdout is not None
        try:
            helper.stdin.write(request + "\n")
            helper.stdin.flush()
        except (BrokenPipeError, OSError):
            _stop_helper()
            if attempt:
                return {}
            continue
        line = _read_line(helper, WALL_SECONDS + 5)
        if line is None:  # the helper itself is stuck or gone: start afresh next time
            _stop_helper()
            return {}
        try:
            answer = json.loads(line)
        except ValueError:
            answer = {}
        return answer if isinstance(answer, dict) else {}
    return {}


def _start_helper() -> subprocess.Popen[str]:
    return subprocess.Popen(  # nosec B603 (fixed argv: this interpreter, this module)
        [sys.executable, "-m", "portal.agreements.sandbox_check"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def _read_line(helper: subprocess.Popen[str], timeout: float) -> str | None:
    """The helper's next answer line, or None when it sends none within `timeout` seconds."""
    assert helper.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(helper.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            return None
    line = helper.stdout.readline()  # the helper writes each answer as one whole line
    return line or None


@atexit.register
def _stop_helper() -> None:
    global _helper
    helper, _helper = _helper, None
    if helper is None:
        return
    for stream in (helper.stdin, helper.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
    try:
        helper.wait(timeout=2)  # it leaves on end of input
    except subprocess.TimeoutExpired:
        helper.kill()
        helper.wait()


# --- the helper process ----------------------------------------------------------------------


def _serve() -> None:
    """Read one request per line; render each in a forked child with the limits; answer per line."""
    from . import rendering  # noqa: F401 (imported once here, before any fork and any limit)

    for line in sys.stdin:
        if line.strip():
            sys.stdout.write(json.dumps(_run_child(line)) + "\n")
            sys.stdout.flush()


def _run_child(line: str) -> dict[str, Any]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: limits, render, answer through the pipe, leave without clean-up
        os.close(read_end)
        try:
            os.write(write_end, _child(line).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    data = b""
    deadline = time.monotonic() + WALL_SECONDS
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(read_end, selectors.EVENT_READ)
            while (remaining := deadline - time.monotonic()) > 0 and selector.select(remaining):
                chunk = os.read(read_end, 65536)
                if not chunk:
                    break  # the child is done (or was killed by a limit)
                data += chunk
            else:
                os.kill(pid, signal.SIGKILL)  # still running after WALL_SECONDS
    finally:
        os.close(read_end)
        os.waitpid(pid, 0)
    try:
        answer = json.loads(data) if data else {}
    except ValueError:
        answer = {}
    return answer if isinstance(answer, dict) else {}


def _child(line: str) -> str:
    import resource

    request = json.loads(line)
    from .rendering import TemplateProblem, render_body  # imported before the limits apply

    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    try:
        for params in request["params"]:
            render_body(request["body"], params)
    except TemplateProblem as exc:
        return json.dumps({"problem": exc.message})
    return json.dumps({"ok": True})


if __name__ == "__main__":
    _serve()
