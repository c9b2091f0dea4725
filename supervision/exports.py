"""A bulletin as .xlsx (openpyxl) and .docx (python-docx), both rendered from its frozen snapshot,
so a download says exactly what the page says. The progress table follows the form higher
offices use: 序号, 项目名称, 级别, 项目业主, 包项目领导, 计划投资, 完成投资, 形象进度, 存在问题, 推进意见."""

from __future__ import annotations

import io
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

PROGRESS_HEADERS = ["序号", "项目名称", "级别", "项目业主", "包项目领导", "计划投资（万元）",
                    "完成投资（万元）", "形象进度（%）", "计划进度（%）", "滞后（百分点）", "预警",
                    "红灯天数", "存在问题", "推进意见"]
NOTICE_HEADERS = ["督办单号", "项目", "包项目领导", "督办事由", "反馈期限", "状态", "逾期天数"]
CRITICISM_HEADERS = ["项目", "被通报人", "事由", "督办单号"]
HIGHLIGHT_HEADERS = ["类别", "标题", "人物", "项目", "内容"]


def _number(value):
    """A snapshot number (a Decimal kept as a string) as a number for the spreadsheet."""
    if value is None or value == "":
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return value
    return int(d) if d == d.to_integral_value() else float(d)


def _money(value) -> str:
    """万元 with two decimals (SQLite sums come back with many)."""
    try:
        return str(Decimal(str(value)).quantize(Decimal("0.01")))
    except (InvalidOperation, TypeError):
        return str(value)


def _percent(value) -> str:
    return "—" if value in (None, "") else f"{value}%"


def progress_row(row: dict) -> list:
    return [row["rank"], row["label"], row["level_label"], row["owner"], row["leader"],
            _number(row["planned_investment"]), _number(row["investment_done"]),
            _number(row["progress"]), _number(row["planned_percent"]), _number(row["lag"]),
            row["health_label"], row["days_in_red"], row["problems"], row["next_steps"]]


def notice_row(n: dict) -> list:
    return [n["number"], n["project"], n["leader"], n["reason"], n["respond_by"],
            n["status_label"], n["days_overdue"]]


def headline_lines(snapshot: dict) -> list[tuple[str, str]]:
    """The headline figures as (label, value) pairs, in the bulletin's order."""
    h = snapshot["headline"]
    declared = h.get("declared_count")
    count = str(h["project_count"])
    if h.get("count_mismatch"):
        count += "（" + _("declared %(n)s") % {"n": declared} + "）"
    return [
        (_("Campaign day"), f"{h['day_number']} / {h['length_days']}"),
        (_("Days left"), str(h["days_left"])),
        (_("Projects"), count),
        (_("By level"), "，".join(f"{x['label']} {x['count']}" for x in h["by_level"])),
        (_("By light"), "，".join(f"{x['label']} {x['count']}" for x in h["by_health"])),
        (_("Projects started"), f"{h['started_count']}，{_percent(h['started_rate'])}"),
        (_("Investment done"),
         f"{_money(h['investment_done'])} / {_money(h['planned_investment'])} 万元，"
         f"{_percent(h['investment_rate'])}"),
        (_("Milestones met on time"),
         f"{h['milestones_on_time']} / {h['milestones_due']}，{_percent(h['on_time_rate'])}"),
        (_("Reports received this period"),
         f"{h['reports_received']}（{h['projects_reported']} / {h['projects_expected']}）"),
        (_("Notices in the period"),
         _("%(n)s, issued %(issued)s, closed %(closed)s, overdue %(overdue)s")
         % {"n": snapshot["notice_counts"]["in_period"], **snapshot["notice_counts"]}),
    ]


