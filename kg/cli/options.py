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


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a one-line error (terminal-safe) and exit."""
    from kg.tables import clean

    click.echo(f"Error: {clean(message)}", err=True)
    sys.exit(code)
