"""Word documents that hold on paper, in the national official-document form (GB/T 9704): the
fonts named (仿宋 for the text, 黑体 for headings, 小标宋 for titles, each with a free CJK font as its
alternative), page numbers "— 1 —" in the footer, table header rows repeated on every page, rows
that never split across pages, column widths fixed by content, and 草稿 on every page of a draft.

Only the Word export imports this module (lazily: python-docx is heavy and only the downloads need it).
"""

from __future__ import annotations

from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

#: Official fonts, each with a free font LibreOffice finds when the official one is missing.
FANGSONG, HEITI, XIAOBIAOSONG, KAITI = "仿宋", "黑体", "方正小标宋简体", "楷体"
FALLBACK = {FANGSONG: "Noto Serif CJK SC", XIAOBIAOSONG: "Noto Serif CJK SC",
            HEITI: "Noto Sans CJK SC", KAITI: "Noto Serif CJK SC"}
#: Sizes of GB/T 9704 in points: 二号 title, 三号 text, 四号 and 小四 for tables and notes.
TITLE_PT, TEXT_PT, SMALL_PT, TABLE_PT = 22, 16, 14, 10
RED = "C00000"


def _rfonts(element, east_asia: str):
    """Set w:rFonts on an rPr: eastAsia the Chinese font, Latin text in Times New Roman."""
    fonts = element.find(qn("w:rFonts"))
    if fonts is None:
        fonts = element.makeelement(qn("w:rFonts"), {})
        element.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), "Times New Roman")
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), east_asia)


def style_run(run, font: str = FANGSONG, size: float = TEXT_PT, *, bold: bool = False,
              color: str | None = None):
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = "Times New Roman"
    _rfonts(run._element.get_or_add_rPr(), font)
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    return run


def new_document(*, author: str, title: str):
    """An A4 portrait document with GB/T 9704 margins (top 3.7 cm, left 2.8 cm), 仿宋 三号 as the
    normal text, and the fonts' free alternatives named in the font table; its properties name
    the issuing body and the document, made now (python-docx's template says "python-docx", 2013)."""
    doc = Document()
    props = doc.core_properties
    props.author = props.last_modified_by = author
    props.title = title
    props.created = props.modified = timezone.now()
    props.revision = 1
    props.comments = props.keywords = props.subject = props.category = ""
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(TEXT_PT)
    _rfonts(normal.element.get_or_add_rPr(), FANGSONG)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = Pt(28)
    _name_fallbacks(doc)
    return doc


def _name_fallbacks(doc) -> None:
    """Each official font in word/fontTable.xml with w:altName, the free font to use instead."""
    for rel in doc.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            part = rel.target_part
            break
    else:
        return
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    root = etree.fromstring(part.blob)
    for name, alt in FALLBACK.items():
        font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
        etree.SubElement(font, f"{{{w}}}altName", {f"{{{w}}}val": alt})
        etree.SubElement(font, f"{{{w}}}charset", {f"{{{w}}}val": "86"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def paragraph(doc_or_cell, text: str = "", font: str = FANGSONG, size: float = TEXT_PT, *,
              bold: bool = False, color: str | None = None, align: str = "left",
              indent: bool = False, space_before: float = 0, space_after: float = 0):
    """A paragraph of one run; indent is the two-character first-line indent of body text."""
    p = doc_or_cell.add_paragraph()
    p.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                   "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(space_before), Pt(space_after)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if text:
        style_run(p.add_run(text), font, size, bold=bold, color=color)
    return p


def red_rule(p) -> None:
    """The red separating line (分隔线) under the 版头, as the paragraph's bottom border."""
    ppr = p._p.get_or_add_pPr()
    border = ppr.makeelement(qn("w:pBdr"), {})
    bottom = border.makeelement(qn("w:bottom"), {qn("w:val"): "single", qn("w:sz"): "12",
                                                  qn("w:space"): "4", qn("w:color"): RED})
    border.append(bottom)
    ppr.append(border)


def _field(run, instruction: str) -> None:
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"),
                       ("end", None)):
        if kind:
            el = run._r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind})
        elif text == instruction:
            el = run._r.makeelement(qn("w:instrText"), {qn("xml:space"): "preserve"})
            el.text = f" {instruction} "
        else:
            el = run._r.makeelement(qn("w:t"), {})
            el.text = text
        run._r.append(el)


def page_furniture(section, *, draft: bool) -> None:
    """The footer's page number "— 1 —" (a PAGE field, 宋体 四号 per GB/T 9704), and for a draft
    a red 草稿 in the header: both on every page of the section."""
    section.footer.is_linked_to_previous = False
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    style_run(footer.add_run("— "), "宋体", SMALL_PT)
    number = style_run(footer.add_run(), "宋体", SMALL_PT)
    _field(number, "PAGE")
    style_run(footer.add_run(" —"), "宋体", SMALL_PT)
    section.header.is_linked_to_previous = False
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if draft:
        style_run(header.add_run("草稿"), HEITI, SMALL_PT, bold=True, color=RED)


def _row_flag(row, tag: str) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = tr_pr.makeelement(qn(tag), {})
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


#: Left and right padding of every table cell (Word's own default is 0.19 cm): set on the table
#: itself, so the widths measured here are the widths the reader lays out.
CELL_MARGIN_CM = 0.1
#: What a column needs beyond its text: both paddings, and a little for the reader's rounding and
#: a stand-in font (Liberation Serif for Times New Roman) a hair wider than the original.
CELL_SLACK_CM = 2 * CELL_MARGIN_CM + 0.08
#: Points to the centimetre.
PT_PER_CM = 72 / 2.54
#: Advance widths of Times New Roman in ems (digits are all half an em; bold % is a full em).
_LATIN_EMS = {**dict.fromkeys("0123456789", 0.5), **dict.fromkeys(".,:;'!", 0.28),
              " ": 0.25, "%": 1.0, "-": 0.34, "/": 0.28, "(": 0.34, ")": 0.34, "+": 0.57}


