"""Import a campaign's project list, milestones, teams and people from Excel (the higher office's
form, with the columns 专班责任人 and 专班成员 for the team and 节点N… for the milestones).

Three steps, so nothing is written until the office has seen what will be:
1. `read_workbook(file)` reads the rows of sheet 项目 (or of the dashboard export's sheet) and of
   sheet 人员 into plain values (JSON: they wait in the session between preview and confirm; the
   file itself is not kept); codes, numbers, percents, dates and login names are read the same
   typed full- or half-width (half_width: ＪＴ－１０ is JT-10), names and other words as typed;
2. `plan_import(campaign, rows)` says for each row what it would do — create, change, leave
   alone — or why it cannot (unknown leader, bad date, end before start, duplicate code,
   investment not a number…), checking against the database as it is now;
3. `apply_import(campaign, user, rows)` plans again and, when no row is refused, writes it all
   through the services in one transaction, or nothing.

Projects are matched by 项目编号 (or, in the dashboard export, which has none, by 项目名称), people
by 登录名, milestones of a project by their name: the same file imported twice changes nothing.
The headers are the official Chinese form and stay Chinese whatever the user's language.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from io import BytesIO

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from campaign import services as campaign_services
from campaign.models import Role, Unit
from campaign.people import clean_phone, label_of, name_of
from core import sheets

from . import plan, services
from .models import Assignment, Project

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 500
PROJECT_SHEET = "项目"
PEOPLE_SHEET = "人员"
MILESTONES_IN_TEMPLATE = 4
PROJECT_HEADERS = {
    "序号": "seq", "项目编号": "code", "项目名称": "name", "级别": "level", "项目业主": "owner",
    "包项目领导": "leader", "计划投资": "planned_investment", "计划开工": "planned_start",
    "计划完工": "planned_end", "攻坚目标": "goal", "类别": "category",
    "专班责任人": "team_leads", "专班成员": "team_members",
    # How far a project already under way is (the dashboard export has both): its first report
    # when it has none yet (services.record_baseline); ignored once the team reports.
    "形象进度": "progress", "完成投资": "investment_done",
}
#: How the people of a team cell are separated: 李华、王强 (or commas, semicolons, spaces).
LIST_SEPARATORS = r"[、,，;；\s]+"
PEOPLE_HEADERS = {"姓名": "full_name", "登录名": "username", "单位": "unit", "职务": "title",
                  "电话": "phone", "角色": "roles"}
#: A totals row (the dashboard export ends with one) is not a project.
TOTAL_LABELS = {"合计", "总计", "小计"}
#: Columns of words, kept as typed (only trimmed): a name's full-width brackets and commas are
#: Chinese punctuation, as the setup forms keep them. Every other cell — codes, numbers, percents,
#: dates, levels, login names, roles — is read half-width (half_width).
PROSE_KEYS = {"name", "owner", "goal", "category", "full_name", "unit", "title"}
MILESTONE_HEADER = re.compile(r"^节点(\d+)(名称|日期|进度)$")
LEVEL_PREFIXES = {"市": Project.Level.CITY, "县": Project.Level.COUNTY, "区": Project.Level.COUNTY,
                  "镇": Project.Level.TOWN, "乡": Project.Level.TOWN}
KIND_LEVELS = {Unit.Kind.PROVINCE: Project.Level.CITY, Unit.Kind.CITY: Project.Level.CITY,
               Unit.Kind.COUNTY: Project.Level.COUNTY, Unit.Kind.TOWN: Project.Level.TOWN}
LEVEL_KINDS = {Project.Level.CITY: Unit.Kind.CITY, Project.Level.COUNTY: Unit.Kind.COUNTY,
               Project.Level.TOWN: Unit.Kind.TOWN}


def _not_a_workbook() -> str:
    return _("This file is not an Excel workbook (.xlsx). Save it as .xlsx and upload it again.")


class ImportRefused(ValueError):
    """The file as a whole cannot be read (not a workbook, too large, no header row)."""


# --- 1. Reading ---------------------------------------------------------------------------------


def half_width(text: str) -> str:
    """Text as typed, written down one way: full-width letters, digits and signs made plain
    (ＪＴ－１０ → JT-10, ４０％ → 40%, as clean_phone does for phones) and trimmed. How the import
    reads a code, a number, a percent or a date; the project form can clean a code with it."""
    return unicodedata.normalize("NFKC", text or "").strip()


def _read_as(key: str, text: str) -> str:
    """A cell's plain text as the import reads it: words trimmed, everything else half_width."""
    if key in PROSE_KEYS or key.endswith("_name"):  # m1_name: a milestone's name
        return text.strip()
    return half_width(text)


