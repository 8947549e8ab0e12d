"""The author's loop around the build: start a manuscript (new.py), check it (check.py, with
the checks of its own in lint.py and of the built files in outputs.py), watch a long build
(progress.py), and tell scripts what came out (summary.py)."""
