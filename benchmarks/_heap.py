"""The console's process setup (tui/app.py `settle_heap`) for one benchmark, undone afterwards: `make bench` runs
every benchmark in one process, and the garbage collector's settings are process-wide."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def settled_heap() -> Iterator[None]:
    from tui.app import settle_heap

    thresholds = gc.get_threshold()
    settle_heap()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
