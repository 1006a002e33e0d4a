"""Progress bars of long steps: tqdm on stderr (count, rate, time left), or a silent stand-in.

>>> silent = bar(False, "resolve names", 10)
>>> silent.update(3); silent.close()
"""

from __future__ import annotations

import sys


def bar(enabled: bool, desc: str, total: int | None, unit: str = "article", initial: int = 0):
    """A bar of ``total`` units; ``initial`` units were done before it appeared (they do not count in its rate)."""
    if enabled:
        from tqdm import tqdm  # imported only when a bar is shown

        # SI suffixes only where counts are large: small ones would print as 0.00/400.
        return tqdm(total=total, desc=desc, unit=unit, unit_scale=(total or 0) >= 100_000, file=sys.stderr,
                    dynamic_ncols=True, smoothing=0.1, initial=initial)
    return NoBar()


class NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass
