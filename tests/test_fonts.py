"""Fonts and typographic characters as the reader of the EPUB and of the PDF gets them."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont
from helpers import NS, Epub, pdf_fonts

from brochure.book.typography import RULES
from brochure.core.diagnostics import Report
from brochure.core.i18n import _STRINGS
from brochure.epub.fonts import subset_font
from brochure.render.document import BACKLINK_TEXT
from brochure.runtime.build import BuildOptions, build

ROOT = Path(__file__).resolve().parents[1]
FONTS = ROOT / "styles" / "fonts"
SHIPPED = sorted(FONTS.glob("*.ttf"))
TYPOGRAPHIC = "«»\u202f\u00a0’…–—“”„‚‘" + BACKLINK_TEXT
NNBSP, NBSP = "\u202f", "\u00a0"


def cmap(data: bytes) -> set[int]:
    return set(TTFont(io.BytesIO(data)).getBestCmap())


def epub_text(epub: Epub) -> str:
    """The text of the book's documents in reading order (the navigation document aside)."""
    return "".join("".join(doc.find("h:body", NS).itertext())
                   for name, doc in epub.documents.items() if name != "nav.xhtml")


def pdf_chars(path: Path) -> str:
    """Every character of the text in the PDF, in page order (no-break spaces included).

    The page numbers in the bottom margin (20 mm) and the running heads in the top margin
    (16 mm) are left out.
    """
    with pdfplumber.open(path) as pdf:
        return "".join(char["text"] for page in pdf.pages
                       for char in page.within_bbox((0, 45, page.width, page.height - 50)).chars)


def pairs(text: str) -> list[str]:
    """Each typographic character with the next letter or mark after it.

    Spaces between words, hyphens at line ends, digits and full stops are skipped: the PDF
    draws the numbers of the notes list (which are not text in the EPUB) after its page.
    """
    drawn = "".join(ch for ch in text if ch.isalpha() or ch in TYPOGRAPHIC + ",;:!?()")
    return [drawn[i:i + 2] for i, ch in enumerate(drawn) if ch in TYPOGRAPHIC]


def test_shipped_family_has_four_styles_central_european_latin_and_a_licence():
    assert [p.name for p in SHIPPED] == [
        "CharisSIL-Bold.ttf", "CharisSIL-BoldItalic.ttf", "CharisSIL-Italic.ttf",
        "CharisSIL-Regular.ttf", "NotoSansMono-Bold.ttf", "NotoSansMono-Regular.ttf"]
    assert "SIL OPEN FONT LICENSE Version 1.1" in (FONTS / "OFL.txt").read_text()
    assert "SIL OPEN FONT LICENSE Version 1.1" in (FONTS / "OFL-NotoSansMono.txt").read_text()
    needed = "äöüßÄÖÜàâçéèêëîïôœùûÿÀÇÉÈŒąćęłńóśźżĄĆĘŁŃŚŹŻčďěňřšťůžČĎĚŇŘŠŤŮŽőűŐŰ"
    for path in SHIPPED:
        font = TTFont(path)
        assert font["OS/2"].fsType == 0, "installable embedding"
        missing = [ch for ch in needed if ord(ch) not in font.getBestCmap()]
        assert not missing, (path.name, missing)


def test_everything_brochure_adds_is_in_the_font():
    added = {BACKLINK_TEXT, "\u202f", "\u00a0", "…", "–", "—", "’"}
    added |= {mark for rules in RULES.values() for pair in rules.quotes for mark in pair}
    added |= {ch for words in _STRINGS.values() for text in words.values() for ch in text}
    for path in SHIPPED:
        codes = cmap(path.read_bytes())
        assert not [ch for ch in added if ord(ch) not in codes], path.name


