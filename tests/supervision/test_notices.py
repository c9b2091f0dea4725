"""The notice's life: who may take which step, the events and notifications each step leaves,
urging and escalation, and numbers with no gaps under concurrency (PostgreSQL)."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import translation

from campaign.models import Role
from supervision import notices as svc
from supervision.models import Criticism, Notice, NoticeEvent, Notification
from tests import factories

from .conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """The refusals are asserted in their English msgids; the zh_Hans catalogue translates them."""
    with translation.override("en"):
        yield


@pytest.fixture
def draft(project, supervisor_in_town):
    return svc.create_draft_notice(project, [], reason="进度滞后15个百分点",
                                   required_action="三日内报送整改措施",
                                   created_by=supervisor_in_town)


def actions(notice):
    return list(NoticeEvent.objects.filter(notice=notice).values_list("action", flat=True))


def test_the_full_life_of_a_notice(draft, supervisor_in_town, project):
    leader = project.leader
    svc.issue_notice(draft, supervisor_in_town)
    assert draft.status == "issued" and draft.number.endswith(f"〔{draft.year}〕1号")
    assert draft.respond_by is not None
    assert Notification.objects.filter(user=leader, kind="notice_issued").count() == 1

    svc.acknowledge_notice(draft, leader)
    response = svc.respond_to_notice(draft, leader, "已增加两个施工班组")
    assert response.notice == draft and draft.status == "responded"
    assert Notification.objects.filter(user=supervisor_in_town, kind="notice_responded").exists()

    svc.return_notice(draft, supervisor_in_town, "请补充现场照片")
    assert draft.status == "returned"
    svc.respond_to_notice(draft, leader, "已补充照片")
    svc.close_notice(draft, supervisor_in_town, "核查属实，同意销号")
    assert draft.status == "closed" and draft.closed_at is not None
    assert actions(draft) == ["created", "issued", "acknowledged", "responded", "returned",
                              "responded", "closed"]
    assert NoticeEvent.objects.filter(notice=draft, action="closed").get().actor == \
        supervisor_in_town


def test_a_leader_cannot_issue_and_a_supervisor_cannot_answer(draft, project, supervisor_in_town):
    with pytest.raises(svc.NoticeStepRefused) as refused:
        svc.issue_notice(draft, project.leader)
    assert "supervision group" in str(refused.value)
    svc.issue_notice(draft, supervisor_in_town)
    with pytest.raises(svc.NoticeStepRefused, match="leader the notice is issued to"):
        svc.acknowledge_notice(draft, supervisor_in_town)
    other_leader = factories.UserFactory(roles=[Role.LEADER])
    with pytest.raises(svc.NoticeStepRefused):
        svc.acknowledge_notice(draft, other_leader)


def test_steps_out_of_order_are_refused_with_the_reason(draft, project, supervisor_in_town):
    assert svc.refusal("close", draft, supervisor_in_town) == \
        "Only a notice with a response can be closed."
    svc.issue_notice(draft, supervisor_in_town)
    with pytest.raises(svc.NoticeStepRefused, match="Acknowledge the notice before"):
        svc.respond_to_notice(draft, project.leader, "措施")
    with pytest.raises(svc.NoticeStepRefused, match="Only a draft notice can be issued"):
        svc.issue_notice(draft, supervisor_in_town)
    assert svc.allowed_steps(draft, project.leader) == ["acknowledge"]
    assert svc.allowed_steps(draft, supervisor_in_town) == []


def test_a_response_needs_measures_and_a_return_needs_a_reason(draft, project, supervisor_in_town):
    svc.issue_notice(draft, supervisor_in_town)
    svc.acknowledge_notice(draft, project.leader)
    with pytest.raises(ValidationError):
        svc.respond_to_notice(draft, project.leader, "  ")
    svc.respond_to_notice(draft, project.leader, "措施")
    with pytest.raises(ValidationError):
        svc.return_notice(draft, supervisor_in_town, "")


def test_numbers_are_consecutive_per_campaign_and_year(project, supervisor_in_town):
    numbers = []
    for _ in range(3):
        notice = svc.create_draft_notice(project, reason="r", required_action="a")
        numbers.append(svc.issue_notice(notice, supervisor_in_town).number)
    year = numbers[0][3:7]
    assert numbers == [f"湖督〔{year}〕{n}号" for n in (1, 2, 3)]


def test_an_overdue_notice_is_urged_once_a_day_then_escalated_with_a_criticism(
        draft, project, supervisor_in_town):
    svc.issue_notice(draft, supervisor_in_town, respond_by=datetime.date.today())
    Notice.objects.filter(pk=draft.pk).update(respond_by=NOW.date() - datetime.timedelta(days=2))
    campaign = project.campaign

    assert svc.urge_overdue_notices(campaign, NOW) == {"urged": 1, "escalated": 0}
    assert svc.urge_overdue_notices(campaign, NOW + datetime.timedelta(hours=2)) == \
        {"urged": 0, "escalated": 0}
    counts = svc.urge_overdue_notices(campaign, NOW + datetime.timedelta(days=1))
    assert counts == {"urged": 1, "escalated": 1}
    draft.refresh_from_db()
    assert draft.urge_count == 2 and draft.escalated_at is not None
    criticism = Criticism.objects.get(notice=draft)
    assert criticism.person == project.leader and criticism.status == "draft"
    assert Notification.objects.filter(user=project.leader, kind="notice_urged").count() == 2
    assert Notification.objects.filter(user=supervisor_in_town, kind="notice_escalated").exists()
    svc.urge_overdue_notices(campaign, NOW + datetime.timedelta(days=2))
    assert Criticism.objects.filter(notice=draft).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_get_numbers_with_no_gap_and_no_duplicate():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    campaign = factories.CampaignFactory()
    supervisor = factories.UserFactory(roles=[Role.SUPERVISOR])
    supervisor.profile.unit = campaign.unit  # the group of the campaign's own town
    supervisor.profile.save(update_fields=["unit"])
    drafts = [svc.create_draft_notice(factories.ProjectFactory(campaign=campaign), reason="r",
                                      required_action="a") for _ in range(12)]
    barrier = threading.Barrier(len(drafts))
    errors = []

    def issue(notice):
        try:
            barrier.wait()
            svc.issue_notice(notice, supervisor)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(n,)) for n in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    sequences = sorted(Notice.objects.filter(campaign=campaign).values_list("sequence", flat=True))
    assert sequences == list(range(1, 13))
