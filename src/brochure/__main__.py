"""``brochure`` and ``python -m brochure``: Ctrl-C is taken from the first moment.

Importing the command takes a fraction of a second (lxml, Markdown, click...); a Ctrl-C
meanwhile would show Python's traceback. Until the build takes over its own handling
(cli.py), an interruption (SIGINT, SIGTERM) says what is true then, that nothing was
written, and ends with brochure's status for it.
"""

import os
import signal

EXIT_INTERRUPTED = 130


def _interrupted_while_starting(signum, frame) -> None:
    os.write(2, b"interrupted; no output was changed\n")
    os._exit(EXIT_INTERRUPTED)


def run() -> None:
    """The command's entry point."""
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, _interrupted_while_starting)
    from brochure.cli import main

    main()


if __name__ == "__main__":
    run()
