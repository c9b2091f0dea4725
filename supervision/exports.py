"""A bulletin as .docx (python-docx) and .xlsx (openpyxl), both rendered from its frozen snapshot,
so a download says exactly what the page says, always in Chinese (the document's language, not the
reader's interface).

The .docx is in the national official-document form (GB/T 9704, supervision/paper.py): the red
版头 ({short name}通报), 第N期 (or 草稿), the issuing body and date over the red line, the 标题, 主送,
the 正文, the 附件说明, the 发文机关署名 and 成文日期 (2026年12月2日), 联系人 and 电话, then the
progress table as 附件1 on A4 landscape (header row repeated, rows never split, a 合计 row) and the
notices as 附件2. The .xlsx has one sheet per table, each with A4 page setup, print titles, widths
by content and wrapped text (core/sheets.py).
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal, InvalidOperation

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core import sheets
from core.dates import local_date
from projects.exports import lag_text, level_name, light_name
from projects.models import Highlight

from .bulletins import light_phrase
from .models import Notice

PROGRESS_HEADERS = ["序号", "项目名称", "级别", "项目业主", "包项目领导", "计划投资（万元）",
                    "完成投资（万元）", "形象进度", "计划进度", "滞后（百分点）", "预警",
                    "红灯天数", "存在问题", "推进意见"]
#: Widths of the progress table: in cm for the .docx (26.1 cm of landscape A4 between margins;
#: the print view takes their proportions), in characters for the .xlsx. At 10 pt with 0.1 cm
#: padding a side, each column that must stay on one line holds its widest ordinary cell:
#: 福州市级 (1.7), 999,999.99 and （万元） (1.9), 100.0% (1.5), the header's （百分点） (2.1), 已完成
#: (1.4); the names, owners, problems and advice wrap in the rest. A larger figure widens its
#: column at the expense of those (paper.fit_widths).
PROGRESS_CM = [1.0, 3.6, 1.7, 2.3, 1.4, 1.9, 1.9, 1.5, 1.5, 2.1, 1.4, 1.0, 2.4, 2.4]
PROGRESS_CHARS = [5, 22, 9, 14, 9, 12, 12, 8, 8, 8, 6, 6, 20, 20]
PROGRESS_NUMERIC = {0, 5, 6, 7, 8, 9, 11}
#: Short words that stay on one line too: 级别, 包项目领导, 预警.
PROGRESS_KEEP = {2, 4, 10}
NOTICE_HEADERS = ["督办单号", "项目", "包项目领导", "督办事由", "反馈期限", "状态", "逾期天数"]
#: 湖督〔2026〕12号 (3.5 cm), 2026年12月31日 (3.2 with the spaces Word puts between Chinese and
#: figures), 已反馈 and 逾期天数 on one line; the rest wraps.
NOTICE_CM = [3.6, 5.0, 2.2, 8.0, 3.3, 2.0, 2.0]
NOTICE_CHARS = [18, 28, 10, 44, 16, 10, 8]
NOTICE_NUMERIC = {6}
NOTICE_KEEP = {0, 4, 5}
CRITICISM_HEADERS = ["项目", "被通报人", "事由", "督办单号"]
HIGHLIGHT_HEADERS = ["类别", "标题", "人物", "项目", "内容"]


# --- Numbers and words --------------------------------------------------------------------------


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _number(value):
    """A snapshot number (a Decimal kept as a string) as a number for the spreadsheet."""
    d = _decimal(value)
    if d is None:
        return value if value not in ("", None) else None
    return int(d) if d == d.to_integral_value() else float(d)


def _fraction(value):
    d = _decimal(value)
    return None if d is None else float(d / 100)


def money(value) -> str:
    """万元 as documents write it: 1,234.50."""
    d = _decimal(value)
    return "" if d is None else f"{d:,.2f}"


def percent(value) -> str:
    d = _decimal(value)
    return "—" if d is None else f"{d.quantize(Decimal('0.1'))}%"


def chinese_date(value) -> str:
    """2026年12月2日, from a date or its ISO text ("" for none)."""
    if value in (None, ""):
        return ""
    day = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value)[:10])
    return f"{day.year}年{day.month}月{day.day}日"


def is_draft(bulletin) -> bool:
    return bulletin.status == bulletin.Status.DRAFT


def issuer_short(bulletin) -> str:
    return bulletin.snapshot.get("issuer_short") or bulletin.campaign.issuer_short


def issue_label(bulletin) -> str:
    """第3期, or 草稿 before publication (the number is given when it is published)."""
    return "草稿" if bulletin.issue_number is None else f"第{bulletin.issue_number}期"


def document_name(bulletin) -> str:
    """湖南镇百日攻坚通报第3期; a draft: 湖南镇百日攻坚通报（草稿）2026年11月28日至12月4日."""
    s = bulletin.snapshot
    if bulletin.issue_number is not None:
        return f"{issuer_short(bulletin)}通报第{bulletin.issue_number}期"
    start = chinese_date(s.get("period_start") or bulletin.period_start)
    end = chinese_date(s.get("period_end") or bulletin.period_end)
    return f"{issuer_short(bulletin)}通报（草稿）{start}至{end}"


def written_on(bulletin) -> datetime.date:
    """成文日期: the day it was published, or for a draft the day its figures were taken."""
    return local_date(bulletin.published_at or bulletin.generated_at)


def progress_row(row: dict) -> list:
    """A progress row in words, as the .docx and the print view show it."""
    return [row["rank"], row["label"], level_name(row), row["owner"], row["leader"],
            money(row["planned_investment"]), money(row["investment_done"]),
            percent(row["progress"]), percent(row["planned_percent"]), lag_text(row["lag"]),
            light_name(row["health"]), row["days_in_red"], row["problems"], row["next_steps"]]


def light_words(rows: list[dict]) -> list[str]:
    """A red or yellow list in words: HN-03 安置房一期（张三，滞后2.4个百分点；预警：…）."""
    return [f"{r['label']}（{r['leader']}，{lag_text(r['lag'])}个百分点"
            + (f"；{light_phrase(r)}" if r.get("warnings") else "") + "）" for r in rows]


def progress_totals(rows: list[dict]) -> tuple[Decimal, Decimal]:
    planned = sum((_decimal(r["planned_investment"]) or Decimal(0) for r in rows), Decimal(0))
    done = sum((_decimal(r["investment_done"]) or Decimal(0) for r in rows), Decimal(0))
    return planned, done


def notice_row(n: dict) -> list:
    return [n["number"], n["project"], n["leader"], n["reason"], chinese_date(n["respond_by"]),
            str(Notice.Status(n["status"]).label), n["days_overdue"]]


def notice_sentence(s: dict) -> str:
    """The bulletin's paragraph on notices (the .docx and the printed page say the same)."""
    counts = s["notice_counts"]
    late = counts.get("answered_late", 0)  # not counted before snapshots kept it
    return (f"本期督办单{counts['in_period']}份，新交办{counts['issued']}份，办结{counts['closed']}份，"
            f"逾期未反馈{counts['overdue']}份" + (f"，逾期后反馈{late}份" if late else "")
            + ("，详见附件2。" if s["notices"] else "。"))


