"""The progress display itself, drawn by rich on stderr (loop/progress.py decides whether it
is shown: only then is rich imported)."""

from __future__ import annotations

import threading

from rich.console import Console, RenderableType
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from brochure.core import progress

# What each stage is called on the screen.
STAGE_NAMES = {"read": "reading the manuscript", "assemble": "converting the chapters",
               "render": "rendering the document", "epub": "writing the EPUB",
               "pdf": "laying out the PDF", "validate": "checking the EPUB",
               "booklet": "imposing the booklet", "publish": "publishing", "cache": "looking for changes"}


class _Counted(ProgressColumn):
    """A column shown only for what is counted (the stages' line has nothing to count)."""

    def __init__(self, column: ProgressColumn, before: str = ""):
        super().__init__()
        self.column, self.before = column, before

    def render(self, task: Task) -> RenderableType:
        if task.total is None:
            return Text("")
        shown = self.column.render(task)
        return Text(self.before) + shown if isinstance(shown, Text) else shown


class Display:
    """The live display of one build, fed with core/progress.py's events."""

    def __init__(self, console: Console | None = None):
        self.console = console or Console(stderr=True, highlight=False)
        self.bars = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                             _Counted(BarColumn()), _Counted(MofNCompleteColumn()),
                             TimeElapsedColumn(), _Counted(TimeRemainingColumn(), "left "),
                             console=self.console, transient=True)
        self.stages: list[str] = []
        self.build = self.bars.add_task("building", total=None)
        self.tasks: dict[str, TaskID] = {}
        self.totals: dict[TaskID, int] = {}
        self.lock = threading.Lock()

    def receive(self, event: progress.Event) -> None:
        with self.lock:
            kind = event.get("kind")
            if kind == "stage":
                self._stage(str(event["name"]), event["state"] == "start")
            elif kind == "chapters":
                self._count("chapters", "chapters converted", int(event["done"]), int(event["total"]))
            elif kind == "part":
                part = str(event["part"])
                self._count(f"part:{part}", f"PDF, {part}: pages", 0, int(event["estimate"]))
            elif kind == "page":
                part = str(event["part"])
                task = self.tasks.get(f"part:{part}")
                if task is not None:  # past the estimate: one more page than laid, at least
                    laid = int(event["laid"])
                    self.totals[task] = max(self.totals[task], laid + 1)
                    self.bars.update(task, completed=laid, total=self.totals[task])
            elif kind == "laid":  # paginated: the part is being drawn, its count is known
                task = self.tasks.get(f"part:{event['part']}")
                if task is not None:
                    pages = int(event["pages"])
                    self.bars.update(task, completed=pages, total=pages)

    def _stage(self, name: str, started: bool) -> None:
        if started:
            self.stages.append(name)
        elif name in self.stages:
            self.stages.remove(name)
        shown = ", ".join(STAGE_NAMES.get(stage, stage) for stage in self.stages) or "building"
        self.bars.update(self.build, description=shown)

    def _count(self, key: str, description: str, done: int, total: int) -> None:
        """Start a bar, or start it again (a part laid out again: the front matter's rounds)."""
        task = self.tasks.get(key)
        if task is None:
            task = self.tasks[key] = self.bars.add_task(description, total=total, completed=done)
        elif done == 0:
            self.bars.reset(task, total=total, completed=0, description=description)
        else:
            self.bars.update(task, total=total, completed=done)
        self.totals[task] = total
