"""Python's garbage collector kept out of a bulk command's way (the registry import, the demo).

`few_collections` for the load itself, `run_from_command_line` for the process's exit. Both were
measured in docs/performance.md ("Importing the Dinas registry", "Loading the demo")."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def few_collections() -> Iterator[None]:
    """Keep Python's cyclic garbage collector out of a bulk load's way: the objects that exist when
    it starts (Django's, the apps', the file's rows) are frozen out of the collections, and the
    young generation is collected after 50,000 new objects instead of 700. A load creates tens of
    thousands of short-lived, acyclic rows and plans; each collection walked them again, a third
    to a half of an unchanged re-import's work after the start-up (docs/performance.md). Restored
    on the way out; nothing is left uncollected for good."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, thresholds[1], thresholds[2])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def run_from_command_line(run_from_argv, argv) -> None:
    """`BaseCommand.run_from_argv` of a bulk command, leaving every object frozen out of the garbage
    collector when it is done: the process ends right after, and the interpreter's closing
    collection walked every object Django, the apps and the load left, 0.4-0.6 s of each
    `katalog` process (docs/performance.md). Only on the command line, never under `call_command`."""
    try:
        run_from_argv(argv)
    finally:
        gc.freeze()
