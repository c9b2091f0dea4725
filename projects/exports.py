"""The dashboard table as .xlsx in the form higher offices use (DESIGN.md): 序号, 项目名称, 级别,
项目业主, 包项目领导, 计划投资, 完成投资, 形象进度, 存在问题, 推进意见. The headers are the official
Chinese form and stay Chinese whatever the user's language."""

import datetime
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

HEADERS = ["序号", "项目名称", "级别", "项目业主", "包项目领导", "计划投资", "完成投资", "形象进度",
           "存在问题", "推进意见"]
WIDTHS = [6, 32, 10, 24, 12, 12, 12, 36, 36, 36]
LEVEL_NAMES = {"city": "市级", "county": "县级", "town": "镇级"}
LIGHT_FILLS = {"red": "F8D7DA", "yellow": "FFF3CD"}


def level_name(row: dict) -> str:
    """福州市级 / 长乐市级 from the listing unit; 市级 / 县级 / 镇级 without one."""
    if row.get("listed_by_name"):
        return f"{row['listed_by_name']}级"
    return LEVEL_NAMES.get(row["level"], row["level"])


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


def progress_workbook(campaign, rows: list[dict], as_of: datetime.date) -> bytes:
    """The workbook's bytes: a title, the date and unit line, the headers, one row per project."""
    wb = Workbook()
    ws = wb.active
    ws.title = "项目推进情况"
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")

    ws.append([f"{campaign.name}重点项目推进情况表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws["A1"].font = Font(size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([f"截至{as_of.year}年{as_of.month}月{as_of.day}日（第{campaign.day_number(as_of)}天）",
               *[""] * (len(HEADERS) - 2), "单位：万元"])
    ws.append(HEADERS)
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = PatternFill("solid", fgColor="E9ECEF")
        cell.border = border

    for number, row in enumerate(rows, start=1):
        ws.append([number, row["name"], level_name(row), row["owner"], row["leader_name"],
                   row["planned_investment"], row["investment_done"], image_progress(row),
                   row["problems"], advice(row)])
        excel_row = ws.max_row
        fill = LIGHT_FILLS.get(row["health"])
        for column, cell in enumerate(ws[excel_row], start=1):
            cell.border = border
            cell.alignment = wrap
            if column in (6, 7):
                cell.number_format = "#,##0.00"
            if fill and column == 2:
                cell.fill = PatternFill("solid", fgColor=fill)

    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A4"
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    # fitToWidth counts only with fitToPage on; 0 pages tall means as many as the rows need.
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0

    out = BytesIO()
    wb.save(out)
    return out.getvalue()