def _plain(value):
    """A cell's value as JSON keeps it: dates as ISO text, numbers as text, None as ""."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _cell(cell):
    """A cell's plain value (_plain), a number shown as a percent (typed 60% in Excel, stored
    0.6 with a % format) as the percent it shows: 60."""
    value = cell.value
    if (isinstance(value, int | float) and not isinstance(value, bool)
            and "%" in (cell.number_format or "")):
        value = format((Decimal(repr(value)) * 100).normalize(), "f")
    return _plain(value)


def _header_key(text: str, known: dict) -> str | None:
    """A header cell's key: the official name without spaces or a bracketed unit (计划投资（万元）)."""
    name = re.sub(r"\s+", "", half_width(text))
    name = re.sub(r"[（(].*?[）)]", "", name)
    if name in known:
        return known[name]
    match = MILESTONE_HEADER.match(name)
    if match and known is PROJECT_HEADERS:
        part = {"名称": "name", "日期": "due_date", "进度": "planned_percent"}[match.group(2)]
        return f"m{int(match.group(1))}_{part}"
    return None


_MERGE_CELL = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}mergeCell"


def _merged(ws) -> dict[tuple[int, int], tuple[int, int]]:
    """(row, column) of every cell a merged range covers → (row, column) of the range's first
    cell, which alone holds the value (an office merges 项目业主 down the rows it shares). The
    read-only sheet does not read merges: they are read from the sheet's XML, streamed."""
    from lxml import etree
    from openpyxl.utils.cell import range_boundaries

    covered = {}
    source = ws._get_source()  # openpyxl's read-only sheet: its XML, to be closed after use
    try:
        # No entities, no network, no huge tree: a workbook is a stranger's file.
        for _event, element in etree.iterparse(
                source, tag=_MERGE_CELL, resolve_entities=False, no_network=True):
            min_col, min_row, max_col, max_row = range_boundaries(element.get("ref", ""))
            for row in range(min_row, min(max_row, min_row + MAX_ROWS + 20) + 1):
                for col in range(min_col, min(max_col, min_col + 60) + 1):
                    if (row, col) != (min_row, min_col):
                        covered[row, col] = (min_row, min_col)
            element.clear()
    except (etree.XMLSyntaxError, ValueError, TypeError):
        return {}
    finally:
        source.close()
    return covered


def _plain_rows(ws):
    """The sheet's rows as lists of plain values (_cell), a merged range's value in every cell
    it covers."""
    covered = _merged(ws)
    firsts = set(covered.values())
    first_values = {}
    for row, cells in enumerate(ws.iter_rows(), start=1):
        values = []
        for col, cell in enumerate(cells, start=1):
            value = _cell(cell)
            if (row, col) in covered:
                value = first_values.get(covered[row, col], value)
            elif (row, col) in firsts:
                first_values[row, col] = value
            values.append(value)
        yield values


def _sheet_rows(ws, known: dict, required: str) -> list[dict] | None:
    """The sheet's rows under its header row (the first of its first ten rows with `required`),
    each a {key: plain value, "line": Excel row number}; None without a header row."""
    rows = _plain_rows(ws)
    header, header_line = None, 0
    for header_line, values in enumerate(rows, start=1):
        keys = [_header_key(v, known) for v in values]
        if known[required] in keys:
            header = keys
            break
        if header_line >= 10:
            return None
    if header is None:
        return None
    out = []
    for line, values in enumerate(rows, start=header_line + 1):
        row = {key: _read_as(key, v) for key, v in zip(header, values, strict=False) if key}
        if not any(v for k, v in row.items() if k != "seq"):
            continue  # an empty line, or one with only its 序号
        if str(row.get("seq", "")).strip() in TOTAL_LABELS:
            continue  # the 合计 row of the dashboard export
        row["line"] = line
        out.append(row)
        if len(out) > MAX_ROWS:
            raise ImportRefused(_("The workbook has more than %(max)d rows.") % {"max": MAX_ROWS})
    return out


def read_workbook(upload) -> dict:
    """{"projects": [...], "people": [...]} from an uploaded .xlsx, or ImportRefused."""
    from openpyxl import load_workbook  # heavy: only when a file is imported

    if upload.size > MAX_BYTES:
        raise ImportRefused(_("The file is larger than 2 MB: is it the right workbook?"))
    data = upload.read()
    try:
        wb = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise ImportRefused(_not_a_workbook()) from None
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a crafted file: not a workbook
        raise ImportRefused(_not_a_workbook()) from None
    try:
        sheets = ([wb[PROJECT_SHEET]] if PROJECT_SHEET in wb.sheetnames else []) + [
            ws for ws in wb.worksheets if ws.title not in (PROJECT_SHEET, PEOPLE_SHEET)]
        projects = None
        for ws in sheets:
            projects = _sheet_rows(ws, PROJECT_HEADERS, "项目名称")
            if projects is not None:
                break
        people = []
        if PEOPLE_SHEET in wb.sheetnames:
            people = _sheet_rows(wb[PEOPLE_SHEET], PEOPLE_HEADERS, "登录名") or []
    finally:
        wb.close()
    if projects is None:
        raise ImportRefused(_("No header row with 项目名称 was found in the first ten rows: "
                              "use the template."))
    return {"projects": projects, "people": people}