def notice_counts_words(counts: dict) -> str:
    words = (_("%(n)s, issued %(issued)s, closed %(closed)s, overdue %(overdue)s")
             % {"n": counts["in_period"], **counts})
    if counts.get("answered_late"):
        words += "，" + _("answered late %(n)s") % {"n": counts["answered_late"]}
    return words


def headline_lines(snapshot: dict) -> list[tuple[str, str]]:
    """The headline figures as (label, value) pairs, in the bulletin's order."""
    h = snapshot["headline"]
    declared = h.get("declared_count")
    count = str(h["project_count"])
    if h.get("count_mismatch"):
        count += "（" + _("declared %(n)s") % {"n": declared} + "）"
    lights = "，".join(f"{light_name(x['health'])} {x['count']}" for x in h["by_health"])
    return [
        (_("Campaign day"), f"{h['day_number']} / {h['length_days']}"),
        (_("Days left"), str(h["days_left"])),
        (pgettext("bulletin headline", "Projects"), count),
        (_("By level"), "，".join(f"{x['label']} {x['count']}" for x in h["by_level"])),
        (_("By light"), lights),
        (_("Projects started"), f"{h['started_count']}，{percent(h['started_rate'])}"),
        (_("Investment done"),
         f"{money(h['investment_done'])} / {money(h['planned_investment'])} 万元，"
         f"{percent(h['investment_rate'])}"),
        (_("Milestones met on time"),
         f"{h['milestones_on_time']} / {h['milestones_due']}，{percent(h['on_time_rate'])}"),
        (_("Reports received this period"),
         _("%(n)s, from %(p)s of the %(e)s projects due to report") % {
             "n": h["reports_received"], "p": h["projects_reported"], "e": h["projects_expected"]}),
        (_("Notices in the period"), notice_counts_words(snapshot["notice_counts"])),
    ]


