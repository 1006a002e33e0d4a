"""``kg query`` without click: the common command lines, read by a small parser, start about 25 ms sooner.

Importing click costs more CPU time than a short query takes, so
:func:`kg.entry.run` first offers the arguments to :func:`main`. The parser
accepts only argument lists it understands completely: the options of
``kg query`` that take a value (``--opt VALUE`` or ``--opt=VALUE``; ``-f
FILE``), ``--param`` repeated, at most one SPARQL string, ``--store`` from
``$KG_STORE``. Anything else (``--help``, ``--list``, an unknown or repeated
option, ``--``, a missing, empty or option-like value, a format click would
refuse, a timeout it would not read, a ``-f`` path that is not a readable
file, shell completion) is "not mine": click then runs as always and gives
its usual message. The click command (kg/cli/query.py) stays the one
definition of the interface; tests/test_cli_fast_query.py checks that the
tables below match its declared parameters and that both paths print the
same bytes.

>>> parse(["query", "--saved", "partners-of", "--param", "name=铜陵边检站", "--format=json"], {})["params"]
('name=铜陵边检站',)
>>> parse(["query", "--list"], {}) is None
True
"""

from __future__ import annotations

import os
import re
import sys

COMMAND = "query"
# Option spelling -> the click parameter it sets.
OPTIONS = {
    "-f": "query_file",
    "--file": "query_file",
    "--saved": "saved",
    "--param": "params",
    "--format": "fmt",
    "--timeout": "timeout",
    "--store": "store_location",
}
MULTIPLE = frozenset({"params"})
FORMATS = ("table", "csv", "tsv", "json")
TIMEOUT_MIN = 0.001
STORE_ENVVAR = "KG_STORE"
DEFAULTS: dict[str, object] = {
    "sparql": None,
    "query_file": None,
    "saved": None,
    "params": (),
    "fmt": "table",
    "timeout": None,
    "store_location": "kg-store",
}
# A plain decimal number: what float() reads the same way click's FloatRange does, without signs,
# exponents, spaces, "inf" or "nan" to think about.
_TIMEOUT = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\Z")
DISABLE_ENVVAR = "KG_CLI_NO_FAST"  # set (non-empty): always go through click


def _value_ok(name: str, value: str) -> bool:
    if not value or value.startswith("-"):
        return False
    if name == "fmt":
        return value in FORMATS
    if name == "timeout":
        return _TIMEOUT.match(value) is not None and float(value) >= TIMEOUT_MIN
    if name == "query_file":  # click.Path(exists=True, dir_okay=False): readable, not a folder
        return os.path.isfile(value) and os.access(value, os.R_OK)
    return True


def _completing(environ) -> bool:
    """Whether click's shell completion is asking (``_KG_COMPLETE`` or the like is set)."""
    return any(key.startswith("_") and key.endswith("_COMPLETE") for key in environ)


def parse(args: list[str], environ) -> dict[str, object] | None:
    """The keyword arguments click would pass to the ``query`` command, or None when not sure.

    >>> parse(["query", "--store=s", "-f", "/nowhere.rq"], {}) is None
    True
    >>> options = parse(["query", "ASK {}", "--timeout", "2.5"], {"KG_STORE": "s"})
    >>> options["sparql"], options["timeout"], options["store_location"]
    ('ASK {}', 2.5, 's')
    """
    if not args or args[0] != COMMAND or _completing(environ):
        return None
    values: dict[str, object] = {}
    params: list[str] = []
    positional: list[str] = []
    rest = args[1:]
    index = 0
    while index < len(rest):
        arg = rest[index]
        index += 1
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:  # undecodable bytes in the command line: leave them to click
            return None
        if not arg.startswith("-"):
            positional.append(arg)
            continue
        spelling, sep, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        name = OPTIONS.get(spelling)
        if name is None:
            return None
        if not sep:
            if index >= len(rest):
                return None
            value = rest[index]
            index += 1
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return None
        if not _value_ok(name, value):
            return None
        if name in MULTIPLE:
            params.append(value)
        elif name in values:
            return None
        else:
            values[name] = value
    if len(positional) > 1:
        return None
    out = dict(DEFAULTS)
    out.update(values)
    out["params"] = tuple(params)
    if positional:
        out["sparql"] = positional[0]
    if "timeout" in values:
        out["timeout"] = float(values["timeout"])  # type: ignore[arg-type]
    if "store_location" not in values and environ.get(STORE_ENVVAR):
        out["store_location"] = environ[STORE_ENVVAR]
    return out


class _PacifiedFlush:
    """A stream whose flush ignores a closed pipe: what click leaves in sys.stdout after one."""

    def __init__(self, wrapped) -> None:
        self.wrapped = wrapped

    def flush(self) -> None:
        try:
            self.wrapped.flush()
        except OSError as error:
            import errno

            if error.errno != errno.EPIPE:
                raise

    def __getattr__(self, attr: str):
        return getattr(self.wrapped, attr)


def main(args: list[str]) -> bool:
    """Run ``kg ARGS`` here when they are a ``kg query`` this parser understands; False: not mine.

    A query that succeeds ends the process as soon as its answer is written (``end_process``).
    The other endings are those of click's standalone mode: Ctrl-C prints "Aborted!" (exit 1),
    a closed output pipe ends quietly (exit 1).
    """
    if os.environ.get(DISABLE_ENVVAR):
        return False
    options = parse(args, os.environ)
    if options is None:
        return False
    try:
        from kg.query_run import run_query

        run_query(**options, end_process=True)  # type: ignore[arg-type]
    except (EOFError, KeyboardInterrupt):
        from kg.query_run import echo

        echo("", err=True)
        echo("Aborted!", err=True)
        sys.exit(1)
    except OSError as error:
        import errno

        if error.errno != errno.EPIPE:
            raise
        sys.stdout = _PacifiedFlush(sys.stdout)  # type: ignore[assignment]
        sys.stderr = _PacifiedFlush(sys.stderr)  # type: ignore[assignment]
        sys.exit(1)
    return True
