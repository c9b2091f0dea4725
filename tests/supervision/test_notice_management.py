"""Notices a supervisor can manage (issue 15, item 5): drafts edited and deleted without a gap in
the numbers, an automatic draft's figures brought up to date on issue, one draft per project,
urging (催办) by hand with a count in the list, the response shown before the verdict."""

import datetime

import pytest
from django.urls import reverse

from supervision import notices as svc
from supervision.models import Notice, NoticeEvent, Notification
from supervision.scan import scan_campaign
from tests import factories

from .conftest import NOW, day, report

pytestmark = pytest.mark.django_db


def _draft(project, by, reason="进度滞后15个百分点"):
    return svc.create_draft_notice(project, [], reason=reason, required_action="三日内报送整改措施",
                                   created_by=by)


def test_a_draft_is_edited_on_its_page_and_the_edit_is_on_the_record(client, project,
                                                                    supervisor_in_town):
    notice = _draft(project, supervisor_in_town)
    client.force_login(supervisor_in_town)
    page = client.get(reverse("notice_detail", args=[notice.pk])).content.decode()
    assert reverse("notice_edit", args=[notice.pk]) in page
    form = client.get(reverse("notice_edit", args=[notice.pk])).content.decode()
    assert "进度滞后15个百分点" in form
    response = client.post(reverse("notice_edit", args=[notice.pk]),
                           {"reason": "进度滞后18个百分点，连续两周未报", "required_action": "五日内整改"})
    assert response.status_code == 302
    page = client.get(reverse("notice_detail", args=[notice.pk])).content.decode()
    assert "进度滞后18个百分点，连续两周未报" in page and "五日内整改" in page
    assert NoticeEvent.objects.filter(notice=notice, action="edited",
                                      actor=supervisor_in_town).count() == 1


def test_an_empty_edit_is_refused_beside_the_field_and_keeps_the_text(client, project,
                                                                     supervisor_in_town):
    notice = _draft(project, supervisor_in_town)
    client.force_login(supervisor_in_town)
    response = client.post(reverse("notice_edit", args=[notice.pk]),
                           {"reason": "", "required_action": "保留这句话"})
    assert response.status_code == 400
    assert "保留这句话" in response.content.decode() and "invalid-feedback" in \
        response.content.decode()
    notice.refresh_from_db()
    assert notice.required_action == "三日内报送整改措施"


def test_only_a_draft_is_edited_and_only_by_the_supervision_group(client, project,
                                                                 supervisor_in_town):
    notice = _draft(project, supervisor_in_town)
    client.force_login(project.leader)
    assert client.post(reverse("notice_edit", args=[notice.pk]),
                       {"reason": "x", "required_action": "y"}).status_code in (403, 404)
    svc.issue_notice(notice, supervisor_in_town)
    client.force_login(supervisor_in_town)
    assert client.post(reverse("notice_edit", args=[notice.pk]),
                       {"reason": "x", "required_action": "y"}).status_code == 403
    notice.refresh_from_db()
    assert notice.reason == "进度滞后15个百分点"


def test_a_deleted_draft_leaves_no_gap_in_the_numbers(client, project, supervisor_in_town):
    first, duplicate, third = (_draft(project, supervisor_in_town) for _ in range(3))
    client.force_login(supervisor_in_town)
    response = client.post(reverse("notice_step", args=[duplicate.pk, "delete"]))
    assert response.status_code == 302
    assert not Notice.objects.filter(pk=duplicate.pk).exists()
    svc.issue_notice(first, supervisor_in_town)
    svc.issue_notice(third, supervisor_in_town)
    year = first.year
    assert [first.number, third.number] == [f"{project.campaign.notice_prefix}〔{year}〕1号",
                                            f"{project.campaign.notice_prefix}〔{year}〕2号"]
    # An issued notice is on the record for good.
    assert client.post(reverse("notice_step", args=[first.pk, "delete"])).status_code == 403
    assert Notice.objects.filter(pk=first.pk).exists()


def test_an_automatic_draft_issued_later_says_the_figures_of_the_day_it_is_issued(
        make_project, supervisor_in_town):
    project = make_project()
    report(project, "20", day(11, 19))
    scan_campaign(project.campaign_id, now=NOW)
    notice = Notice.objects.get(project=project)
    assert "实际20.0%" in notice.reason
    # The team reports 36.5 % the next day; the scan updates the warning, not the draft.
    report(project, "36.5", day(11, 20), hour=15)
    scan_campaign(project.campaign_id, now=NOW + datetime.timedelta(hours=4))
    assert Notice.objects.filter(project=project).count() == 1
    notice.refresh_from_db()
    assert "实际36.5%" not in notice.reason
    svc.issue_notice(notice, supervisor_in_town)
    notice.refresh_from_db()
    assert "实际36.5%" in notice.reason and "实际20.0%" not in notice.reason
    issued = Notification.objects.get(user=project.leader, kind="notice_issued")
    assert "实际36.5%" in issued.body