def test_seed_epub_and_pdf_carry_the_same_typographic_characters(seed):
    # WeasyPrint draws no glyph for a space alone between two inline boxes (as between the
    # </em> ending a note and its back link): the gap is on the page, not in its text.
    epub = epub_text(Epub.open(seed.epub)).replace(f"\u00a0{BACKLINK_TEXT}", BACKLINK_TEXT)
    pdf = pdf_chars(seed.pdf).replace(f"\u00a0{BACKLINK_TEXT}", BACKLINK_TEXT)
    # The PDF's endnotes also name the page of their call ("↑ p. 5"), which the EPUB has not.
    pdf = re.sub("\u00a0p\\.\u00a0\\d+", "", pdf)
    in_epub = [ch for ch in epub if ch in TYPOGRAPHIC]
    in_pdf = [ch for ch in pdf if ch in TYPOGRAPHIC]
    assert in_epub == in_pdf
    # ...in the same places: each one with the character after it
    assert pairs(epub) == pairs(pdf)
    for text in (epub, pdf):
        assert f"«{NNBSP}bouffée d’oxygène{NNBSP}»" in text
        assert f"Profession{NBSP}: contributeur bénévole" in text
        assert f"Du partage de la valeur{NNBSP}?" in text
        assert f"L’activité des clients{NBSP}: un travail{NNBSP}?" in text
        assert '"' not in text and "'" not in text
        assert " :" not in text and " ?" not in text


def test_backlink_arrow_is_bound_to_the_note_text(seed):
    notes = Epub.open(seed.epub).documents["notes.xhtml"]
    for link in notes.iterfind(".//h:a[@role='doc-backlink']", NS):
        before = link.getprevious().tail if link.getprevious() is not None else link.getparent().text
        assert before.endswith("\u00a0") and not before.endswith(" \u00a0"), before


def test_no_soft_hyphens_in_the_epub_but_hyphenation_in_the_pdf(seed):
    epub = Epub.open(seed.epub)
    assert "\u00ad" not in epub_text(epub)
    css = epub.files["EPUB/styles/brochure.css"].decode()
    assert "hyphens: auto" in css
    assert all(doc.get("lang") == "fr" for doc in epub.documents.values())
    assert "\u2010" in pdf_chars(seed.pdf)  # WeasyPrint broke words at line ends


def test_pdf_embeds_only_the_shipped_family(seed):
    fonts = pdf_fonts(seed.pdf)
    assert fonts
    for name, embedded in fonts:
        assert embedded, name
        assert name.split("+")[-1].startswith("Charis-SIL"), name  # no DejaVu fallback
    assert {"Charis-SIL", "Charis-SIL-Italic", "Charis-SIL-Bold"} <= {
        name.split("+")[-1] for name, _ in fonts}
    assert not [w for w in seed.report.warnings if "PDF:" in w.message]


def test_epub_carries_subset_fonts_covering_its_text(seed):
    epub = Epub.open(seed.epub)
    items = {i.get("href"): i.get("media-type") for i in epub.opf.iterfind(".//opf:item", NS)}
    text = "".join("".join(doc.itertext()) for doc in epub.documents.values())
    for path in SHIPPED:
        href = f"styles/fonts/{path.name}"
        assert items[href] == "font/ttf"
        data = epub.files[f"EPUB/{href}"]
        assert len(data) < path.stat().st_size / 10
        codes = cmap(data)
        assert len(codes) < len(cmap(path.read_bytes())) / 5
        assert not [ch for ch in set(text) if ch not in "\n\t" and ord(ch) not in codes]
        css = epub.files["EPUB/styles/brochure.css"].decode()
        assert f'url("fonts/{path.name}")' in css


def test_subsetting_is_reproducible_across_processes():
    data = SHIPPED[0].read_bytes()
    here = subset_font(data, "abc«»")
    script = ("import sys; from brochure.epub.subset import subset; "
              f"sys.stdout.buffer.write(subset(open({str(SHIPPED[0])!r}, 'rb').read(), 'abc«»'))")
    there = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True).stdout
    assert here == there


def _features(font: TTFont, table: str) -> set[str]:
    return {record.FeatureTag for record in font[table].table.FeatureList.FeatureRecord}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.stem)
