"""The package listing is the pipeline: imports point down it, and no module imports itself
back through others."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
from conftest import ROOT


def test_imports_point_down_the_pipeline():
    lint = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    done = subprocess.run([lint, "--config", str(ROOT / "pyproject.toml")], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_import_cycles():
    graph = grimp.build_graph("brochure", cache_dir=None)
    state: dict[str, int] = {}  # 1: being visited, 2: done
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if state.get(imported) == 1:
                cycles.append([*path[path.index(imported):], imported])
            elif imported not in state:
                visit(imported, [*path, imported])
        state[module] = 2

    for module in sorted(graph.modules):
        if module not in state:
            visit(module, [module])
    assert cycles == []