# --- 2. Planning --------------------------------------------------------------------------------


@dataclass
class RowPlan:
    sheet: str
    line: int
    key: str
    label: str
    action: str = "unchanged"  # create, change, unchanged, error
    errors: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)
    #: The project the row changes (its code may change: ＪＴ－１０ read as JT-10).
    pk: int | None = None
    #: What the row says, for the office to check before confirming: (column, now, then) of each
    #: field a new row sets or a changed row changes ("" now for a new row).
    shown: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class Plan:
    people: list[RowPlan]
    projects: list[RowPlan]

    @property
    def rows(self) -> list[RowPlan]:
        return self.people + self.projects

    @property
    def ok(self) -> bool:
        return not any(r.action == "error" for r in self.rows)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    count_create = property(lambda self: self.count("create"))
    count_change = property(lambda self: self.count("change"))
    count_unchanged = property(lambda self: self.count("unchanged"))
    count_error = property(lambda self: self.count("error"))

    @property
    def has_changes(self) -> bool:
        return any(r.action in ("create", "change") for r in self.rows)


def parse_date(text: str) -> datetime.date | None:
    """2026-03-01, 2026/3/1, 2026.3.1 or 2026年3月1日; None when it is none of these."""
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?",
                         text.strip())
    if not match:
        return None
    try:
        return datetime.date(*map(int, match.groups()))
    except ValueError:
        return None


def parse_amount(text: str) -> Decimal | None:
    """A number not below 0 as typed (half_width): 1200, 1200.5, with thousands separators
    1,200; None when it is not one."""
    text = half_width(text)
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d*)?", text):
        text = text.replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() and value >= 0 else None


#: A number followed by a unit: 980万元, 1.2亿, 9800000元.
_AMOUNT_WITH_UNIT = re.compile(r"(?P<number>[\d.,]+)\s*(?P<unit>\D+)")


def clean_investment(text: str) -> Decimal:
    """An amount of the column 计划投资（万元） as typed: 980, 1,200, or with the column's own unit
    after it, 980万元 or 980万. ValidationError for another unit (元, 亿元: the office must not
    be left thinking they were converted) or for no number."""
    text = half_width(text)
    number, unit = text, ""
    match = _AMOUNT_WITH_UNIT.fullmatch(text)
    if match:
        number, unit = match["number"], match["unit"].strip()
    amount = parse_amount(number)
    if amount is not None and unit in ("", "万元", "万"):
        return amount
    if amount is not None:
        raise ValidationError(_("The planned investment %(value)s: this column is in 10k yuan "
                                "(万元); write the amount in 万元, as 980 or 980万元.")
                              % {"value": text})
    raise ValidationError(_("The planned investment %(value)s is not a number of 10k yuan.")
                          % {"value": text})


def _role_names() -> dict[str, str]:
    names = {}
    for role in campaign_services.OFFICE_ROLES:
        names[role.value] = role.value
        names[str(role.label)] = role.value
        with translation.override("zh-hans"):
            names[str(role.label)] = role.value
    return names


class _People:
    """Who a leader named in the file is: people of the town, and those the people sheet adds
    (or would add, but for an error on their row)."""

    def __init__(self, campaign):
        self.scope = campaign.unit.descendant_ids()
        self.users = list(get_user_model().objects.filter(
            profile__unit_id__in=self.scope, is_active=True).select_related("profile__unit"))
        self.new: dict[str, dict] = {}
        #: The roles sheet 人员 gives a person it adds or changes (login name → role codes).
        self.sheet_roles: dict[str, list[str]] = {}
        #: Rows of sheet 人员 refused: (login name, 姓名, line).
        self.refused: list[tuple[str, str, int]] = []

    def name(self, username: str) -> str:
        """The 姓名 of a person found (find), for the preview."""
        if username in self.new:
            return self.new[username]["full_name"]
        user = next((u for u in self.users if u.username == username), None)
        return name_of(user, username)

    def leader_problem(self, username: str, project) -> str | None:
        """Why the person found cannot lead the project (services.leader_problem, the one rule),
        with the roles the people sheet gives them; None when they can."""
        user = next((u for u in self.users if u.username == username), None)
        if user is None:  # added by the sheet: judged by the sheet's roles
            user = get_user_model()(username=username)
        return services.leader_problem(user, project=project,
                                       roles=self.sheet_roles.get(username))

    def find(self, text: str, unknown=None):
        """(username, error): the person the text names — by login name, 姓名, or 姓名（单位·职务）,
        compared half-width (the cell was read so)."""
        text = half_width(text)
        by_login = [u for u in self.users if u.username == text]
        if by_login:
            return by_login[0].username, None
        if text in self.new:
            return text, None
        label = [u for u in self.users if half_width(label_of(u)) == text]
        if len(label) == 1:
            return label[0].username, None
        name = re.sub(r"\(.*?\)$", "", text).strip()
        matches = [u.username for u in self.users if half_width(name_of(u)) == name]
        matches += [login for login, row in self.new.items()
                    if half_width(row["full_name"]) == name]
        if len(matches) == 1:
            return matches[0], None
        if len(matches) > 1:
            return None, _("There are %(count)d people called %(name)s: write the login name "
                           "instead.") % {"count": len(matches), "name": name}
        for login, full_name, line in self.refused:
            if text == login or name == half_width(full_name):
                return None, _("%(name)s is on sheet 人员, but the row of line %(line)d has an "
                               "error: correct that row first.") % {"name": text, "line": line}
        return None, (unknown or _(
            "Unknown leader %(name)s: add the person on sheet 人员 or in Setup › People "
            "first.")) % {"name": text}