def chinese_headline_lines(snapshot: dict) -> list[tuple[str, str]]:
    with translation.override("zh-hans"):
        return [(str(a), str(b)) for a, b in headline_lines(snapshot)]


# --- .xlsx --------------------------------------------------------------------------------------


def bulletin_xlsx(bulletin) -> bytes:
    with translation.override("zh-hans"):
        return _bulletin_xlsx(bulletin)


def _bulletin_xlsx(bulletin) -> bytes:
    from openpyxl import Workbook  # heavy, only the downloads need it
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    s = bulletin.snapshot
    draft = is_draft(bulletin)
    name = document_name(bulletin)
    wb = Workbook()
    thin = Side(style="thin", color="666666")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    body, bold = Font(size=11), Font(size=11, bold=True)
    fills = {"red": PatternFill("solid", fgColor="F8D7DA"),
             "yellow": PatternFill("solid", fgColor="FFF3CD")}

    def sheet(ws, caption, headers, rows, widths, *, formats=None, lights=None, totals=None):
        """Row 1 the document and the table, row 2 the headers (both repeated on every page),
        then the rows: bordered, wrapped, ≥ 11 pt; 草稿 in the page header of a draft."""
        ws.append([f"{name}　{caption}" + ("（草稿）" if draft else "")])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        ws["A1"].font = Font(size=14, bold=True)
        ws["A1"].alignment = Alignment(horizontal="center", wrap_text=True)
        ws.append(headers)
        for cell in ws[2]:
            cell.font, cell.border = bold, border
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for i, values in enumerate(rows):
            ws.append(values)
            fill = fills.get(lights[i]) if lights else None
            for col, cell in enumerate(ws[ws.max_row]):
                cell.font, cell.border, cell.alignment = body, border, wrap
                if formats and col in formats:
                    cell.number_format = formats[col]
                if fill is not None and col in (1, 10):
                    cell.fill = fill
        if totals is not None:
            ws.append(totals)
            for col, cell in enumerate(ws[ws.max_row]):
                cell.font, cell.border, cell.alignment = bold, border, wrap
                if formats and col in formats:
                    cell.number_format = formats[col]
        sheets.widths_by_content(ws, first_row=2, caps={
            ws.cell(row=2, column=i).column_letter: w for i, w in enumerate(widths, start=1)})
        ws.freeze_panes = "A3"
        sheets.print_setup(ws, title_rows="1:2", landscape=len(headers) > 5)
        if draft:
            ws.oddHeader.right.text = "草稿"
            ws.oddHeader.right.size = 14
            ws.oddHeader.right.color = "C00000"

    ws = wb.active
    ws.title = "概况"
    summary = [["期号", issue_label(bulletin)], ["标题", bulletin.title],
               ["发文机关", s.get("issuer") or bulletin.campaign.issuer],
               ["统计期间", f"{chinese_date(s['period_start'])}至{chinese_date(s['period_end'])}"],
               ["数据截至", chinese_date(s["as_of"])], *map(list, headline_lines(s))]
    sheet(ws, "总体情况", ["项目", "情况"], summary, [24, 70])

    money_fmt, pct, pts = "#,##0.00", "0.0%", "0.0"
    formats = {5: money_fmt, 6: money_fmt, 7: pct, 8: pct, 9: pts}

    def xlsx_row(r):
        return [r["rank"], r["label"], level_name(r), r["owner"], r["leader"],
                _number(r["planned_investment"]), _number(r["investment_done"]),
                _fraction(r["progress"]), _fraction(r["planned_percent"]), _number(r["lag"]),
                light_name(r["health"]), r["days_in_red"], r["problems"], r["next_steps"]]

    def totals(rows):
        planned, done = progress_totals(rows)
        return ["合计", f"{len(rows)}个项目", None, None, None, float(planned), float(done),
                None, None, None, None, None, None, None]

    for title, caption, rows in (("项目进度", "重点项目推进情况表（按滞后排名）", s["progress"]),
                                 ("红灯项目", "红灯项目", s["red"]),
                                 ("黄灯项目", "黄灯项目", s["yellow"])):
        sheet(wb.create_sheet(title), caption, PROGRESS_HEADERS, [xlsx_row(r) for r in rows],
              PROGRESS_CHARS, formats=formats, lights=[r["health"] for r in rows],
              totals=totals(rows))
    sheet(wb.create_sheet("红灯天数"), "红灯天数", ["项目", "包项目领导", "红灯天数"],
          [[r["project"], r["leader"], r["days"]] for r in s["most_days_in_red"]], [40, 14, 10])
    sheet(wb.create_sheet("督办单"), "督办单办理情况", NOTICE_HEADERS,
          [notice_row(n) for n in s["notices"]], NOTICE_CHARS)
    sheet(wb.create_sheet("逾期督办"), "逾期督办单（含逾期后反馈）", NOTICE_HEADERS,
          [notice_row(n) for n in s["overdue_notices"]], NOTICE_CHARS)
    sheet(wb.create_sheet("通报批评"), "通报批评", CRITICISM_HEADERS,
          [[c["project"], c["person"], c["reason"], c["notice"] or ""] for c in s["criticisms"]],
          [30, 12, 50, 18])
    sheet(wb.create_sheet("宣传"), "典型宣传", HIGHLIGHT_HEADERS,
          [[_kind(h), h["title"], h["person"], h["project"], h["body"]] for h in s["highlights"]],
          [10, 24, 10, 24, 60])
    return sheets.workbook_bytes(wb, author=s.get("issuer") or bulletin.campaign.issuer, title=name)


