"""The Japanese font every PDF of the portal uses. IPAexGothic lies under
static/fonts/ipaexg/ with its licence (scripts/ensure_font.sh puts it there) and is embedded
in each PDF (the glyphs used only), so a PDF reads the same on a machine without Japanese
fonts."""

from __future__ import annotations

from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT = "IPAexGothic"
FONT_FILE = settings.BASE_DIR / "static" / "fonts" / "ipaexg" / "ipaexg.ttf"


def japanese_font() -> str:
    """The registered name of the embedded Japanese font."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE)))
    return FONT
