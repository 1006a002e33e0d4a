"""The console entry point: imports the command inside the handler, so Ctrl-C at any moment exits cleanly."""

import sys


def run() -> None:
    try:
        from kg.cli import main

        main()
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        sys.exit(130)
