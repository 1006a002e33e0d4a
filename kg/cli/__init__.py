"""The ``kg`` command: a thin click layer over the library."""

import click

from kg import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """Lianjian KG: build, query, analyze and map a knowledge graph of
    Party-building cooperation (党建联建) from Chinese news articles.

    \b
    Example:
      kg build data/corpus --store kg-store
      kg query --store kg-store --saved partners-of --param name=铜陵边检站
    """


from kg.cli import extract as _extract  # noqa: E402,F401
from kg.cli import analyze as _analyze  # noqa: E402,F401
from kg.cli import review as _review  # noqa: E402,F401
from kg.cli import build as _build  # noqa: E402,F401
from kg.cli import query as _query  # noqa: E402,F401
from kg.cli import viz as _viz  # noqa: E402,F401
from kg.cli import serve as _serve  # noqa: E402,F401