def _words(items) -> str:
    """Words in a run in the page's language: a, b (English), a、b (Chinese)."""
    return pgettext("list separator", ", ").join(items)


#: What the preview shows of a person, in this order: the columns of sheet 人员.
PERSON_SHOWN = ("full_name", "unit", "title", "phone", "roles")
PERSON_COLUMNS = {key: column for column, key in PEOPLE_HEADERS.items()}


def _shown_person(values: dict, now: dict | None, keys, units: dict) -> list[tuple[str, str, str]]:
    """(column, now, then) of the person's fields `keys`, for the preview."""
    unit_names = {u.pk: u.name for u in units.values()}

    def text(key, value):
        if key == "unit":
            return unit_names.get(value, "")
        if key == "roles":
            return _words(str(Role(r).label) for r in value if r in Role.values)
        return value

    return [(PERSON_COLUMNS[k], text(k, now[k]) if now else "", text(k, values[k]))
            for k in PERSON_SHOWN if k in keys and (now or values[k])]


def _plan_people(campaign, rows, people: _People) -> list[RowPlan]:
    units = {u.name: u for u in Unit.objects.filter(pk__in=people.scope)}
    role_names = _role_names()
    User = get_user_model()
    existing = {u.username: u for u in User.objects.filter(
        username__in=[r.get("username", "") for r in rows]).select_related("profile__unit")
        .prefetch_related("groups")}
    plans, seen = [], {}
    for row in rows:
        username = row.get("username", "")
        plan = RowPlan(PEOPLE_SHEET, row["line"], username, row.get("full_name", ""))
        errors = plan.errors
        if not username:
            errors.append(_("The login name (登录名) is empty."))
        elif not re.fullmatch(r"[\w.@+-]+", username):
            errors.append(_("The login name %(name)s may use letters, digits and . @ + - _ only.")
                          % {"name": username})
        elif username in seen:
            errors.append(_("The login name %(name)s is already on line %(line)d.")
                          % {"name": username, "line": seen[username]})
        seen.setdefault(username, row["line"])
        if not row.get("full_name"):
            errors.append(_("The full name (姓名) is empty."))
        unit = units.get(row.get("unit", ""))
        if unit is None:
            errors.append(_("Unknown unit %(unit)s: it must be %(town)s or one of its villages "
                            "and departments.") % {"unit": row.get("unit", ""),
                                                   "town": campaign.unit.name})
        roles = []
        for part in re.split(r"[、,，/;；\s]+", row.get("roles", "")):
            if part and part not in role_names:
                errors.append(_("Unknown role %(role)s: write %(roles)s.") % {
                    "role": part, "roles": _words(str(r.label)
                                                  for r in campaign_services.OFFICE_ROLES)})
            elif part:
                roles.append(role_names[part])
        if not roles and row.get("roles", "") == "":
            roles = [Role.TEAM_MEMBER.value]
        phone = row.get("phone", "")
        try:
            phone = clean_phone(phone)
        except ValidationError as exc:
            errors.extend(exc.messages)
        plan.values = {"username": username, "full_name": row.get("full_name", ""),
                       "unit": unit.pk if unit else None, "title": row.get("title", ""),
                       "phone": phone, "roles": sorted(set(roles))}
        user = existing.get(username)
        if user is not None and not errors:
            profile = getattr(user, "profile", None)
            if profile is None or profile.unit_id not in people.scope or user.is_superuser:
                errors.append(_("The login name %(name)s is taken by someone outside %(town)s.")
                              % {"name": username, "town": campaign.unit.name})
            else:
                now = {"full_name": profile.full_name, "unit": profile.unit_id,
                       "title": profile.title, "phone": profile.phone,
                       "roles": sorted(g.name for g in user.groups.all())}
                plan.changes = [k for k, v in now.items() if plan.values[k] != v]
                people.sheet_roles[username] = plan.values["roles"]
                plan.action = "change" if plan.changes else "unchanged"
                plan.shown = _shown_person(plan.values, now, plan.changes, units)
        elif not errors:
            plan.action = "create"
            people.new[username] = plan.values
            people.sheet_roles[username] = plan.values["roles"]
            plan.shown = _shown_person(plan.values, None, PERSON_SHOWN, units)
        if errors:
            plan.action = "error"
            people.refused.append((username, row.get("full_name", ""), row["line"]))
        plans.append(plan)
    return plans


