"""The dashboard table as .xlsx in the form higher offices use (DESIGN.md): 序号, 项目名称, 级别,
项目业主, 包项目领导, 计划投资, 完成投资, 形象进度, 计划进度, 滞后, 预警, 存在问题, 推进意见, and a
合计 row. The headers are the official Chinese form and stay Chinese whatever the user's language.

It prints on A4 landscape one page wide at no less than 9 pt: the columns are sized so that the
fit-to-width scale keeps the 11 pt text at 9 pt or more (sheet_print_points), the header row
repeats on every page, and every page is numbered. Cells from user text never become formulas
(core.sheets.workbook_bytes).
"""

import datetime
from decimal import Decimal

from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from core import sheets

from . import figures
from .plan import shown

HEADERS = ["序号", "项目名称", "级别", "项目业主", "包项目领导", "计划投资（万元）", "完成投资（万元）",
           "形象进度", "计划进度", "滞后（百分点）", "预警", "存在问题", "推进意见"]
WIDTHS = [5, 20, 9, 14, 9, 11, 11, 22, 7, 8, 6, 20, 20]
#: The lights as a document names them, beside every colour (black-and-white print loses it).
LIGHT_NAMES = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "done": "已完成", "paused": "暂停"}
LIGHT_FILLS = {"red": "F8D7DA", "yellow": "FFF3CD"}
MONEY = "#,##0.00"
PERCENT = "0.0%"
POINTS = "0.0"
BODY_PT = 11


def light_name(code: str) -> str:
    return LIGHT_NAMES.get(code, code)


def lag_text(lag) -> str:
    """A lag as the documents write it: 滞后2.4 / 超前1.0 (个百分点 in the header) / 0.0, rounded
    as the pages round it (plan.shown: half up)."""
    value = shown(Decimal(str(lag)))
    if value > 0:
        return f"滞后{value}"
    if value < 0:
        return f"超前{-value}"
    return "0.0"


def level_name(row: dict) -> str:
    """A row's level as the documents write it, in Chinese whatever the reader's language:
    figures.level_name, the pages' one naming (福州市级 from the listing unit)."""
    with translation.override("zh-hans"):
        return figures.level_name(row["level"], row.get("listed_by_name"))


def image_progress(row: dict) -> str:
    """形象进度: the reported percent, then what was done."""
    text = f"完成{row['progress']}%"
    return f"{text}；{row['work_done']}" if row["work_done"] else text


def advice(row: dict) -> str:
    """推进意见: the next steps, and what needs coordinating."""
    parts = [row["next_steps"]]
    if row["needs_coordination"]:
        parts.append(f"需协调：{row['needs_coordination']}")
    return "；".join(p for p in parts if p)


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def filter_caption(chosen: dict, leaders: dict[str, str], rows: list[dict]) -> str:
    """The dashboard filters in words for the title (（长乐市级、红灯、包项目领导：张三）), "" without;
    the level named as the rows (the whole table) name it."""
    parts = []
    if chosen.get("level"):
        parts.append(level_name(next((r for r in rows if r["level"] == chosen["level"]),
                                     {"level": chosen["level"]})))
    if chosen.get("light"):
        parts.append(light_name(chosen["light"]))
    if chosen.get("leader"):
        parts.append(f"包项目领导：{leaders.get(chosen['leader'], chosen['leader'])}")
    return f"（{'、'.join(parts)}）" if parts else ""


def _fraction(percent) -> float | None:
    return None if percent is None else float(Decimal(str(percent)) / 100)


def progress_workbook(campaign, rows: list[dict], as_of: datetime.date, caption: str = "") -> bytes:
    """The workbook's bytes: a title (with the filters), the date and unit line, the headers,
    one row per project and the 合计 row."""
    wb = Workbook()
    ws = wb.active
    ws.title = "项目推进情况"
    thin = Side(style="thin", color="666666")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    body = Font(size=BODY_PT)

    ws.append([f"{campaign.name}重点项目推进情况表{caption}"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", wrap_text=True)
    ws.append([f"截至{chinese_date(as_of)}（第{campaign.day_number(as_of)}天），共{len(rows)}个项目",
               *[None] * (len(HEADERS) - 2), "单位：万元"])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(HEADERS) - 1)
    ws.append(HEADERS)
    for cell in ws[3]:
        cell.font = Font(size=BODY_PT, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = PatternFill("solid", fgColor="E9ECEF")
        cell.border = border

    planned_total = done_total = Decimal(0)
    for number, row in enumerate(rows, start=1):
        planned_total += Decimal(str(row["planned_investment"] or 0))
        done_total += Decimal(str(row["investment_done"] or 0))
        ws.append([number, row["name"], level_name(row), row["owner"], row["leader_name"],
                   row["planned_investment"], row["investment_done"], image_progress(row),
                   _fraction(row["planned_percent"]), float(row["lag"]), light_name(row["health"]),
                   row["problems"], advice(row)])
        fill = LIGHT_FILLS.get(row["health"])
        for column, cell in enumerate(ws[ws.max_row], start=1):
            cell.border, cell.alignment, cell.font = border, wrap, body
            if column in (6, 7):
                cell.number_format = MONEY
            elif column == 9:
                cell.number_format = PERCENT
            elif column == 10:
                cell.number_format = POINTS
            if fill and column in (2, 11):
                cell.fill = PatternFill("solid", fgColor=fill)
    rate = float(done_total / planned_total) if planned_total else None
    ws.append(["合计", f"{len(rows)}个项目", None, None, None, planned_total, done_total,
               f"投资完成率{rate:.1%}" if rate is not None else "", None, None, None, None, None])
    for column, cell in enumerate(ws[ws.max_row], start=1):
        cell.border, cell.font = border, Font(size=BODY_PT, bold=True)
        cell.alignment = wrap
        if column in (6, 7):
            cell.number_format = MONEY

    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "C4"
    sheets.print_setup(ws, title_rows="3:3")
    return sheets.workbook_bytes(wb, author=campaign.issuer, title=f"{campaign.name}项目推进情况表")
