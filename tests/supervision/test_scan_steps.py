"""The scan as three steps: read the inputs, decide, apply. The decision is what a caller acts
on, and deciding writes nothing — so it can be looked at before (or without) the writes."""

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