def test_a_draft_reason_typed_by_hand_is_kept_on_issue(make_project, supervisor_in_town):
    project = make_project()
    report(project, "20", day(11, 19))
    scan_campaign(project.campaign_id, now=NOW)
    notice = Notice.objects.get(project=project)
    svc.edit_draft_notice(notice, supervisor_in_town, reason="经现场核实，进度严重滞后",
                          required_action=notice.required_action)
    report(project, "36.5", day(11, 20), hour=15)
    scan_campaign(project.campaign_id, now=NOW + datetime.timedelta(hours=4))
    svc.issue_notice(notice, supervisor_in_town)
    notice.refresh_from_db()
    assert notice.reason == "经现场核实，进度严重滞后"


def test_no_automatic_draft_when_a_draft_typed_by_hand_exists(make_project, supervisor_in_town):
    project = make_project()
    _draft(project, supervisor_in_town)
    report(project, "20", day(11, 19))
    result = scan_campaign(project.campaign_id, now=NOW)
    assert result.notices_drafted == 0
    assert Notice.objects.filter(project=project).count() == 1


def test_no_automatic_draft_while_an_issued_notice_is_open(
        make_project, supervisor_in_town):
    project = make_project()
    notice = _draft(project, supervisor_in_town)
    svc.issue_notice(notice, supervisor_in_town)
    report(project, "20", day(11, 19))
    assert scan_campaign(project.campaign_id, now=NOW).notices_drafted == 0
    assert list(Notice.objects.filter(project=project)) == [notice]


def test_urging_by_hand_notifies_the_leader_with_the_note_and_counts_in_the_list(
        client, project, supervisor_in_town):
    notice = _draft(project, supervisor_in_town)
    svc.issue_notice(notice, supervisor_in_town)
    client.force_login(supervisor_in_town)
    page = client.get(reverse("notice_detail", args=[notice.pk])).content.decode()
    assert 'id="do-urge"' in page
    for note in ("请于明日前反馈", "再次催办：今日下班前反馈"):
        response = client.post(reverse("notice_step", args=[notice.pk, "urge"]),
                               {"urge-note": note})
        assert response.status_code == 302
    urged = Notification.objects.filter(user=project.leader, kind="notice_urged")
    assert sorted(urged.values_list("body", flat=True)) == sorted(
        ["请于明日前反馈", "再次催办：今日下班前反馈"])
    events = NoticeEvent.objects.filter(notice=notice, action="urged")
    assert [(e.actor, e.comment) for e in events] == [
        (supervisor_in_town, "请于明日前反馈"), (supervisor_in_town, "再次催办：今日下班前反馈")]
    listing = client.get(reverse("notice_list"), {"campaign": project.campaign_id}).content.decode()
    assert f'<td class="urge-count">{events.count()}</td>' in listing


def test_urging_needs_a_note_and_an_open_notice(client, project, supervisor_in_town):
    notice = _draft(project, supervisor_in_town)
    client.force_login(supervisor_in_town)
    assert client.post(reverse("notice_step", args=[notice.pk, "urge"]),
                       {"urge-note": "x"}).status_code == 403  # a draft is not urged
    svc.issue_notice(notice, supervisor_in_town)
    response = client.post(reverse("notice_step", args=[notice.pk, "urge"]), {"urge-note": " "})
    assert response.status_code == 400 and "invalid-feedback" in response.content.decode()
    assert not NoticeEvent.objects.filter(notice=notice, action="urged").exists()
    client.force_login(project.leader)
    assert client.post(reverse("notice_step", args=[notice.pk, "urge"]),
                       {"urge-note": "自己催自己"}).status_code in (403, 404)
    notice.refresh_from_db()
    assert notice.urge_count == 0


def test_the_review_page_shows_the_response_before_return_and_close(client, project,
                                                                    supervisor_in_town):
    notice = _draft(project, supervisor_in_town)
    svc.issue_notice(notice, supervisor_in_town)
    svc.acknowledge_notice(notice, project.leader)
    svc.respond_to_notice(notice, project.leader, "已增加两个施工班组")
    client.force_login(supervisor_in_town)
    page = client.get(reverse("notice_detail", args=[notice.pk])).content.decode()
    answer = page.index("已增加两个施工班组")
    assert answer < page.index('id="step-return"') and answer < page.index('id="step-close"')


def test_the_supervisor_who_is_not_of_the_town_may_not_manage(client, project,
                                                             supervisor_in_town):
    from campaign.models import Role

    notice = _draft(project, supervisor_in_town)
    elsewhere = factories.UserFactory(roles=[Role.SUPERVISOR])
    elsewhere.profile.unit = factories.UnitFactory()
    elsewhere.profile.save()
    with pytest.raises(svc.NoticeStepRefused):
        svc.delete_draft_notice(notice, elsewhere)
    assert Notice.objects.filter(pk=notice.pk).exists()
