"""Page layout for the work-order PDF on fpdf2's standard fonts: sections, label/value
lines, paragraphs and tables that wrap their cells and run over pages.

Text is placed with `text()` and measured from the fonts' width tables: fpdf2's own
`table()` and `multi_cell()` cost about a millisecond a cell, which at 50 lines and three
forms would be most of the 150 ms budget (bench/work_order_pdf.py). The standard fonts
need no font file; they write Windows-1252, which covers Dutch (ë, é, €); anything outside
it prints as `?`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fpdf import FPDF
from fpdf.fonts import CoreFont

ENCODING = "windows-1252"
FONT = "Helvetica"
GREY = (235, 235, 235)
SIZE = 9.5  # pt
LINE = 4.6  # mm from line to line at SIZE
BASELINE = 0.78  # of a line, from its top to where the letters stand
PADDING = 1.2  # mm around a table cell's text
LABEL_WIDTH = 38.0  # mm


def plain(text: str | None) -> str:
    """Text the standard fonts can write."""
    return (text or "").encode(ENCODING, errors="replace").decode(ENCODING)


class Pdf(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.title_text = title
        self.core_fonts_encoding = ENCODING
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 16, 18)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FONT, size=8)
        self.set_text_color(110)
        self.cell(0, 5, plain(f"{self.title_text} · pagina {self.page_no()}/{{nb}}"), align="C")
        self.set_text_color(0)


def section(pdf: Pdf, title: str, *, keep: float = 16.0) -> None:
    """A titled section; starts a new page unless `keep` mm fit below the title (so that
    a title never stands alone at the foot of a page)."""
    pdf.ln(3)
    if pdf.get_y() + 10 + keep > pdf.page_break_trigger:
        pdf.add_page()
    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, 7, plain(title), new_x="LMARGIN", new_y="NEXT", border="B")
    pdf.ln(1.5)
    pdf.set_font(FONT, size=SIZE)


def measure(pdf: Pdf) -> Callable[[str], float]:
    """Width of text in the current standard font, as `get_string_width` computes it,
    without its per-call text shaping (the bulk of the PDF's time at 50 lines)."""
    font = pdf.current_font
    assert isinstance(font, CoreFont), "the PDF uses the standard fonts only"
    widths = font.cw
    factor = pdf.font_size_pt / 1000 / pdf.k

    def width(text: str) -> float:
        return sum(widths[c] for c in text.encode(ENCODING).decode("latin-1")) * factor

    return width


def wrap(pdf: Pdf, text: str, limit: float) -> list[str]:
    """`text` in lines that fit `limit` in the current font (long words are cut)."""
    width = measure(pdf)
    lines: list[str] = []
    for paragraph in plain(text).splitlines() or [""]:
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if width(candidate) <= limit:
                line = candidate
                continue
            if line:
                lines.append(line)
            while width(word) > limit:
                cut = len(word) - 1
                while cut > 1 and width(word[:cut]) > limit:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


class _Table:
    """Rows of wrapped cells written with `text()` (fpdf2's own table layout costs about a
    millisecond a cell); the heading stands above the first row on every page."""

    def __init__(
        self, pdf: Pdf, widths: Sequence[float], align: Sequence[str], heading: Sequence[str]
    ) -> None:
        self.pdf, self.widths, self.align, self.heading = pdf, widths, align, heading
        self.heading_page = 0  # the page whose rows have their heading

    def _wrap(self, cells: Sequence[str], style: str) -> list[list[str]]:
        self.pdf.set_font(FONT, style, SIZE)
        return [
            wrap(self.pdf, cell, width - 2 * PADDING)
            for cell, width in zip(cells, self.widths, strict=True)
        ]

    def row(self, cells: Sequence[str]) -> None:
        heading = self._wrap(self.heading, "B")
        wrapped = self._wrap(cells, "")
        needed = self._height(wrapped)
        if self.heading_page != self.pdf.page_no():
            needed += self._height(heading)
        if self.pdf.get_y() + needed > self.pdf.page_break_trigger:
            self.pdf.add_page()
        if self.heading_page != self.pdf.page_no():
            self.pdf.set_font(FONT, "B", SIZE)
            self._write(heading, "B")
            self.heading_page = self.pdf.page_no()
        self.pdf.set_font(FONT, "", SIZE)
        self._write(wrapped, "")

    @staticmethod
    def _height(wrapped: list[list[str]]) -> float:
        return max(len(lines) for lines in wrapped) * LINE + 2 * PADDING

    def _write(self, wrapped: list[list[str]], style: str) -> None:
        pdf, width = self.pdf, sum(self.widths)
        top, x, height = pdf.get_y(), pdf.l_margin, self._height(wrapped)
        if style:
            pdf.set_fill_color(*GREY)
            pdf.rect(x, top, width, height, style="F")
        width_of = measure(pdf)
        for lines, column, side in zip(wrapped, self.widths, self.align, strict=True):
            for n, line in enumerate(lines):
                shift = column - 2 * PADDING - width_of(line) if side == "R" else 0
                pdf.text(x + PADDING + shift, top + PADDING + (n + BASELINE) * LINE, line)
            x += column
        pdf.line(pdf.l_margin, top + height, pdf.l_margin + width, top + height)
        pdf.set_y(top + height)


def table(
    pdf: Pdf,
    widths: Sequence[float],
    align: Sequence[str],
    heading: Sequence[str],
    rows: Sequence[Sequence[str]],
) -> None:
    pdf.set_draw_color(200)
    table = _Table(pdf, widths, align, heading)
    for cells in rows:
        table.row(cells)
    pdf.set_font(FONT, size=SIZE)


def paragraph(pdf: Pdf, text: str) -> None:
    for line in wrap(pdf, text, pdf.epw):
        if pdf.get_y() + LINE > pdf.page_break_trigger:
            pdf.add_page()
            pdf.set_font(FONT, size=SIZE)
        pdf.text(pdf.l_margin, pdf.get_y() + BASELINE * LINE, line)
        pdf.set_y(pdf.get_y() + LINE)


def fields(pdf: Pdf, pairs: Sequence[tuple[str, str]]) -> None:
    """Label: value lines, skipping empty values."""
    for label, value in pairs:
        if not value:
            continue
        pdf.set_font(FONT, size=SIZE)
        lines = wrap(pdf, value, pdf.epw - LABEL_WIDTH)
        if pdf.get_y() + len(lines) * LINE > pdf.page_break_trigger:
            pdf.add_page()
        top = pdf.get_y()
        pdf.set_font(FONT, "B", SIZE)
        pdf.text(pdf.l_margin, top + BASELINE * LINE, plain(label))
        pdf.set_font(FONT, size=SIZE)
        for n, line in enumerate(lines):
            pdf.text(pdf.l_margin + LABEL_WIDTH, top + (n + BASELINE) * LINE, line)
        pdf.set_y(top + len(lines) * LINE + 0.6)
