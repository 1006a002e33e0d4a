"""`kg` imports a command's module only when that command runs (kg.cli.LazyGroup)."""

from __future__ import annotations

import importlib
import subprocess
import sys

from click.testing import CliRunner

from kg.cli import COMMAND_MODULES, main


def test_every_command_module_registers_exactly_the_listed_commands() -> None:
    for module in set(COMMAND_MODULES.values()):
        importlib.import_module(f"kg.cli.{module}")
    assert set(main.commands) == set(COMMAND_MODULES)


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    listed = {line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.strip()}
    assert listed == set(COMMAND_MODULES)


def test_an_unknown_command_is_refused() -> None:
    result = CliRunner().invoke(main, ["no-such-command"])
    assert result.exit_code == 2
    assert "No such command" in result.output


def test_kg_query_imports_only_the_query_command() -> None:
    code = (
        "import sys\n"
        "from kg.cli import main\n"
        "main(['query', '--list'], standalone_mode=False)\n"
        "print(sorted(m for m in sys.modules if m.startswith('kg.cli.')), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr.strip().splitlines()[-1] == "['kg.cli.options', 'kg.cli.query']"
    assert "partners-of" in done.stdout
