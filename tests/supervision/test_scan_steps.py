"""The scan as three steps: read the inputs, decide, apply. The decision is what a caller acts
on, and deciding writes nothing — so it can be looked at before (or without) the writes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaign.models import Campaign
from projects.models import Project
from supervision import scan
from supervision.models import Flag, Notice, Notification

from .conftest import NOW, day, report

pytestmark = pytest.mark.django_db


def _inputs(campaign_id):
    return scan.read_inputs({campaign_id: Campaign.objects.get(pk=campaign_id)}, None, NOW)


def test_deciding_writes_nothing_and_says_what_the_scan_then_does(make_project):
    behind = make_project()
    report(behind, "20", day(11, 19))  # 21.4 points behind the linear plan's 41.4: red
    on_plan = make_project()
    report(on_plan, "41.4", day(11, 19))

    inputs = _inputs(behind.campaign_id)
    with CaptureQueriesContext(connection) as queries:
        decision = scan.decide(inputs, NOW)
    assert len(queries) == 0
    assert not Flag.objects.exists() and not Notice.objects.exists()
    assert not Notification.objects.exists()

    assert [(f.project_id, f.kind, f.severity) for f in decision.to_open] == [
        (behind.pk, "behind_plan", "red")]
    assert decision.to_update == [] and decision.to_resolve == []
    assert dict(decision.health_changes) == {"red": [behind.pk]}
    assert [n.project_id for n in decision.notices] == [behind.pk]
    [(leader_campaign, news)] = decision.leader_news.items()
    assert leader_campaign == (behind.leader_id, behind.campaign_id)
    assert [(n.project_id, n.kinds) for n in news] == [(behind.pk, [("behind_plan", "red")])]

    # The scan applies exactly that decision.
    result = scan.scan_campaign(behind.campaign_id, now=NOW)
    assert dict(result.opened) == {"behind_plan": 1}
    assert set(Flag.objects.values_list("project_id", "kind", "severity")) == {
        (behind.pk, "behind_plan", "red")}
    assert Project.objects.get(pk=behind.pk).health == "red"
    assert Notice.objects.filter(project=behind).count() == 1


def test_after_the_scan_the_decision_is_to_do_nothing(make_project):
    project = make_project()
    report(project, "30", day(11, 19))
    scan.scan_campaign(project.campaign_id, now=NOW)
    decision = scan.decide(_inputs(project.campaign_id), NOW)
    assert (decision.to_open, decision.to_update, decision.to_resolve) == ([], [], [])
    assert not decision.health_changes and not decision.notices and not decision.leader_news


def test_a_flag_no_longer_true_is_decided_resolved(make_project):
    project = make_project()
    report(project, "30", day(11, 19))
    scan.scan_campaign(project.campaign_id, now=NOW)
    flag = Flag.objects.get(project=project)
    report(project, "42.4", NOW.date(), hour=11)
    decision = scan.decide(_inputs(project.campaign_id), NOW)
    assert decision.to_resolve == [(flag.pk, "behind_plan")]
    assert dict(decision.health_changes) == {"green": [project.pk]}
    flag.refresh_from_db()
    assert flag.resolved_at is None  # deciding did not resolve it


def test_the_next_day_with_nothing_new_writes_no_flag_row(make_project):
    """Dates, not counts, are stored: a day later the milestone, obstacle and lag are all still
    there and a day older, yet no flag row is written (no UPDATE of a flag, updated_at as it was);
    the sentences count the days on read."""
    from supervision.notices import describe_flag
    from tests import factories

    project = make_project()
    factories.MilestoneFactory(project=project, due_date=day(11, 15), planned_percent=30)
    report(project, "30", day(11, 19))  # 11.4 behind: yellow; the milestone met (30 %)
    factories.MilestoneFactory(project=project, due_date=day(11, 16), planned_percent=90)
    factories.ObstacleFactory(project=project, due_date=day(11, 17),
                              raised_at=NOW - datetime.timedelta(days=10))
    scan.scan_campaign(project.campaign_id, now=NOW)
    before = {f.pk: (f.severity, f.details, f.updated_at) for f in Flag.objects.all()}
    assert {"behind_plan", "milestone_overdue", "obstacle_overdue"} <= set(
        Flag.objects.values_list("kind", flat=True))

    tomorrow = NOW + datetime.timedelta(days=1)
    with CaptureQueriesContext(connection) as queries:
        result = scan.scan_campaign(project.campaign_id, now=tomorrow)
    flag_writes = [q["sql"] for q in queries.captured_queries
                   if q["sql"].lstrip().startswith(("UPDATE", "INSERT"))
                   and q["sql"].split()[2 if q["sql"].startswith("INSERT") else 1].strip('"')
                   == Flag._meta.db_table]
    assert flag_writes == []
    assert not result.updated and not result.opened and not result.resolved
    assert {f.pk: (f.severity, f.details, f.updated_at) for f in Flag.objects.all()} == before

    obstacle = Flag.objects.get(kind="obstacle_overdue")
    # 11-17 passed: 3 days on 11-20, 4 on 11-21 — counted from the date stored.
    for as_of, days in ((NOW.date(), "3"), (tomorrow.date(), "4")):
        assert describe_flag(obstacle.kind, obstacle.severity, obstacle.details,
                             as_of=as_of).count(days) >= 1


def test_an_old_flag_with_days_overdue_still_reads(make_project):
    from supervision.notices import describe_flag

    text = describe_flag("obstacle_overdue", "yellow",
                         {"count": 1, "days_overdue": 4, "grace": 7}, as_of=NOW.date())
    assert "4" in text and "7" in text


def _settings():
    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('jit'), current_setting('random_page_cost'), "
                    "current_setting('max_parallel_workers_per_gather')")
        return cur.fetchone()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner settings")
def test_the_scans_planner_settings_end_with_it_inside_a_callers_transaction(make_project,
                                                                            monkeypatch):
    """The scan runs its queries without JIT or parallel workers and with random_page_cost 1.1,
    for its own transaction only: called inside a caller's (seed_demo's, a test's), the caller
    gets its own settings back — and they hold during the scan."""
    project = make_project()
    report(project, "20", day(11, 19))
    with connection.cursor() as cur:
        cur.execute("SET LOCAL random_page_cost = 3.5; SET LOCAL jit = on")
    before = _settings()
    assert before[:2] == ("on", "3.5")

    seen = []
    original = scan.read_inputs

    def read_and_look(*args, **kwargs):
        seen.append(_settings())
        return original(*args, **kwargs)

    monkeypatch.setattr(scan, "read_inputs", read_and_look)  # the real one, looked around
    result = scan.scan_campaign(project.campaign_id, now=NOW)
    assert result.projects == 1
    assert seen == [("off", "1.1", "0")]
    assert _settings() == before
