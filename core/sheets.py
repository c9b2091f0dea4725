"""Every .xlsx the app writes goes out through workbook_bytes: cells from user text stay text, and
each sheet prints on A4 with its header rows repeated.

A cell whose text starts with =, +, - or @ is a formula to Excel and LibreOffice (openpyxl even
stores "=…" as one): a report's 存在问题 of ``=HYPERLINK(…)`` would run in the reader's office. The
app writes no formula of its own (totals are summed in Python), so every such string is made a
plain string cell with Excel's quote prefix (the apostrophe a typist would put), and what was
typed is kept exactly.
"""

from __future__ import annotations

import io
import math

#: What makes a spreadsheet cell a formula (with tab and carriage return, as OWASP lists them).
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
#: The smallest type the app prints (GB/T 9704's tables are rarely below 9 pt).
MIN_POINTS = 9
#: A new sheet's type (Calibri 11), column width (in digits of it) and row height (points).
DEFAULT_POINTS, DEFAULT_WIDTH, DEFAULT_HEIGHT = 11, 8.43, 15
#: The height of a line in ems: the CJK fonts readers put in for Calibri (Noto Sans CJK, 等线,
#: 宋体) are taller than Latin ones.
LINE_EMS = 1.45


def neutralise(cell) -> None:
    """Make a cell holding text that looks like a formula a plain string cell."""
    value = cell.value
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        cell.data_type = "s"
        cell.quotePrefix = True


def print_setup(ws, *, title_rows: str | None, landscape: bool = True, fit_width: int = 1) -> None:
    """A4 (landscape by default), the header rows repeated on every page, fitted fit_width pages
    wide and as many tall as the rows need, centred, with page numbers in the footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    # fitToWidth counts only with fitToPage on; 0 pages tall means as many as the rows need.
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = fit_width
    ws.page_setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "— &P —"
    ws.oddFooter.center.size = 10


def text_units(text: str) -> int:
    """How many columns of a sheet a line of text takes: a CJK (or full-width) character two, any
    other one, as a column's width counts them."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def widths_by_content(ws, *, first_row: int = 1, minimum: float = 5, maximum: float = 40,
                      caps: dict[str, float] | None = None) -> None:
    """Column widths from the longest line of each column (a CJK character counts two), at least
    minimum and at most the column's cap (maximum without one): names wide, 序号 narrow, and the
    whole within what one landscape page holds at 9 pt. Longer text wraps."""
    caps = caps or {}
    longest: dict[str, float] = {}
    for row in ws.iter_rows(min_row=first_row):
        for cell in row:
            if cell.value is None or not hasattr(cell, "column_letter"):
                continue
            size = max(text_units(line) for line in str(cell.value).split("\n"))
            longest[cell.column_letter] = max(longest.get(cell.column_letter, 0), size)
    for letter in set(longest) | set(caps):
        ws.column_dimensions[letter].width = max(minimum, min(caps.get(letter, maximum),
                                                              longest.get(letter, 0) + 2))


def lines_needed(text: str, width: float, size: float) -> int:
    """How many lines text wraps to in a column width characters wide (a sheet's unit, the width
    of a digit at 11 pt) at a font of size points: each of its own lines cut at the width, less a
    character for the cell's padding and the words that do not fill a line to its end."""
    per_line = max(1.0, (width - 1.5) * DEFAULT_POINTS / size)
    return sum(max(1, math.ceil(text_units(line) / per_line)) for line in text.split("\n"))


def fit_row_heights(ws) -> None:
    """Give every row whose wrapped text needs more than one line (a title, a two-line header, a
    long name) the height of its tallest cell, lines times the line height of its font: readers
    do not measure a row themselves, so without it LibreOffice shows one line, cutting the rest
    off or letting it spill over the rows around. A merged cell has its range's width; numbers
    never wrap."""
    from openpyxl.utils import get_column_letter  # heavy: only the downloads need openpyxl

    spans, hidden = {}, set()
    for merged in ws.merged_cells.ranges:
        letters = [get_column_letter(c) for c in range(merged.min_col, merged.max_col + 1)]
        spans[(merged.min_row, merged.min_col)] = letters
        hidden |= {(r, c) for r in range(merged.min_row, merged.max_row + 1)
                   for c in range(merged.min_col, merged.max_col + 1)} - {(merged.min_row,
                                                                           merged.min_col)}
    for row in ws.iter_rows():
        tallest = 0.0
        for cell in row:
            if not isinstance(cell.value, str) or (cell.row, cell.column) in hidden:
                continue
            if not (cell.alignment.wrap_text or "\n" in cell.value):
                continue
            letters = spans.get((cell.row, cell.column), [cell.column_letter])
            width = sum(ws.column_dimensions[letter].width or DEFAULT_WIDTH for letter in letters)
            size = cell.font.sz or DEFAULT_POINTS
            tallest = max(tallest, lines_needed(cell.value, width, size) * size * LINE_EMS + 2)
        number = row[0].row
        if tallest > DEFAULT_HEIGHT and tallest > (ws.row_dimensions[number].height or 0):
            ws.row_dimensions[number].height = math.ceil(tallest)


def workbook_bytes(wb, *, author: str, title: str) -> bytes:
    """The workbook's bytes, with every formula-like text cell neutralised (see the module), rows
    as tall as their wrapped text (fit_row_heights), and the file's properties naming who made
    it and what it is (not openpyxl's "openpyxl")."""
    wb.properties.creator = wb.properties.lastModifiedBy = author
    wb.properties.title = title
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                neutralise(cell)
        fit_row_heights(ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
