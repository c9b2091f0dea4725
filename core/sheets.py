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

#: What makes a spreadsheet cell a formula (with tab and carriage return, as OWASP lists them).
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
#: The smallest type the app prints (GB/T 9704's tables are rarely below 9 pt).
MIN_POINTS = 9


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
            size = max(sum(2 if ord(ch) > 0x2E7F else 1 for ch in line)
                       for line in str(cell.value).split("\n"))
            longest[cell.column_letter] = max(longest.get(cell.column_letter, 0), size)
    for letter in set(longest) | set(caps):
        ws.column_dimensions[letter].width = max(minimum, min(caps.get(letter, maximum),
                                                              longest.get(letter, 0) + 2))


def workbook_bytes(wb, *, author: str, title: str) -> bytes:
    """The workbook's bytes, with every formula-like text cell neutralised (see the module), and
    the file's properties naming who made it and what it is (not openpyxl's "openpyxl")."""
    wb.properties.creator = wb.properties.lastModifiedBy = author
    wb.properties.title = title
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                neutralise(cell)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