def _level(campaign, text: str, units_above: list[Unit]):
    """(level, listed_by unit) from 市级 / 县级 / 镇级 or 福州市级 / 长乐市级, or (None, None)."""
    text = text.strip()
    for choice in Project.Level:
        if text in (choice.value, str(choice.label)):
            kind = LEVEL_KINDS[choice]
            unit = next((u for u in units_above if u.kind == kind), campaign.unit)
            return choice.value, unit
    prefix = text[:-1] if text.endswith("级") else text
    for unit in units_above:
        if prefix == unit.name:
            return KIND_LEVELS.get(unit.kind, Project.Level.TOWN).value, unit
    if prefix in LEVEL_PREFIXES:
        level = LEVEL_PREFIXES[prefix]
        unit = next((u for u in units_above if u.kind == LEVEL_KINDS[level]), campaign.unit)
        return level.value, unit
    return None, None


def _milestones(row: dict, start, end, errors: list[str]) -> list[dict] | None:
    """The row's milestones, or None when the row names none (its milestones are left alone)."""
    numbers = sorted({int(k[1:].split("_")[0]) for k in row if re.match(r"m\d+_", k)})
    found = []
    for n in numbers:
        name = row.get(f"m{n}_name", "")
        due_text, percent_text = row.get(f"m{n}_due_date", ""), row.get(f"m{n}_planned_percent", "")
        if not (name or due_text or percent_text):
            continue
        due = parse_date(due_text)
        percent = parse_amount(percent_text.rstrip("%"))
        if not name:
            errors.append(_("Milestone %(n)d has no name.") % {"n": n})
        if due is None:
            errors.append(_("Milestone %(n)d: %(value)s is not a date.") % {"n": n, "value": due_text})
        elif start and end and not start <= due <= end:
            errors.append(_("Milestone %(n)d is due on %(date)s, outside the planned dates.")
                          % {"n": n, "date": due})
        if percent is None or percent > 100:
            errors.append(_("Milestone %(n)d: the planned progress %(value)s is not a percent "
                            "from 0 to 100.") % {"n": n, "value": percent_text})
        if name and due and percent is not None:
            found.append({"name": name, "due_date": due, "planned_percent": percent})
    errors.extend(plan.milestone_problems(found))
    return [{**m, "due_date": m["due_date"].isoformat(), "planned_percent": str(m["planned_percent"])}
            for m in found] or None


def _team(row: dict, people: _People, errors: list[str]) -> list[dict] | None:
    """The row's team (专班责任人 as 责任人, 专班成员 as 成员), or None when both cells are empty
    (the team is left as it is)."""
    cells = [(Assignment.Role.LEAD, row.get("team_leads", "")),
             (Assignment.Role.MEMBER, row.get("team_members", ""))]
    if not any(text for _role, text in cells):
        return None
    team, seen = [], set()
    unknown = _("Unknown team member %(name)s: add the person on sheet 人员 or in Setup › People "
                "first.")
    for role, text in cells:
        for part in re.split(LIST_SEPARATORS, text):
            if not part:
                continue
            username, error = people.find(part, unknown)
            if error:
                errors.append(error)
            elif username in seen:
                errors.append(_("%(name)s is on the team twice.") % {"name": part})
            else:
                seen.add(username)
                team.append({"user": username, "role": role.value})
    return team


