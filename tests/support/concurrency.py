"""One harness for the concurrency tests: n threads released at the same instant."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def run_simultaneously(n: int, fn: Callable[[int], T], *, timeout: float = 120.0) -> list[T]:
    """Call fn(0) .. fn(n - 1) in n threads that all start together (a barrier), and return their
    results in the order they finished. The first exception a thread raised is raised here; a
    thread still running after `timeout` seconds fails the test."""
    barrier = threading.Barrier(n)
    lock = threading.Lock()
    results: list[T] = []
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=timeout)
            value = fn(index)
        except BaseException as exc:  # re-raised in the test's thread below
            with lock:
                errors.append(exc)
            return
        with lock:
            results.append(value)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if errors:
        raise errors[0]
    stuck = sum(thread.is_alive() for thread in threads)
    assert not stuck, f"{stuck} of {n} threads still running after {timeout} s"
    return results


def post_simultaneously(app, n: int, path: str, form: dict, session_cookie: str) -> list[int]:
    """n clients of one signed-in session POST `form` to `path` at the same instant (double clicks,
    several tabs); their status codes, in the order they finished."""

    def click(_: int) -> int:
        client = app.test_client()
        client.set_cookie("liaison_session", session_cookie)
        return client.post(path, data=form).status_code

    return run_simultaneously(n, click)
