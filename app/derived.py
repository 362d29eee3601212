"""Values derived from the whole dataset, worked out once per dataset version.

What a ranking or a benchmark standing needs is a pure function of the data,
and the data changes rarely; each worker keeps the latest version's values
and drops them all when the version moves on.
"""

import threading
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any, TypeVar

from sqlmodel import Session

from app.db import Stamp, current_version, stamp_of

T = TypeVar("T")

_lock = threading.Lock()
_version: tuple[Stamp, datetime] | None = None
_values: dict[Hashable, Any] = {}


def derived(session: Session, key: Hashable, build: Callable[[], T]) -> T:
    """`build()`'s value for the dataset version `session` sees, built at most once."""
    global _version
    row = current_version(session)
    # The dataset's identity: a recreated database counts its versions from 1 again; and
    # the time: a version number can repeat after a rolled-back change.
    version = (stamp_of(row), row.updated_at)
    with _lock:  # one build at a time: concurrent requests wait instead of repeating it
        if version != _version:
            _version = version
            _values.clear()
        if key not in _values:
            _values[key] = build()
        value: T = _values[key]
        return value
