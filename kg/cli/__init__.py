"""The ``kg`` command: a thin click layer over the library.

Each command lives in a module of this package that registers it on ``main``
when imported; ``main`` imports that module only when the command is run (or
listed by ``kg --help``), so ``kg query`` loads the query command alone.
"""

import importlib

import click

from kg import __version__

# Command name -> the module of kg.cli that defines it. tests/test_cli_lazy.py checks
# that importing every module registers exactly these names.
COMMAND_MODULES = {
    "extract": "extract",
    "eval": "extract",
    "analyze": "analyze",
    "review": "review",
    "build": "build",
    "import": "build",
    "stats": "build",
    "validate": "build",
    "export": "build",
    "query": "query",
    "viz": "viz",
    "serve": "serve",
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use (click's lazy-loading pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMAND_MODULES))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            importlib.import_module(f"kg.cli.{COMMAND_MODULES[cmd_name]}")
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """Lianjian KG: build, query, analyze and map a knowledge graph of
    Party-building cooperation (党建联建) from Chinese news articles.

    \b
    Example:
      kg build data/corpus --store kg-store
      kg query --store kg-store --saved partners-of --param name=铜陵边检站
    """
