"""The cache key was made by walking the manuscript folder, following links before the
resolver's checks: m/notes.txt -> ~/.ssh/id_rsa was opened and hashed, and a link to
/proc/self/pagemap made the main process read for minutes. The key is now made of what the build
read, checked again through a resolver of the same folders."""

from __future__ import annotations

import pytest
from conftest import build_fixture
from test_cache_inputs import SINGLE, opened_during

from brochure.runtime import cache

pytestmark = pytest.mark.usefixtures("own_cache")  # conftest.py


@pytest.fixture
def crowded(tmp_path):
    """A single .md manuscript in a folder with other files."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "other.txt").write_text("")
    (folder / "essay.md").write_text(SINGLE)
    return folder / "essay.md"


def test_a_link_to_an_endless_file_costs_nothing(tmp_path):
    """/proc/self/pagemap reads for minutes (hundreds of GiB): a link to it beside the
    manuscript is neither hashed nor read."""
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "essay.md").write_text(SINGLE)
    (folder / "notes.txt").symlink_to("/proc/self/pagemap")
    out = tmp_path / "out"
    build_fixture(folder / "essay.md", out, formats=("epub",))
    opened, again = opened_during(lambda: build_fixture(folder / "essay.md", out, formats=("epub",)))
    assert again.result.reused
    assert not [path for path in opened if "pagemap" in path or path.endswith("notes.txt")]


def test_a_link_to_outside_the_project_is_never_opened_by_the_cache(crowded, tmp_path):
    """A file the build read becomes a link to a secret outside the project: the cache sees
    that the resolver refuses it, without opening it, and the build refuses it too."""
    out = tmp_path / "out"
    image = crowded.parent / "figure.png"
    image.write_bytes(b"\\x89PNG\\r\\n\\x1a\\n")
    build_fixture(crowded, out, formats=("epub",))  # the image is not used: no error
    secret = tmp_path / "secret" / "id_rsa"
    secret.parent.mkdir()
    secret.write_text("PRIVATE KEY")
    crowded.unlink()
    crowded.symlink_to(secret)
    opened, stale = opened_during(lambda: cache.lookup(
        out, cache.description({}, (crowded.parent.resolve(),)), (crowded.parent.resolve(),)))
    assert str(secret) not in opened
    assert isinstance(stale, cache.Stale)