def text_cm(text: str, size: float) -> float:
    """The width of one unbroken line of text at size points, in cm: a CJK or full-width character
    one em, Latin text in Times New Roman's widths (a capital ¾ em, any other letter a little
    more than the average), and the quarter em Word and LibreOffice put between Chinese and
    Latin text (2026 年 12 月 11 日)."""
    ems = 0.0
    previous = None
    for ch in text:
        cjk = ord(ch) >= 0x2E80
        if ch in _LATIN_EMS:
            ems += _LATIN_EMS[ch]
        elif not cjk:
            ems += 0.75 if ch.isupper() else 0.55
        else:
            ems += 1.0
        if previous is not None and cjk != previous and not ch.isspace():
            ems += 0.25
        previous = cjk
    return ems * size / PT_PER_CM


def header_lines(header: str, per_line: int) -> list[str]:
    """A header as lines: a unit in brackets （万元） on a line of its own, and words longer than a
    line cut into even lines (包项目/领导, never 包项目领/导, never a character a line)."""
    cut = header.find("（")
    parts = [header[:cut], header[cut:]] if cut > 0 else [header]
    lines = []
    for part in parts:
        if part.startswith("（") or len(part) <= per_line:
            lines.append(part)
            continue
        count = -(-len(part) // max(2, per_line))
        step = -(-len(part) // count)
        lines += [part[i:i + step] for i in range(0, len(part), step)]
    return lines


def fit_widths(headers: list[str], rows: list[list], widths_cm: list[float], *,
               keep: set[int] = frozenset(), totals: list | None = None,
               size: float = TABLE_PT) -> list[float]:
    """Column widths within the table's width (the sum of widths_cm) such that every cell of a
    keep column (amounts, percents, dates, numbers, short words) is one line, and every header
    breaks only between words: a keep column narrower than what it holds gets the room it needs
    from the other columns, in proportion to their widths; their text wraps."""
    total = sum(widths_cm)
    need = []
    for i, header in enumerate(headers):
        # A header needs its bracketed unit whole and at least two characters a line.
        words = [p for p in header_lines(header, 2) if p.startswith("（")] + [header[:2]]
        texts = [*words, *(("" if r[i] is None else str(r[i])) for r in rows)] if i in keep else words
        if totals is not None and i in keep:
            texts.append("" if totals[i] is None else str(totals[i]))
        need.append(max(text_cm(t, size) for t in texts) + CELL_SLACK_CM)
    widths = [max(w, n) for w, n in zip(widths_cm, need, strict=True)]
    excess = sum(widths) - total
    if excess > 0:
        # Taken from the wrapping columns in proportion to what each has above its own need.
        spare = {i: widths[i] - need[i] for i in range(len(widths)) if i not in keep}
        room = sum(spare.values())
        if room > 0:
            for i, extra in spare.items():
                widths[i] -= excess * extra / room if room > excess else extra
    return [round(w, 2) for w in widths]


def _cell_margins(t) -> None:
    margins = t._tbl.tblPr.makeelement(qn("w:tblCellMar"), {})
    for side in ("top", "left", "bottom", "right"):
        twips = 0 if side in ("top", "bottom") else round(CELL_MARGIN_CM * 567)
        margins.append(margins.makeelement(qn(f"w:{side}"), {qn("w:w"): str(twips),
                                                             qn("w:type"): "dxa"}))
    t._tbl.tblPr.append(margins)


def table(container, headers: list[str], rows: list[list], widths_cm: list[float], *,
          numeric: set[int] = frozenset(), keep: set[int] = frozenset(),
          totals: list | None = None, size: float = TABLE_PT):
    """A bordered table with fixed column widths: the header row repeats on every page
    (w:tblHeader) and no row splits across pages (w:cantSplit). numeric columns align right;
    numeric and keep columns are as wide as their widest cell so that no amount, percent or date
    breaks across lines (fit_widths); headers break between words; totals, if given, is a last
    row in bold."""
    keep = set(keep) | set(numeric)
    widths_cm = fit_widths(headers, rows, widths_cm, keep=keep, totals=totals, size=size)
    t = container.add_table(rows=0, cols=len(headers))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    layout = t._tbl.tblPr.makeelement(qn("w:tblLayout"), {qn("w:type"): "fixed"})
    t._tbl.tblPr.append(layout)
    _cell_margins(t)
    for col, width in zip(t.columns, widths_cm, strict=True):
        col.width = Cm(width)

    def add(values, *, bold=False, header=False):
        row = t.add_row()
        _row_flag(row, "w:cantSplit")
        if header:
            _row_flag(row, "w:tblHeader")
        for i, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            cell.width = Cm(widths_cm[i])
            p = cell.paragraphs[0]
            p.paragraph_format.line_spacing = 1.0
            text = "" if value is None else str(value)
            if header:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                per_line = int((widths_cm[i] - CELL_SLACK_CM) * PT_PER_CM / size)
                text = "\n".join(header_lines(text, per_line))
            elif i in numeric:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            style_run(p.add_run(text), HEITI if header else FANGSONG, size, bold=bold)
        return row

    add(headers, header=True)
    for values in rows:
        add(values)
    if totals is not None:
        add(totals, bold=True)
    return t


def landscape_section(doc, *, draft: bool):
    """A new A4 landscape section on a new page (for a wide 附件), with its own footer/header."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    section.left_margin, section.right_margin = Cm(1.8), Cm(1.8)
    page_furniture(section, draft=draft)
    return section
