"""With a bleed of 6 mm or more the crop marks reached into the bleed: WeasyPrint draws them
over the outer half of the CSS bleed area, and the paper beyond the bleed was always 6 mm. Now
the paper grows with the bleed, and the marks end 1.5 mm before the bleed's edge, whatever
its width."""

from __future__ import annotations

import pypdfium2
import pytest

from brochure.core.paper import POINTS_PER_MM
from brochure.core.settings import PrintMode, Settings
from brochure.render.page_setup import page_setup_css


def _page(bleed_mm: float):
    """A page laid out with the page setup of a shop PDF, rendered at 4 pixels a point, and
    its trim box's left and top edges in pixels."""
    import weasyprint

    css = page_setup_css(Settings(print_mode=PrintMode.SHOP, bleed=bleed_mm))
    data = weasyprint.HTML(string="<p>Text.</p>").write_pdf(
        stylesheets=[weasyprint.CSS(string=css)])
    document = pypdfium2.PdfDocument(data)
    try:
        page = document[0]
        left, _, _, top = page.get_mediabox()
        trim_left, _, _, trim_top = page.get_trimbox()
        image = page.render(scale=4).to_pil().convert("L")
    finally:
        document.close()
    return image, (trim_left - left) * 4, (top - trim_top) * 4


@pytest.mark.parametrize("bleed_mm", [3.0, 5.0, 8.0, 10.0])
def test_the_crop_marks_end_before_the_bleed(bleed_mm):
    image, trim_x, trim_y = _page(bleed_mm)
    bleed, gap = bleed_mm * POINTS_PER_MM * 4, 1.5 * POINTS_PER_MM * 4
    # The top-left horizontal mark, on the line of the trim's top edge: ink from the paper's
    # edge to 1.5 mm before the bleed, none nearer.
    row = int(trim_y)
    ink = [x for x in range(int(trim_x)) if image.getpixel((x, row)) < 128]
    assert ink and ink[0] == 0
    assert ink[-1] < trim_x - bleed - gap + 2, (ink[-1], trim_x - bleed)
