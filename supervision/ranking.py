"""The ranking (排名) of a campaign's leaders (包项目领导) and of its units, worst first.

The unit is the project's owner (项目业主): the body that carries the project out and answers for
it (an 城投公司, the 水务集团, a bureau, the town government). It is what the higher offices' table
names beside each project and the one unit every project has exactly once; the team's units are
mostly the town itself (its cadres), so they would rank nothing.

Per leader and per unit: the projects, their lights (Project.health, as the dashboard counts
them), the average lag of the projects that have a light (red, yellow or green: not those done or
paused with a reason), the weekly reports missed and the notices open. Six queries whatever the
number of projects: the progress table (three, projects.figures.progress_table: the dashboard's
lag), the projects' reporting dates and pauses, each project's reports per closed reporting week,
each project's open notices.

Reports missed: the reporting weeks (campaign.reporting) closed by now in which no report came in
before the deadline, among the weeks the project owed one — its deadline within the project's
reporting window (Campaign.reporting_window, the scan's rule), up to the week of its latest
report for a completed project and before its pause for one paused with a reason (neither owes
any more). A report made after a deadline counts for the next week, as the scan reads it.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from campaign import reporting
from core import sheets
from core.dates import local_date
from projects import figures
from projects.models import ProgressReport, Project

from .models import Notice

ONE_PLACE = Decimal("0.1")
#: The lights that carry a lag (a project done or paused with a reason has none).
LIT = (Project.Health.RED, Project.Health.YELLOW, Project.Health.GREEN)
#: Notices not yet closed (drafts are not notices yet).
OPEN_NOTICE_Q = ~Q(status__in=[Notice.Status.DRAFT, Notice.Status.CLOSED])


def closed_weeks(campaign, now: datetime.datetime) -> list[reporting.ReportingWeek]:
    """The reporting weeks of the campaign whose deadline has passed at now, in order: those whose
    report day falls within the campaign's dates."""
    weeks = []
    week = reporting.week_of(campaign, campaign.start_date)
    while week.end <= campaign.end_date and week.closes_at <= now:
        weeks.append(week)
        week = reporting.week_of(campaign, week.end + datetime.timedelta(days=1))
    return weeks


def _reported_weeks(campaign, weeks) -> dict[int, set[int]]:
    """Per project, the indexes (in weeks) of the weeks with at least one report: one query, one
    row per project."""
    if not weeks:
        return {}
    counts = {f"w{i}": Count("pk", filter=Q(reported_at__gt=w.opens_after,
                                            reported_at__lte=w.closes_at))
              for i, w in enumerate(weeks)}
    rows = (ProgressReport.objects.filter(project__campaign=campaign,
                                          reported_at__gt=weeks[0].opens_after,
                                          reported_at__lte=weeks[-1].closes_at)
            .order_by().values("project_id").annotate(**counts))
    return {r["project_id"]: {i for i in range(len(weeks)) if r[f"w{i}"]} for r in rows}


def _owed(campaign, project, weeks, last_report_on) -> list[int]:
    """The indexes of the weeks the project owed a report (see the module's docstring)."""
    start, end = campaign.reporting_window(project["planned_start"], project["resumed_on"],
                                           project["entered_on"])
    if project["status"] == Project.Status.COMPLETED:
        end = min(end, last_report_on) if last_report_on else start - datetime.timedelta(days=1)
    elif Project.pause_is_justified(project["status"], project["pause_approved"],
                                    project["pause_reason"]) and project["paused_on"]:
        end = min(end, project["paused_on"] - datetime.timedelta(days=1))
    owed = []
    for i, week in enumerate(weeks):
        if start <= week.end <= end:
            owed.append(i)
    return owed


def _week_index(weeks, moment) -> int | None:
    for i, week in enumerate(weeks):
        if week.opens_after < moment <= week.closes_at:
            return i
    return None