def bulletin_xlsx(bulletin) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    s = bulletin.snapshot
    wb = Workbook()
    bold = Font(bold=True)

    def sheet(ws, headers, rows, widths=None):
        ws.append(headers)
        for cell in ws[ws.max_row]:
            cell.font = bold
        for row in rows:
            ws.append(row)
        for i, width in enumerate(widths or [], start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = ws.cell(row=2, column=1)

    ws = wb.active
    ws.title = "概况"
    ws.append([bulletin.title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([_("Period"), f"{s['period_start']} — {s['period_end']}"])
    ws.append([_("Figures as of"), s["as_of"]])
    for label, value in headline_lines(s):
        ws.append([label, value])
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 60

    sheet(wb.create_sheet("项目进度"), PROGRESS_HEADERS, [progress_row(r) for r in s["progress"]],
          [6, 40, 12, 28, 12, 14, 14, 12, 12, 12, 8, 10, 40, 40])
    for ws in wb["项目进度"].iter_rows(min_row=2):
        for cell in ws[-2:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet(wb.create_sheet("红灯项目"), PROGRESS_HEADERS, [progress_row(r) for r in s["red"]])
    sheet(wb.create_sheet("黄灯项目"), PROGRESS_HEADERS, [progress_row(r) for r in s["yellow"]])
    sheet(wb.create_sheet("红灯天数"), ["项目", "包项目领导", "红灯天数"],
          [[r["project"], r["leader"], r["days"]] for r in s["most_days_in_red"]])
    sheet(wb.create_sheet("督办单"), NOTICE_HEADERS, [notice_row(n) for n in s["notices"]],
          [18, 36, 12, 50, 12, 10, 10])
    sheet(wb.create_sheet("逾期督办"), NOTICE_HEADERS, [notice_row(n) for n in s["overdue_notices"]])
    sheet(wb.create_sheet("通报批评"), CRITICISM_HEADERS,
          [[c["project"], c["person"], c["reason"], c["notice"] or ""] for c in s["criticisms"]])
    sheet(wb.create_sheet("宣传"), HIGHLIGHT_HEADERS,
          [[h["kind_label"], h["title"], h["person"], h["project"], h["body"]] for h in s["highlights"]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def bulletin_docx(bulletin) -> bytes:
    """The bulletin as a Word document: the town's official text, in Chinese whatever the page's
    language (its headings are written in Chinese)."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return _bulletin_docx(bulletin)


def _bulletin_docx(bulletin) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    from .bulletins import light_phrase

    s = bulletin.snapshot
    doc = Document()
    # Landscape A4: the progress table keeps every column of the form, 存在问题 and 推进意见 too.
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(1.8)
    heading = doc.add_heading("通报", level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = doc.add_paragraph(bulletin.title)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(f"{s['unit']} · {s['period_start']} — {s['period_end']}").alignment = \
        WD_ALIGN_PARAGRAPH.CENTER

    def table(headers, rows):
        t = doc.add_table(rows=1, cols=len(headers))
        t.style = "Table Grid"
        for cell, text in zip(t.rows[0].cells, headers, strict=True):
            cell.text = str(text)
            for run in cell.paragraphs[0].runs:
                run.font.bold = True
        for row in rows:
            cells = t.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = "" if value is None else str(value)
        for row in t.rows:
            for cell in row.cells:
                for p in cell.paragraphs:
                    for run in p.runs:
                        run.font.size = Pt(9)
        return t

    doc.add_heading("一、总体情况", level=1)
    for label, value in headline_lines(s):
        doc.add_paragraph(f"{label}：{value}", style="List Bullet")

    doc.add_heading("二、项目进度（按滞后排名）", level=1)
    table(PROGRESS_HEADERS, [progress_row(r) for r in s["progress"]])

    doc.add_heading("三、红黄灯项目", level=1)
    for label, rows in (("红灯", s["red"]), ("黄灯", s["yellow"])):
        names = "、".join(f"{r['label']}（{r['leader']}，{light_phrase(r)}）" for r in rows)
        doc.add_paragraph(f"{label}（{len(rows)}个）：{names or '无'}")
    if s.get("plan_changes"):  # bulletins made before plans were versioned have none
        doc.add_paragraph(f"本期计划调整（{len(s['plan_changes'])}个）：" + "、".join(
            f"{c['project']}（{c['kind_label']}，自{c['in_force_from']}起计划完工日期为"
            f"{c['planned_end']}；{c['reason']}{'；' + c['by'] if c['by'] else ''}）"
            for c in s["plan_changes"]))
    if s["most_days_in_red"]:
        doc.add_paragraph("红灯天数：" + "、".join(
            f"{r['project']} {r['days']}天" for r in s["most_days_in_red"]))

    doc.add_heading("四、督办情况", level=1)
    counts = s["notice_counts"]
    doc.add_paragraph(f"本期督办单{counts['in_period']}份，新交办{counts['issued']}份，"
                      f"办结{counts['closed']}份，逾期未反馈{counts['overdue']}份。")
    if s["notices"]:
        table(NOTICE_HEADERS, [notice_row(n) for n in s["notices"]])

    doc.add_heading("五、通报批评", level=1)
    if s["criticisms"]:
        for c in s["criticisms"]:
            doc.add_paragraph(f"{c['person']}（{c['project']}）：{c['reason']}", style="List Number")
    else:
        doc.add_paragraph("无")

    doc.add_heading("六、典型宣传", level=1)
    if s["highlights"]:
        for h in s["highlights"]:
            who = f"（{h['person']}）" if h["person"] else ""
            doc.add_paragraph(f"【{h['kind_label']}】{h['title']}{who}：{h['body']}")
    else:
        doc.add_paragraph("无")

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
