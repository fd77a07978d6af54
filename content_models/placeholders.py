"""Placeholder media for the starter content: agency logos, roadmap covers and roadmap PDFs.

The real logos and PDFs belong to the agencies and to ISECG and are not redistributed here, yet
editors and frontends need files to work with. These functions draw stand-ins that say what they
are. They are deterministic (same input, same bytes), so a reload finds nothing to change.
"""

import hashlib
import io
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont

OFFICIAL_SOURCE = "globalspaceexploration.org"
LOGO_SIZE = 256
COVER_SIZE = (600, 800)
TEXT_COLOUR = (255, 255, 255)


def colour_for(name: str) -> tuple[int, int, int]:
    """Return a dark colour derived from a name, stable across runs and machines."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return tuple(40 + byte % 120 for byte in digest[:3])  # dark enough for white text


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def _fitted_font(draw: ImageDraw.ImageDraw, text: str, *, max_width: int, size: int):
    """Return the largest font, from `size` down, at which `text` fits in `max_width`."""
    while size > 10:
        font = _font(size)
        left, _, right, _ = draw.textbbox((0, 0), text, font=font)
        if right - left <= max_width:
            return font
        size -= 4
    return _font(size)


def _draw_centred(draw: ImageDraw.ImageDraw, text: str, *, centre_x: int, y: int, font) -> int:
    """Draw one line centred on `centre_x` with its top at `y`; return the line's height."""
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text((centre_x - (right - left) / 2 - left, y - top), text, font=font, fill=TEXT_COLOUR)
    return bottom - top


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def logo_png_render(*, acronym: str) -> bytes:
    """Draw a placeholder logo: the acronym in white on a square of the agency's own colour."""
    image = Image.new("RGB", (LOGO_SIZE, LOGO_SIZE), colour_for(acronym))
    draw = ImageDraw.Draw(image)
    font = _fitted_font(draw, acronym, max_width=LOGO_SIZE - 40, size=96)
    left, top, right, bottom = draw.textbbox((0, 0), acronym, font=font)
    _draw_centred(
        draw, acronym, centre_x=LOGO_SIZE // 2, y=(LOGO_SIZE - (bottom - top)) // 2, font=font
    )
    return _png(image)


def cover_png_render(*, lines: Sequence[str]) -> bytes:
    """Draw a placeholder cover: the given lines, then "Placeholder", on a coloured page."""
    width, height = COVER_SIZE
    image = Image.new("RGB", COVER_SIZE, colour_for("|".join(lines)))
    draw = ImageDraw.Draw(image)
    y = 180
    for index, line in enumerate(lines):
        font = _fitted_font(draw, line, max_width=width - 80, size=44 if index == 0 else 36)
        y += _draw_centred(draw, line, centre_x=width // 2, y=y, font=font) + 36
    _draw_centred(draw, "Placeholder", centre_x=width // 2, y=height - 200, font=_font(32))
    _draw_centred(draw, OFFICIAL_SOURCE, centre_x=width // 2, y=height - 140, font=_font(24))
    return _png(image)


def _pdf_text(text: str) -> str:
    """Escape text for a PDF literal string (the standard fonts only know ASCII here)."""
    ascii_text = text.encode("ascii", "replace").decode("ascii")
    return ascii_text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_render(*, title: str, lines: Sequence[str]) -> bytes:
    """Write a one-page PDF showing `lines`, by hand: a few objects and their cross-reference.

    A PDF library would be one more dependency for a file whose whole content is five lines.
    """
    operations = ["BT", "/F1 13 Tf", "18 TL", "72 740 Td"]
    operations += [f"({_pdf_text(line)}) Tj T*" for line in lines]
    operations.append("ET")
    stream = "\n".join(operations).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Title (%s) /Producer (ISECG CMS placeholder) >>" % _pdf_text(title).encode("ascii"),
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_offset = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\n" % (len(objects) + 1)
    pdf += b"startxref\n%d\n%%%%EOF\n" % xref_offset
    return bytes(pdf)