def _kind(highlight: dict) -> str:
    try:
        return str(Highlight.Kind(highlight["kind"]).label)
    except ValueError:
        return highlight.get("kind_label", "")


# --- .docx --------------------------------------------------------------------------------------


def bulletin_docx(bulletin) -> bytes:
    """The bulletin as a Word document in official form, in Chinese whatever the page's language."""
    with translation.override("zh-hans"):
        return _bulletin_docx(bulletin)


def _bulletin_docx(bulletin) -> bytes:
    from . import paper  # python-docx, heavy: only this download needs it

    s = bulletin.snapshot
    draft = is_draft(bulletin)
    issuer = s.get("issuer") or bulletin.campaign.issuer
    doc = paper.new_document(author=issuer, title=document_name(bulletin))
    paper.page_furniture(doc.sections[0], draft=draft)
    P = paper.paragraph

    # 版头: the red 发文机关标志, the 期号, the issuing body and date over the red line.
    P(doc, f"{issuer_short(bulletin)}通报", paper.XIAOBIAOSONG, 36, color=paper.RED,
      align="center", space_before=12)
    P(doc, issue_label(bulletin), paper.FANGSONG, paper.TEXT_PT, align="center", space_before=6,
      color=paper.RED if draft else None, bold=draft)
    line = P(doc, "", align="justify", space_before=6)
    paper.style_run(line.add_run(issuer), paper.FANGSONG, paper.TEXT_PT)
    paper.style_run(line.add_run("\t" + chinese_date(written_on(bulletin))), paper.FANGSONG,
                    paper.TEXT_PT)
    _right_tab(line, doc)
    paper.red_rule(line)

    # 标题, 主送, 正文.
    P(doc, bulletin.title, paper.XIAOBIAOSONG, paper.TITLE_PT, align="center", space_before=24,
      space_after=18)
    if s.get("recipients"):
        P(doc, f"{s['recipients']}：")
    period = f"{chinese_date(s['period_start'])}至{chinese_date(s['period_end'])}"
    h = s["headline"]
    P(doc, f"现将{period}{s['campaign']}重点项目推进情况通报如下（数据截至{chinese_date(s['as_of'])}，"
           f"第{h['day_number']}天）。", indent=True)

    P(doc, "一、总体情况", paper.HEITI, indent=True)
    for label, value in headline_lines(s):
        P(doc, f"{label}：{value}。", indent=True)

    P(doc, "二、红黄灯项目", paper.HEITI, indent=True)
    for label, rows in (("红灯", s["red"]), ("黄灯", s["yellow"])):
        names = "；".join(light_words(rows))
        P(doc, f"{label}项目{len(rows)}个：{names or '无'}。", indent=True)
    if s.get("plan_changes"):  # bulletins made before plans were versioned have none
        P(doc, f"本期计划调整{len(s['plan_changes'])}个：" + "；".join(
            f"{c['project']}（{c['kind_label']}，自{c['in_force_from']}起计划完工日期为"
            f"{c['planned_end']}；{c['reason']}{'；' + c['by'] if c['by'] else ''}）"
            for c in s["plan_changes"]) + "。", indent=True)
    if s["most_days_in_red"]:
        P(doc, "累计红灯天数较多的项目：" + "；".join(
            f"{r['project']}{r['days']}天" for r in s["most_days_in_red"]) + "。", indent=True)

    P(doc, "三、督办情况", paper.HEITI, indent=True)
    P(doc, notice_sentence(s), indent=True)

    P(doc, "四、通报批评", paper.HEITI, indent=True)
    for i, c in enumerate(s["criticisms"], start=1):
        P(doc, f"{i}. {c['person']}（{c['project']}）：{c['reason']}。", indent=True)
    if not s["criticisms"]:
        P(doc, "无。", indent=True)

    P(doc, "五、典型宣传", paper.HEITI, indent=True)
    for item in s["highlights"]:
        who = f"（{item['person']}）" if item["person"] else ""
        P(doc, f"【{_kind(item)}】{item['title']}{who}：{item['body']}", indent=True)
    if not s["highlights"]:
        P(doc, "无。", indent=True)

    # 附件说明, 署名, 成文日期, 附注 (联系人).
    P(doc, "附件：1. 重点项目推进情况表", indent=True, space_before=16)
    if s["notices"]:
        P(doc, "　　　2. 督办单办理情况表", indent=True)
    P(doc, issuer, align="right", space_before=40)
    P(doc, chinese_date(written_on(bulletin)), align="right")
    if s.get("contact_person") or s.get("contact_phone"):
        P(doc, f"（联系人：{s.get('contact_person', '')}，电话：{s.get('contact_phone', '')}）",
          indent=True, space_before=12)

    # 附件1: the progress table on landscape pages.
    paper.landscape_section(doc, draft=draft)
    P(doc, "附件1", paper.HEITI, paper.TEXT_PT)
    P(doc, f"重点项目推进情况表（{period}，按滞后排名）", paper.XIAOBIAOSONG, 18, align="center",
      space_after=8)
    planned, done = progress_totals(s["progress"])
    rate = percent(done * 100 / planned) if planned else "—"
    paper.table(doc, PROGRESS_HEADERS, [progress_row(r) for r in s["progress"]], PROGRESS_CM,
                numeric=PROGRESS_NUMERIC, keep=PROGRESS_KEEP,
                totals=["合计", f"{len(s['progress'])}个项目", "", "", "", money(planned),
                        money(done), "", "", "", "", "", f"投资完成率{rate}", ""])
    if s["notices"]:
        P(doc, "附件2", paper.HEITI, paper.TEXT_PT, space_before=18)
        P(doc, "督办单办理情况表", paper.XIAOBIAOSONG, 18, align="center", space_after=8)
        paper.table(doc, NOTICE_HEADERS, [notice_row(n) for n in s["notices"]], NOTICE_CM,
                    numeric=NOTICE_NUMERIC, keep=NOTICE_KEEP)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _right_tab(p, doc) -> None:
    """A right-aligned tab stop at the text's right edge (the date at the end of the line)."""
    from docx.enum.text import WD_TAB_ALIGNMENT  # heavy, only the Word download needs it

    section = doc.sections[-1]
    width = section.page_width - section.left_margin - section.right_margin
    p.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
