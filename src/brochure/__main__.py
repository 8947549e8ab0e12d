"""``brochure`` and ``python -m brochure``: Ctrl-C is taken from the first moment.

Importing the command takes a fraction of a second (lxml, Markdown, click...); a Ctrl-C
meanwhile would show Python's traceback. Until the build takes over its own handling
(cli.py), an interruption (SIGINT, SIGTERM) says what is true then, that nothing was
written, and ends with brochure's status for it; to ``brochure serve`` it is the stop, as it
is once the server runs ("stopped", status 0).
"""

import os
import signal
import sys

EXIT_INTERRUPTED = 130


def _interrupted_while_starting(signum, frame) -> None:
    os.write(2, b"interrupted; no output was changed\n")
    os._exit(EXIT_INTERRUPTED)


def _stopped_while_starting(signum, frame) -> None:
    os.write(2, b"stopped\n")
    os._exit(0)


def run() -> None:
    """The command's entry point."""
    serving = sys.argv[1:2] == ["serve"]  # the command comes first: the group's options only print
    handler = _stopped_while_starting if serving else _interrupted_while_starting
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, handler)
    from brochure.cli import main

    main()


if __name__ == "__main__":
    run()
