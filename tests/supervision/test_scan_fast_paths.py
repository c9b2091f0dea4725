"""The scan's fast paths give what the plain ones give: the LATERAL read of the latest reports
(PostgreSQL) equals the portable window, flag details read back equal to what was written, and
the unnest insert of flags equals bulk_create."""

import datetime
from decimal import Decimal

import pytest

from supervision import scan
from supervision.models import Flag
from tests import factories

from .conftest import NOW, day, report

pytestmark = pytest.mark.django_db

DETAILS = [
    {},
    {"planned": "41.4", "actual": "20.0", "lag": "21.4"},
    {"days_overdue": 12, "count": 2, "due": ["2026-11-01", "2026-11-08"]},
    {"due": "2026-11-20T18:00:00+08:00", "last_reported": None},
    {"count": 1, "days_overdue": 3, "numbers": ["湖督〔2026〕1号", "a\"b\\c\n"]},
    {"count": 1, "major": 1, "days_overdue": 0},
]


def _projects(campaign):
    """Projects with 0, 1, 2, 4 and 6 reports, two on the same moment, one after now."""
    projects = []
    for n in (0, 1, 2, 4, 6):
        project = factories.ProjectFactory(campaign=campaign)
        for i in range(n):
            report(project, 10 + 5 * i, day(10, 20) + datetime.timedelta(days=7 * i))
        projects.append(project)
    tie = factories.ProjectFactory(campaign=campaign)
    report(tie, 10, day(11, 5))
    report(tie, 12, day(11, 5))
    report(tie, 99, day(11, 25))  # after now: not read
    projects.append(tie)
    return projects


def test_the_latest_reports_read_by_lateral_join_equal_the_portable_window(campaign):
    _projects(campaign)
    rows = scan._projects_with_reports([campaign.pk], None, NOW)
    by_window = scan._latest_reports([campaign.pk], None, NOW)
    assert len(rows) == 6
    for row in rows:
        expected = tuple(by_window.get(row.pk, (None, None, None)))
        assert (row.latest, row.first, row.report_ahead) == expected
        assert (row.first is row.latest) == (expected[1] is expected[0])
    # The report dated after now is not read, but its moment is: it comes into view then.
    tie = rows[-1] if rows[-1].report_ahead else next(r for r in rows if r.report_ahead)
    assert tie.report_ahead == datetime.datetime.combine(day(11, 25), datetime.time(10),
                                                         tzinfo=NOW.tzinfo)


def test_one_project_only_is_read_when_asked(campaign):
    projects = _projects(campaign)
    rows = scan._projects_with_reports([campaign.pk], [projects[3].pk], NOW)
    assert [r[0] for r in rows] == [projects[3].pk]
    assert rows[0].latest[1] == 25 and rows[0].first[1] == 10


@pytest.mark.parametrize("details", DETAILS)
def test_details_read_back_compare_equal_to_what_was_written(campaign, details):
    """The scan compares the stored details with the wanted ones as values: what it writes must
    read back equal (no tuples, no Decimals), or every rescan would update every flag."""
    project = factories.ProjectFactory(campaign=campaign)
    scan._insert_flags([(project.pk, "behind_plan", "yellow", details)], NOW)
    flag = Flag.objects.get(project=project)
    assert flag.details == details and flag.opened_at == NOW and flag.resolved_at is None
    stored = Flag.objects.values_list("details", flat=True).get()
    assert stored == details
    assert stored != {**details, "count": 99}


def test_inserting_a_flag_open_already_leaves_the_open_one(campaign):
    project = factories.ProjectFactory(campaign=campaign)
    scan._insert_flags([(project.pk, "behind_plan", "red", {"lag": "1"})], NOW)
    scan._insert_flags([(project.pk, "behind_plan", "yellow", {"lag": "2"}),
                        (project.pk, "report_missing", "yellow", {})], NOW)
    flags = dict(Flag.objects.values_list("kind", "severity"))
    assert flags == {"behind_plan": "red", "report_missing": "yellow"}


def test_the_report_days_are_local_days_and_a_correction_takes_no_slot(campaign):
    """Reports at 23:59 and 00:01 local are two days; three on one day are one (the last); the
    fourth-latest day's last report is the first end of the pace — by the SQL and the portable
    path alike. Days 11-14 (23:59), 11-15 (00:01, 09:00, 15:00), 11-17, 11-19, 11-20."""
    project = factories.ProjectFactory(campaign=campaign)
    zone = datetime.timezone(datetime.timedelta(hours=8))
    made = {}
    for when, pct in [((11, 14, 23, 59), "10"), ((11, 15, 0, 1), "11"), ((11, 15, 9, 0), "12"),
                      ((11, 15, 15, 0), "13"), ((11, 17, 10, 0), "15"), ((11, 19, 10, 0), "17"),
                      ((11, 20, 9, 0), "19")]:
        month, dom, hour, minute = when
        at = datetime.datetime(2026, month, dom, hour, minute, tzinfo=zone)
        made[when] = factories.ProgressReportFactory(project=project, percent=Decimal(pct),
                                                     reported_at=at)
    [row] = scan._projects_with_reports([campaign.pk], [project.pk], NOW)
    latest, first = row.latest, row.first
    assert latest[1] == Decimal("19")
    # The four last days: 11-20, 11-19, 11-17, 11-15 — whose last report (15:00) says 13.
    assert first == (made[(11, 15, 15, 0)].reported_at, Decimal("13.0"))
    assert tuple(scan._latest_reports([campaign.pk], [project.pk], NOW)[project.pk]) == (
        latest, first, None)