def ranking(campaign, now: datetime.datetime) -> dict:
    """The ranking of the campaign at now (its figures as of the local date of now).

    Keys: ``as_of``; ``weeks_closed`` (the number of reporting weeks closed so far);
    ``leaders`` and ``units``, lists of rows worst first, each with ``key`` (the leader's id, the
    owner's name), ``name``, ``projects``, ``red``, ``yellow``, ``green``, ``done``, ``paused``,
    ``average_lag`` (points, one decimal, half up; None when no project has a light),
    ``reports_missed``, ``open_notices`` and ``rank`` (1 for the worst).

    Worst first: the most red lights, then the most yellow, then the highest average lag, then
    the most reports missed, then the most open notices; then by name.
    """
    as_of = local_date(now)
    table = figures.progress_table(campaign, as_of)
    extra = {p["pk"]: p for p in Project.objects.filter(campaign=campaign).order_by().values(
        "pk", "planned_start", "resumed_on", "entered_on", "status", "pause_approved", "pause_reason",
        "paused_on")} if table else {}
    weeks = closed_weeks(campaign, now)
    reported = _reported_weeks(campaign, weeks)
    notices = dict(Notice.objects.filter(OPEN_NOTICE_Q, campaign=campaign).order_by()
                   .values("project_id").annotate(n=Count("pk")).values_list("project_id", "n"))

    leaders: dict[int, dict] = {}
    units: dict[str, dict] = {}
    for row in table:
        project = extra[row["pk"]]
        last_on = None
        if row["last_reported_at"] is not None:
            index = _week_index(weeks, row["last_reported_at"])
            last_on = weeks[index].end if index is not None else local_date(row["last_reported_at"])
        owed = _owed(campaign, project, weeks, last_on)
        missed = sum(1 for i in owed if i not in reported.get(row["pk"], ()))
        for groups, key, name in ((leaders, row["leader_id"], row["leader_name"]),
                                  (units, row["owner"].strip(), row["owner"].strip())):
            group = groups.setdefault(key, {
                "key": key, "name": name, "projects": 0, "red": 0, "yellow": 0, "green": 0,
                "done": 0, "paused": 0, "lags": [], "reports_missed": 0, "open_notices": 0})
            group["projects"] += 1
            group[row["health"]] = group.get(row["health"], 0) + 1
            if row["health"] in LIT:
                group["lags"].append(row["lag"])
            group["reports_missed"] += missed
            group["open_notices"] += notices.get(row["pk"], 0)
    return {"as_of": as_of, "weeks_closed": len(weeks),
            "leaders": _ranked(leaders.values()), "units": _ranked(units.values())}


def _ranked(groups) -> list[dict]:
    rows = []
    for group in groups:
        lags = group.pop("lags")
        group["average_lag"] = (sum(lags, Decimal(0)) / len(lags)).quantize(
            ONE_PLACE, rounding=ROUND_HALF_UP) if lags else None
        rows.append(group)
    rows.sort(key=lambda g: (-g["red"], -g["yellow"],
                             -(g["average_lag"] if g["average_lag"] is not None else Decimal(-999)),
                             -g["reports_missed"], -g["open_notices"], g["name"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows


#: The sheets' headers, in the official Chinese whatever the reader's language.
LEADER_HEADERS = ["排名", "包项目领导", "项目数", "红灯", "黄灯", "绿灯", "平均滞后（百分点）",
                  "缺报次数", "未办结督办单"]
UNIT_HEADERS = ["排名", "项目业主（责任单位）", *LEADER_HEADERS[2:]]


def ranking_workbook(campaign, result: dict) -> bytes:
    """The ranking as .xlsx: one sheet for the leaders, one for the units, each with a title, the
    headers and a row per leader or unit, A4 landscape (core.sheets)."""
    wb = Workbook()
    thin = Side(style="thin", color="666666")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    # A long name or unit wraps within its column (core.sheets gives the row its height).
    wrap = Alignment(wrap_text=True, vertical="top")
    as_of = result["as_of"]
    for index, (key, sheet_title, headers) in enumerate((
            ("leaders", "按包项目领导", LEADER_HEADERS), ("units", "按项目业主", UNIT_HEADERS))):
        ws = wb.active if index == 0 else wb.create_sheet()
        ws.title = sheet_title
        ws.append([f"{campaign.name}推进排名（{sheet_title}，截至{as_of.year}年{as_of.month}月"
                   f"{as_of.day}日）"])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        ws["A1"].font = Font(size=14, bold=True)
        ws["A1"].alignment = Alignment(horizontal="center", wrap_text=True)
        ws.append(headers)
        for cell in ws[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.fill = PatternFill("solid", fgColor="E9ECEF")
            cell.border = border
        for row in result[key]:
            lag = row["average_lag"]
            ws.append([row["rank"], row["name"], row["projects"], row["red"], row["yellow"],
                       row["green"], float(lag) if lag is not None else "—",
                       row["reports_missed"], row["open_notices"]])
            for column, cell in enumerate(ws[ws.max_row], start=1):
                cell.border, cell.alignment = border, wrap
                if column == 7 and lag is not None:
                    cell.number_format = "0.0"
        sheets.widths_by_content(ws, first_row=2, caps={"B": 30})
        sheets.print_setup(ws, title_rows="1:2")
    return sheets.workbook_bytes(wb, author=campaign.issuer, title=f"{campaign.name}推进排名")