def _plan_projects(campaign, rows, people: _People) -> list[RowPlan]:
    units_above = [campaign.unit, *campaign.unit.ancestors()]
    existing = list(campaign.projects.select_related("leader__profile", "listed_by")
                    .prefetch_related("milestones", "assignments__user__profile"))
    by_code = {half_width(p.code): p for p in existing}
    # A code stored as typed full-width before the import read codes half-width: found by its
    # half-width form, and written down that way (a change of code) if no project has it yet.
    by_code.update({p.code: p for p in existing})
    by_name = {p.name: p for p in existing}
    plans, seen = [], {}
    for row in rows:
        code, name = row.get("code", ""), row.get("name", "")
        plan = RowPlan(PROJECT_SHEET, row["line"], code, name)
        errors = plan.errors
        project = by_code.get(code) if code else (by_name.get(name) if "code" not in row else None)
        key = code or (project.code if project else "")
        if not key:
            errors.append(_("The project code (项目编号) is empty."))
        elif key in seen:
            errors.append(_("The project code %(code)s is already on line %(line)d.")
                          % {"code": key, "line": seen[key]})
        seen.setdefault(key, row["line"])
        plan.key, plan.pk = key, project.pk if project else None
        values = {"code": key}
        for text_field in ("name", "owner", "goal", "category"):
            if row.get(text_field):
                values[text_field] = row[text_field]
            elif project is None and text_field != "category":
                errors.append(_("%(column)s is empty.") % {"column": {
                    "name": "项目名称", "owner": "项目业主", "goal": "攻坚目标"}[text_field]})
        if row.get("level"):
            level, unit = _level(campaign, row["level"], units_above)
            if level is None:
                errors.append(_("Unknown level %(value)s: write 市级, 县级 or 镇级.")
                              % {"value": row["level"]})
            else:
                values["level"], values["listed_by"] = level, unit.pk
        elif project is None:
            errors.append(_("%(column)s is empty.") % {"column": "级别"})
        if row.get("leader"):
            username, error = people.find(row["leader"])
            if error is None:
                error = people.leader_problem(username, project)
            if error:
                errors.append(error)
            else:
                values["leader"] = username
        elif project is None:
            errors.append(_("%(column)s is empty.") % {"column": "包项目领导"})
        if row.get("planned_investment"):
            try:
                amount = clean_investment(row["planned_investment"])
            except ValidationError as exc:
                errors.extend(exc.messages)
            else:
                values["planned_investment"] = str(amount.quantize(Decimal("0.01")))
        dates = {}
        for date_field, column in (("planned_start", "计划开工"), ("planned_end", "计划完工")):
            text = row.get(date_field, "")
            if text:
                day = parse_date(text)
                if day is None:
                    errors.append(_("%(column)s %(value)s is not a date (write 2026-03-01).")
                                  % {"column": column, "value": text})
                else:
                    values[date_field] = day.isoformat()
                    dates[date_field] = day
            elif project is None:
                errors.append(_("%(column)s is empty.") % {"column": column})
            if date_field not in dates and project is not None:
                dates[date_field] = getattr(project, date_field)
        start, end = dates.get("planned_start"), dates.get("planned_end")
        if start and end and end < start:
            errors.append(_("The planned end %(end)s is before the planned start %(start)s.")
                          % {"end": end, "start": start})
        team = _team(row, people, errors)
        if team is not None:
            values["team"] = team
        milestones = _milestones(row, start, end, errors)
        if milestones is not None:
            values["milestones"] = milestones
        baseline = _baseline(row, errors)
        if baseline and (project is None or not project.reports.exists()):
            values["baseline"] = baseline
        plan.values = values
        if errors:
            plan.action = "error"
        elif project is None:
            plan.action = "create"
            plan.shown = _shown_project(values, None, people, units_above)
        else:
            plan.changes = _project_changes(project, values)
            plan.action = "change" if plan.changes else "unchanged"
            plan.shown = _shown_project({k: values[k] for k in plan.changes}, project, people,
                                        units_above)
        plans.append(plan)
    return plans


#: The percent a 形象进度 in words gives: 完成51.0%；路基填筑… (the dashboard export's form).
_PERCENT_IN_WORDS = re.compile(r"(\d+(?:\.\d+)?)\s*%")


def _baseline(row, errors) -> dict | None:
    """{percent, investment_done} (text) of a row's 形象进度 and 完成投资, when either is above 0.
    形象进度 is a percent (51, 51%), or words with one in them (完成51%；…): words without a
    percent describe the work and are not read."""
    found = {}
    percent_text = row.get("progress", "")
    if percent_text and parse_amount(percent_text.rstrip("%")) is None:
        in_words = _PERCENT_IN_WORDS.search(percent_text)
        percent_text = in_words.group(1) if in_words else ""
    if percent_text:
        percent = parse_amount(percent_text.rstrip("%"))
        if percent is None or percent > 100:
            errors.append(_("The progress %(value)s is not a percent from 0 to 100.")
                          % {"value": percent_text})
        else:
            found["percent"] = str(percent.quantize(Decimal("0.1")))
    investment_text = row.get("investment_done", "")
    if investment_text:
        try:
            found["investment_done"] = str(clean_investment(investment_text)
                                           .quantize(Decimal("0.01")))
        except ValidationError as exc:
            errors.extend(exc.messages)
    return found if any(Decimal(v) > 0 for v in found.values()) else None


#: What the preview shows of a project, in this order, under the sheet's own column names.
PROJECT_COLUMNS = {"code": "项目编号", "name": "项目名称", "level": "级别", "owner": "项目业主",
                   "category": "类别", "leader": "包项目领导", "planned_investment": "计划投资（万元）",
                   "planned_start": "计划开工", "planned_end": "计划完工", "goal": "攻坚目标",
                   "team": "专班", "milestones": "节点", "baseline": "建档进度"}


