"""The scan's writes are set-based: on PostgreSQL the flags whose details change, the projects'
health and the notices issued at once go as one UPDATE … FROM unnest per batch, never as
bulk_update's CASE WHEN per row — and they write what the rows say."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.bulk import update_rows
from projects.models import Project
from supervision.models import Flag, Notice
from supervision.scan import scan_campaign

from .conftest import NOW, day, report

pytestmark = pytest.mark.django_db


def _updates(queries, model=None):
    sqls = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith("UPDATE")]
    if model is None:
        return sqls
    table = model._meta.db_table
    return [s for s in sqls if s.split()[1].strip('"') == table]


def test_many_changed_flags_and_lights_take_one_update_each(postgres, make_project):
    projects = [make_project() for _ in range(12)]
    for project in projects:
        report(project, "30", day(11, 19))  # 11.4 behind: yellow
    scan_campaign(projects[0].campaign_id, now=NOW)
    assert set(Project.objects.values_list("health", flat=True)) == {"yellow"}
    for i, project in enumerate(projects):
        report(project, "20" if i % 2 else "19", NOW.date(), hour=9)  # all red, lags differ
    with CaptureQueriesContext(connection) as queries:
        result = scan_campaign(projects[0].campaign_id, now=NOW)
    assert result.updated["behind_plan"] == 12 and result.health_changed == 12
    updates = _updates(queries)
    # bulk_update's CASE has a WHEN per row; the review moment's guard is one condition.
    assert not any(sql.count(" WHEN ") > 1 for sql in updates)
    if connection.vendor == "postgresql":
        flag_updates = _updates(queries, Flag)
        health_updates = _updates(queries, Project)
        assert len(flag_updates) == 1 and "unnest" in flag_updates[0]
        assert len(health_updates) == 1 and "unnest" in health_updates[0]
    # What was written: every flag red with its own lag, recomputed from the plan (42.4 today).
    for i, project in enumerate(projects):
        flag = Flag.objects.get(project=project, kind="behind_plan", resolved_at__isnull=True)
        actual = 20 if i % 2 else 19
        assert flag.severity == "red"
        assert flag.details["lag"] == f"{42.4 - actual:.1f}"
        assert flag.updated_at == NOW
    assert set(Project.objects.values_list("health", flat=True)) == {"red"}


def test_update_rows_writes_each_row_its_own_values_and_the_constants(make_project):
    a, b = make_project(), make_project()
    when = datetime.datetime(2026, 11, 21, 8, 0, tzinfo=datetime.UTC)
    flags = [Flag.objects.create(project=p, kind="behind_plan", severity="yellow",
                                 details={"lag": "6"}, opened_at=NOW, updated_at=NOW)
             for p in (a, b)]
    assert update_rows(Flag, ["severity", "details"],
                       [(flags[0].pk, "red", {"lag": "16", "note": None}),
                        (flags[1].pk, "yellow", {"due": "2026-11-19"})],
                       also={"updated_at": when}) == 2
    got = {f.pk: (f.severity, f.details, f.updated_at) for f in Flag.objects.all()}
    assert got == {flags[0].pk: ("red", {"lag": "16", "note": None}, when),
                   flags[1].pk: ("yellow", {"due": "2026-11-19"}, when)}
    assert update_rows(Project, ["health"], []) == 0


def test_notices_issued_at_once_are_written_issued_by_one_insert(postgres, make_project):
    project = make_project()
    campaign = project.campaign
    campaign.auto_issue_notices = True
    campaign.save()
    others = [make_project() for _ in range(2)]
    for p in [project, *others]:
        report(p, "10", day(11, 19))  # red: a notice each, issued at once
    with CaptureQueriesContext(connection) as queries:
        result = scan_campaign(campaign.pk, now=NOW)
    assert result.notices_issued == 3
    # Numbered before they are written: no update of the notices, one insert of all three.
    assert _updates(queries, Notice) == []
    inserts = [q["sql"] for q in queries.captured_queries
               if q["sql"].startswith(f'INSERT INTO "{Notice._meta.db_table}"')]
    assert len(inserts) == 1 and "unnest" in inserts[0]
    notices = list(Notice.objects.order_by("sequence"))
    assert [n.sequence for n in notices] == [1, 2, 3]
    assert {n.status for n in notices} == {"issued"}
    assert {n.respond_by for n in notices} == {
        NOW.date() + datetime.timedelta(days=campaign.notice_response_days)}
    assert all(n.number and n.year == NOW.year and n.issued_at == NOW for n in notices)
