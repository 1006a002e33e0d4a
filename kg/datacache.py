"""Parsed data files (the lexicon, the boilerplate rules, cpca's place names) kept as JSON between processes.

Every process that extracts (a worker, the scan child of a rebuild, ``kg
extract``) reads the same YAML and CSV files; parsing them, and importing
PyYAML to do so, took about 40 ms a process. The parsed value is saved once
under a name that holds the digest of the bytes it came from, so an edited
file is parsed again and a stale entry is never read.

The folder is ``$KG_CACHE_HOME``, else ``$XDG_CACHE_HOME/lianjian-kg``, else
``~/.cache/lianjian-kg``. A folder that cannot be written, or an entry that
cannot be read, only means the file is parsed as before.

>>> import tempfile
>>> home = tempfile.mkdtemp()
>>> source = "types: [边检站]".encode()
>>> cached("example", [source], lambda: {"types": ["边检站"]}, home=home)
{'types': ['边检站']}
>>> cached("example", [source], lambda: "not called: read from the cache", home=home)
{'types': ['边检站']}
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any


def cache_home() -> Path:
    explicit = os.environ.get("KG_CACHE_HOME")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "lianjian-kg"


def cached(kind: str, sources: Iterable[bytes], parse: Callable[[], Any], *, home: str | Path | None = None) -> Any:
    """``parse()``, or the value it gave before for the same ``sources`` (the bytes it reads).

    Only values that JSON gives back unchanged are kept (a YAML date or an
    integer key would not be): those are parsed every time.
    """
    digest = hashlib.sha1()
    for data in sources:
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    path = Path(home or cache_home()) / f"{kind}-{digest.hexdigest()[:20]}.json"
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        pass
    value = parse()
    text = json.dumps(value, ensure_ascii=False)
    if json.loads(text) == value:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.{os.getpid()}")
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, path)  # whole or not at all, with other processes writing the same entry
        except OSError:
            pass
    return value