def _number(value) -> str:
    """1200.00 → 1200, 12.50 → 12.5."""
    return format(Decimal(value).normalize(), "f")


def _shown_project(values: dict, project: Project | None, people: _People,
                   units_above: list[Unit]) -> list[tuple[str, str, str]]:
    """(column, now, then) of the fields `values` sets, for the preview: now is the project's
    value ("" for a new project)."""
    units = {u.pk: u.name for u in units_above}

    def level(code, unit_name):
        return str(Project.Level(code).label) + pgettext(
            "parenthetical note", " (%(note)s)") % {"note": unit_name}

    def team(members):  # (姓名, role) of each
        return " · ".join(
            str(role.label) + pgettext("label separator", ": ") + _words(
                name for name, of in members if of == role.value)
            for role in Assignment.Role if any(of == role.value for _name, of in members))

    def milestones(items):
        items = sorted(items, key=lambda m: m["due_date"])
        return ngettext("%(count)d milestone: %(list)s", "%(count)d milestones: %(list)s",
                        len(items)) % {"count": len(items), "list": _words(
                            f"{m['name']} {m['due_date']} {_number(m['planned_percent'])}%"
                            for m in items)}

    then = dict(values)
    if "level" in values or "listed_by" in values:
        then["level"] = level(values.get("level", project and project.level),
                              units.get(values.get("listed_by"), project and project.listed_by.name))
    if "leader" in values:
        then["leader"] = people.name(values["leader"])
    if "planned_investment" in values:
        then["planned_investment"] = _number(values["planned_investment"])
    if "team" in values:
        then["team"] = team([(people.name(m["user"]), m["role"]) for m in values["team"]])
    if "milestones" in values:
        then["milestones"] = milestones(values["milestones"])
    if "baseline" in values:
        then["baseline"] = _("%(percent)s%%, %(investment)s (10k yuan) done") % {
            "percent": _number(values["baseline"].get("percent", "0")),
            "investment": _number(values["baseline"].get("investment_done", "0"))}
    now = {}
    if project is not None:
        now = {"level": level(project.level, project.listed_by.name),
               "leader": name_of(project.leader),
               "planned_investment": _number(project.planned_investment),
               "planned_start": project.planned_start.isoformat(),
               "planned_end": project.planned_end.isoformat(),
               "team": team([(name_of(a.user), a.role) for a in project.assignments.all()]),
               "milestones": milestones([{"name": m.name, "due_date": m.due_date.isoformat(),
                                          "planned_percent": m.planned_percent}
                                         for m in project.milestones.all()]),
               "baseline": _("not reported yet")}
    shown = []
    for key, column in PROJECT_COLUMNS.items():
        if key not in then or (key in ("code", "name") and project is None):
            continue  # a new project's code and name are beside the row already
        before = now.get(key, getattr(project, key, "")) if project is not None else ""
        shown.append((column, str(before), str(then[key])))
    return shown


def _project_changes(project: Project, values: dict) -> list[str]:
    changes = []
    for name, value in values.items():
        if name == "baseline":  # only for a project not reported yet: always a change
            changes.append(name)
            continue
        if name == "team":
            now = sorted((a.user.username, a.role) for a in project.assignments.all())
            if now != sorted((m["user"], m["role"]) for m in value):
                changes.append("team")
            continue
        if name == "milestones":
            now = sorted((m.name, m.due_date.isoformat(), str(m.planned_percent))
                         for m in project.milestones.all())
            wanted = sorted((m["name"], m["due_date"], str(Decimal(m["planned_percent"])
                                                            .quantize(Decimal("0.1"))))
                            for m in value)
            if now != wanted:
                changes.append("milestones")
            continue
        current = {"leader": project.leader.username, "listed_by": project.listed_by_id}.get(
            name, getattr(project, name))
        if isinstance(current, datetime.date):
            current = current.isoformat()
        elif isinstance(current, Decimal):
            current = str(current)
        if current != value:
            changes.append(name)
    return changes


def plan_import(campaign, rows: dict) -> Plan:
    people = _People(campaign)
    people_plans = _plan_people(campaign, rows.get("people", []), people)
    return Plan(people_plans, _plan_projects(campaign, rows.get("projects", []), people))


# --- 3. Applying --------------------------------------------------------------------------------


class ImportNotApplied(ValueError):
    """The plan has refused rows: nothing was written."""

    def __init__(self, plan: Plan):
        self.plan = plan
        super().__init__("refused rows")


