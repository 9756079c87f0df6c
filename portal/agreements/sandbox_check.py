"""Render a staff-written agreement text in a child process with CPU and memory limits.

The Jinja sandbox stops a template from reaching files or Python internals, but not from looping
for hours or doubling a string until memory runs out (`{% set a = a ~ a %}` a few thousand times).
So before a text is saved, previewed or published it is rendered here, against example values and
against empty values, in `python -m portal.agreements.sandbox_check` with RLIMIT_CPU and RLIMIT_AS
set and a wall-clock timeout. Only a text that passes is ever rendered inside the app.

Protocol: JSON `{"body": str, "params": [dict, ...]}` on stdin; JSON `{"ok": true}` or
`{"problem": str}` on stdout.
"""

from __future__ import annotations

import json
import subprocess  # nosec B404 (runs this module with the same interpreter, no shell)
import sys
from pathlib import Path
from typing import Any

CPU_SECONDS = 5
MEMORY_BYTES = 1024 * 1024 * 1024
WALL_SECONDS = 15
ROOT = Path(__file__).resolve().parent.parent.parent

TOO_COSTLY = "The template needs too much time or memory to render. Look for loops or text that grows."


def check(body: str, params: list[dict[str, Any]]) -> None:
    """Raise TemplateProblem unless `body` renders against every parameter set within the limits."""
    from .rendering import TemplateProblem

    try:
        result = subprocess.run(  # nosec B603 (fixed argv: this interpreter, this module)
            [sys.executable, "-m", "portal.agreements.sandbox_check"],
            input=json.dumps({"body": body, "params": params}),
            capture_output=True,
            text=True,
            timeout=WALL_SECONDS,
            cwd=ROOT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise TemplateProblem(TOO_COSTLY) from exc
    try:
        answer = json.loads(result.stdout.strip().splitlines()[-1]) if result.stdout.strip() else {}
    except ValueError:
        answer = {}
    if answer.get("ok") is True:
        return
    raise TemplateProblem(answer.get("problem") or TOO_COSTLY)


def _child() -> None:
    import resource

    request = json.loads(sys.stdin.read())
    from .rendering import TemplateProblem, render_body  # imported before the limits apply

    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    try:
        for params in request["params"]:
            render_body(request["body"], params)
    except TemplateProblem as exc:
        print(json.dumps({"problem": exc.message}))
        return
    print(json.dumps({"ok": True}))


if __name__ == "__main__":
    _child()
