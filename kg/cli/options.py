"""Options and helpers shared by the commands."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from kg.store import DEFAULT_LOCATION


def store_option(function):
    return click.option(
        "--store",
        "store_location",
        envvar="KG_STORE",
        default=DEFAULT_LOCATION,
        show_default=True,
        metavar="PATH|URL",
        help="Store folder (embedded Oxigraph) or SPARQL endpoint URL; also $KG_STORE.",
    )(function)


EXIT_INTERRUPTED = 130


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a one-line error (terminal-safe) and exit.

    An interruption (``EXIT_INTERRUPTED``) ends the `kg` program at once
    (:func:`end_program`): at exit, CPython kills a ``python -m`` process with
    SIGINT when a KeyboardInterrupt once went through an ``exec`` (dataclasses
    and named tuples use it while modules load), even one that was caught, so
    the status came out as -2 instead of 130 now and then.
    """
    from kg.tables import clean

    click.echo(f"Error: {clean(message)}", err=True)
    if code == EXIT_INTERRUPTED:
        end_program(code)
    sys.exit(code)


def end_program(code: int) -> NoReturn:
    """``sys.exit(code)``; in the `kg` program (kg.entry.run), end the process at once once output is flushed.

    After a build the interpreter's teardown spent 15-20 ms freeing the
    tables and the lexicon of a process about to end. Called from Python
    (or a test), it is plain ``sys.exit``.
    """
    entry = sys.modules.get("kg.entry")
    if entry is not None and entry.PROGRAM:
        entry.exit_now(code)
    sys.exit(code)