@transaction.atomic
def apply_import(campaign, user, rows: dict) -> tuple[Plan, list[tuple]]:
    """Plan again against the database as it is now and, with no refused row, write it all.
    Returns the plan and (person, temporary password) of each person created."""
    plan = plan_import(campaign, rows)
    if not plan.ok:
        raise ImportNotApplied(plan)
    User = get_user_model()
    created_people = []
    for row in plan.people:
        if row.action == "unchanged":
            continue
        v = dict(row.values)
        v["unit"] = Unit.objects.get(pk=v["unit"])
        if row.action == "create":
            created_people.append(campaign_services.create_person(campaign.unit, user, **v))
        else:
            person = User.objects.get(username=v.pop("username"))
            campaign_services.update_person(campaign.unit, person, user, **v)
    projects = {p.pk: p for p in campaign.projects.all()}
    for row in plan.projects:
        if row.action == "unchanged":
            continue
        v = dict(row.values)
        milestones = v.pop("milestones", None)
        team = v.pop("team", None)
        baseline = v.pop("baseline", None)
        if baseline is not None:
            baseline = {k: Decimal(value) for k, value in baseline.items()}
        if team is not None:
            team = [{"user": User.objects.select_related("profile").get(username=m["user"]),
                     "role": m["role"]} for m in team]
        if "leader" in v:
            v["leader"] = User.objects.select_related("profile").get(username=v["leader"])
        if "listed_by" in v:
            v["listed_by"] = Unit.objects.get(pk=v["listed_by"])
        for date_field in ("planned_start", "planned_end"):
            if date_field in v:
                v[date_field] = datetime.date.fromisoformat(v[date_field])
        if "planned_investment" in v:
            v["planned_investment"] = Decimal(v["planned_investment"])
        project = projects.get(row.pk)
        if milestones is not None and project is not None:
            by_name = {m.name: m.pk for m in project.milestones.all()}
            milestones = [{**m, "pk": by_name.get(m["name"])} for m in milestones]
        if milestones is not None:
            milestones = [{**m, "due_date": datetime.date.fromisoformat(m["due_date"]),
                           "planned_percent": Decimal(m["planned_percent"])} for m in milestones]
        try:
            services.save_project(campaign, user, project=project, milestones=milestones,
                                  team=team, baseline=baseline, **v)
        except ValidationError as exc:
            row.action, row.errors = "error", exc.messages
            raise ImportNotApplied(plan) from None
    return plan, created_people


# --- The template ---------------------------------------------------------------------------------


def template_workbook(campaign) -> bytes:
    """The form to fill in: sheet 项目 (the higher office's columns and milestone columns) with
    the campaign's projects as they are now, and sheet 人员 with its people."""
    from openpyxl import Workbook  # heavy: only when the template is downloaded
    from openpyxl.styles import Font, PatternFill

    from .exports import level_name  # openpyxl too

    wb = Workbook()
    ws = wb.active
    ws.title = PROJECT_SHEET
    headers = ["序号", "项目编号", "项目名称", "级别", "项目业主", "包项目领导", "计划投资（万元）",
               "计划开工", "计划完工", "攻坚目标", "类别", "形象进度（%）", "完成投资（万元）",
               "专班责任人", "专班成员"]
    for n in range(1, MILESTONES_IN_TEMPLATE + 1):
        headers += [f"节点{n}名称", f"节点{n}日期", f"节点{n}进度（%）"]
    ws.append(headers)
    projects = campaign.projects.select_related("leader", "listed_by").prefetch_related(
        "milestones", "assignments__user").order_by("code")
    for number, p in enumerate(projects, start=1):
        level = level_name({"level": p.level,  # as every document names it
                            "listed_by_name": p.listed_by.name if p.listed_by_id else None})
        row = [number, p.code, p.name, level, p.owner, p.leader.username, float(p.planned_investment),
               p.planned_start, p.planned_end, p.goal, p.category, float(p.progress),
               float(p.investment_done)]
        team = list(p.assignments.all())
        row += ["、".join(a.user.username for a in team if a.role == Assignment.Role.LEAD),
                "、".join(a.user.username for a in team if a.role == Assignment.Role.MEMBER)]
        for m in list(p.milestones.all())[:MILESTONES_IN_TEMPLATE]:
            row += [m.name, m.due_date, float(m.planned_percent)]
        ws.append(row)
    people_ws = wb.create_sheet(PEOPLE_SHEET)
    people_ws.append(list(PEOPLE_HEADERS))
    with translation.override("zh-hans"):
        for u in (get_user_model().objects.filter(
                profile__unit_id__in=campaign.unit.descendant_ids(), is_active=True)
                .select_related("profile__unit").prefetch_related("groups")
                .order_by("profile__full_name")):
            roles = "、".join(str(Role(g.name).label) for g in u.groups.all()
                             if g.name in Role.values)
            people_ws.append([u.profile.full_name, u.username, u.profile.unit.name,
                              u.profile.title, u.profile.phone, roles])
    for sheet in (ws, people_ws):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="E9ECEF")
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = 14
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, datetime.date):
                    cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    # Through workbook_bytes as every workbook: a project named "=…" stays text (and comes back
    # as typed when the sheet is imported again).
    return sheets.workbook_bytes(wb, author=campaign.issuer, title=f"{campaign.name}项目导入表")
