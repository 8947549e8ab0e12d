"""What brochure itself is made of, for keys that must change when brochure changes.

Results kept across builds (runtime/cache.py, core/memo.py) are named by a hash of brochure's
code and shipped files and of the versions of the libraries that make the bytes, so that
nothing made by another version is ever reused.
"""

from __future__ import annotations

import hashlib
import os
import sys
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
# The libraries whose version can change an output's bytes.
LIBRARIES = ("weasyprint", "pydyf", "tinycss2", "cssselect2", "pyphen", "fonttools", "markdown",
             "nh3", "lxml", "ebooklib", "pikepdf", "pillow", "babel", "python-slugify", "pyyaml")


def default_styles_dir() -> Path:
    """The stylesheet shipped with brochure (inside the wheel, or styles/ of a checkout)."""
    packaged = PACKAGE / "styles"
    if packaged.is_dir():
        return packaged
    return PACKAGE.parents[1] / "styles"


def cache_home() -> Path:
    """brochure's folder in the user's cache folder."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "brochure"


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def code_digest() -> str:
    """brochure's own code and shipped stylesheets, fonts and profiles, and the libraries' versions."""
    from importlib import metadata as package_metadata  # slow to import; a build may not need it

    digest = hashlib.sha256(sys.version.encode())
    for folder in (PACKAGE, default_styles_dir()):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(f"{path.relative_to(folder)} {file_digest(path)}\n".encode())
    for name in LIBRARIES:
        try:
            version = package_metadata.version(name)
        except package_metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name} {version}\n".encode())
    return digest.hexdigest()
