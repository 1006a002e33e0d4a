"""Pause Python's cycle collector around work that allocates millions of small acyclic objects.

Builds, projections and large query results create many containers and no
cycles; the collector, rerun every few hundred allocations over an ever larger
heap, took up to half of their time.

>>> import gc
>>> with no_cycle_collection():
...     gc.isenabled()
False
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def no_cycle_collection(*, freeze: bool = False) -> Iterator[None]:
    """Disable the collector inside the block, restoring it afterwards.

    ``freeze=True`` moves what is still alive into the permanent generation
    before the collector comes back, so its next passes skip those objects
    (for commands whose results live until the process exits).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if freeze:
                gc.freeze()
            gc.enable()