def test_subsets_keep_the_glyphs_and_layout_features_of_the_text(path):
    text = "Le XXIe siècle : « fi ffl » — Œuvre 1234"
    original = TTFont(path)
    cut = TTFont(io.BytesIO(subset_font(path.read_bytes(), text)))
    # Small capitals, ligatures, stylistic sets and mark positioning survive the cut (the
    # monospace of code has no ligatures nor small capitals to keep).
    kept = {"smcp", "c2sc", "liga"} if path.stem.startswith("CharisSIL") else set()
    assert kept <= _features(cut, "GSUB") <= _features(original, "GSUB")
    assert ({"mark"} if kept else set()) <= _features(cut, "GPOS")
    assert cut["head"].modified == original["head"].modified  # never the clock
    original_glyphs, cut_glyphs = original.getGlyphSet(), cut.getGlyphSet()
    for ch in set(text):
        name, cut_name = original.getBestCmap()[ord(ch)], cut.getBestCmap()[ord(ch)]
        assert cut_glyphs[cut_name].width == original_glyphs[name].width
        # Outlines with their components drawn in (the subset renames glyphs).
        drawn = [DecomposingRecordingPen(original_glyphs), DecomposingRecordingPen(cut_glyphs)]
        original_glyphs[name].draw(drawn[0])
        cut_glyphs[cut_name].draw(drawn[1])
        assert drawn[0].value == drawn[1].value, ch
    assert "glyf" in cut and not any(cut["glyf"][g].program.getBytecode()
                                     for g in cut.getGlyphOrder() if hasattr(cut["glyf"][g], "program"))


def test_characters_the_font_cannot_draw_are_reported_with_their_line(tmp_path):
    (tmp_path / "book.yaml").write_text("title: T\nlang: en\n")
    (tmp_path / "one.md").write_text("Fine.\n\nA snowman \u2603 and runes \u16a0.\n\n`\u2603 in code`\n")
    report = Report()
    build(BuildOptions(manuscript=tmp_path, out_dir=tmp_path / "out", settings={"formats": ("epub",)}),
          report)
    found = [str(w) for w in report.warnings if "cannot draw" in w.message]
    assert len(found) == 2
    assert f"{tmp_path / 'one.md'}:3: warning: Charis SIL cannot draw" in found[0]
    assert "'\u2603' (U+2603)" in found[0] and "'\u16a0' (U+16A0)" in found[0]
    # Code is drawn by the shipped monospace, which has no snowman either.
    assert f"{tmp_path / 'one.md'}:5: warning: Noto Sans Mono (code) cannot draw '\u2603'" in found[1]


def test_seed_has_no_coverage_warning(seed):
    assert not [w for w in seed.report.warnings if "cannot draw" in w.message]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_css_declares_each_shipped_style(path):
    css = (ROOT / "styles" / "brochure.css").read_text()
    assert f'url("fonts/{path.name}")' in css


def test_no_heading_ends_a_pdf_page(seed):
    """Headings are kept with what follows them: none is the last line of a page."""
    epub = Epub.open(seed.epub)
    headings = [" ".join("".join(h.itertext()).split())
                for _, h in epub.find("//h:section[@epub:type='chapter']//h:h2 | "
                                      "//h:section[@epub:type='chapter']//h:h3")]
    assert len(headings) >= 4
    with pdfplumber.open(seed.pdf) as pdf:
        pages = [[" ".join(line.split()) for line in (page.extract_text() or "").splitlines()]
                 for page in pdf.pages]
    for heading in headings:
        found = [(n, lines.index(heading)) for n, lines in enumerate(pages) if heading in lines]
        assert found, heading
        for n, index in found:
            assert index < len(pages[n]) - 2, (heading, n)  # the page number is the last line


def test_epub_asks_apple_books_to_use_its_fonts(seed):
    opf = Epub.open(seed.epub).opf
    assert "ibooks: http://vocabulary.itunes.apple.com/" in opf.get("prefix")
    [meta] = opf.iterfind(".//opf:meta[@property='ibooks:specified-fonts']", NS)
    assert meta.text == "true"


def test_pdf_takes_the_fonts_from_the_styles_folder_not_the_system(tmp_path):
    """Under a family name no system has, the text is still set: in the book's font files.

    (WeasyPrint names a font embedded from an @font-face rule after the rule's family.)
    """
    styles = tmp_path / "styles"
    shutil.copytree(ROOT / "styles", styles)
    css = styles / "brochure.css"
    css.write_text(css.read_text().replace('"Charis SIL"', '"Brochure Test Face"'))
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "book.yaml").write_text("title: T\nlang: fr\n")
    (tmp_path / "book" / "one.md").write_text('Un "mot", *un autre* et **un dernier**.\n')
    result = build(BuildOptions(manuscript=tmp_path / "book", out_dir=tmp_path / "out",
                                styles_dir=styles, settings={"formats": ("pdf",)}), Report())
    names = {name.split("+")[-1] for name, _ in pdf_fonts(result.outputs["pdf"])}
    assert names == {"Brochure-Test-Face", "Brochure-Test-Face-Italic", "Brochure-Test-Face-Bold"}
