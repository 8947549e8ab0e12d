"""A book's metadata for the catalogues, as its reader sees it, without reading the rest of it.

The first steps of ``read_manuscript`` (book.yaml, or the front matter of a single file, read
through the resolver and checked the same way), then the typography of its language on the
metadata alone, as the build sets it. Its chapters, stylesheets and fonts are not read: for a
shelf of two thousand books they would cost minutes, and the catalogues need none of them.
"""

from __future__ import annotations

from brochure.book.assemble import typeset_book
from brochure.core.diagnostics import Location, Report, error
from brochure.core.model import Metadata
from brochure.core.settings import Settings
from brochure.manuscript.metadata import build_metadata, parse_yaml, setting_keys, settings_from_yaml
from brochure.manuscript.read import METADATA_FILE, decode_text, project_folders, split_front_matter
from brochure.manuscript.resolver import Resolver
from brochure.runtime.build import BuildOptions


def metadata_of(options: BuildOptions) -> Metadata:
    """The metadata of the book ``options`` build, with its typography applied."""
    path = options.manuscript
    folder, styles = project_folders(path, options.styles_dir)
    source = path / METADATA_FILE if path.is_dir() else path
    text = decode_text(Resolver.for_roots(folder, styles).read(source), source)
    if path.is_dir():
        doc = parse_yaml(text, source)
    else:
        yaml_text, _, _ = split_front_matter(text, path)
        if yaml_text is None:
            raise error("a single-file manuscript needs a YAML front-matter block", Location(path, 1))
        doc = parse_yaml(yaml_text, path, first_line=2)
    metadata = build_metadata(doc, Report(), setting_keys())
    settings = settings_from_yaml(doc, Settings().overridden(options.defaults))
    return typeset_book([], [], metadata, settings.overridden(options.settings).typography)
