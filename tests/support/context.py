"""An application context for code that builds links or sends mail: the test's own when it holds one
(so objects stay in the same database session), else a new one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, has_app_context


@contextmanager
def app_context(app: Flask) -> Iterator[None]:
    if has_app_context() and current_app._get_current_object() is app:
        yield
        return
    with app.app_context():
        yield
