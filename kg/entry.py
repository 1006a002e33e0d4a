"""The console entry point: imports the command inside the handler, so Ctrl-C at any moment exits cleanly.

A ``kg query`` command line that :mod:`kg.fast_query` reads completely runs
without importing click (about a third of a short query's CPU time); every
other command line, and any with ``KG_CLI_NO_FAST`` set, goes through click.

While :func:`run` runs, ``PROGRAM`` is true: a command may then end the
process at once when it is done (:func:`exit_now`, kg.cli.options.end_program).
"""

import os
import sys

PROGRAM = False  # the `kg` program itself is running (not kg.cli.main called from Python or a test)


def run() -> None:
    global PROGRAM
    PROGRAM = True
    try:
        if len(sys.argv) > 1 and sys.argv[1] == "query":
            from kg.fast_query import main as fast_main

            if fast_main(sys.argv[1:]):
                return
        from kg.cli import main

        main()
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        exit_now(130)  # not sys.exit: see kg.cli.options.fail
    finally:
        PROGRAM = False


def exit_now(code: int) -> None:
    """Flush stdout and stderr and end the process, without the interpreter's teardown.

    For a command that has written its output and holds nothing unsaved: freeing
    what a large query or build left in memory took longer than some commands.
    """
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()
    os._exit(code)

