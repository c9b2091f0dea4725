"""Every link a notification carries (reminders, the scan, notices, bulletins) opens a page for the
person it was sent to: the path resolves to a view and answers 200 when they follow it."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve

from campaign.models import Campaign, Role
from core.dates import day_start, local_date
from projects.models import Hazard
from projects.services import rectify_hazard
from supervision import notices
from supervision.bulletins import generate_bulletin, publish_bulletin
from supervision.hazards import announce_awaiting_review, review_hazard
from supervision.models import Notice, Notification
from supervision.reminders import send_reminders
from supervision.scan import scan_all
from web.demo import seed_demo

pytestmark = pytest.mark.django_db


def _users_with(role):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(groups__name=role).order_by("pk")


def test_every_link_in_every_notification_opens_a_page_for_its_reader(client):
    seed_demo()
    today = local_date()
    campaign = Campaign.objects.get(is_demo=True)
    supervisor = _users_with(Role.SUPERVISOR).first()
    # Reminders on the days around the report deadline (due tomorrow, due today, missed), the
    # scan's warnings, every notice step and a published bulletin.
    for days in range(-1, 9):
        moment = day_start(today + datetime.timedelta(days=days)) + datetime.timedelta(hours=19)
        send_reminders(moment)
        scan_all(now=moment)
    notice = notices.create_draft_notice(campaign.projects.order_by("pk").first(),
                                         reason="进度滞后", required_action="说明原因",
                                         created_by=supervisor)
    notices.issue_notice(notice, supervisor)
    notices.acknowledge_notice(Notice.objects.get(pk=notice.pk), notice.issued_to)
    notices.respond_to_notice(Notice.objects.get(pk=notice.pk), notice.issued_to, "已整改")
    bulletin = generate_bulletin(campaign, today - datetime.timedelta(days=7), today)
    publish_bulletin(bulletin, supervisor)
    # A major hazard's 整改完毕 announced to the supervisors (the task's body), one returned to
    # the team on review.
    major = Hazard.objects.filter(check_record__project__campaign=campaign, level="major",
                                  status=Hazard.Status.OPEN).first()
    rectify_hazard(major, major.check_record.project.leader, rectification="已整改")
    announce_awaiting_review(major.pk)
    waiting = Hazard.objects.filter(check_record__project__campaign=campaign,
                                    status=Hazard.Status.AWAITING_REVIEW).exclude(pk=major.pk).first()
    announce_awaiting_review(waiting.pk)
    review_hazard(waiting, supervisor, verdict="returned", note="未接地到位")

    links = Notification.objects.exclude(url="").select_related("user").order_by("pk")
    kinds = set(links.values_list("kind", flat=True))
    assert {"report_due", "report_missed", "notice_drafted", "notice_issued",
            "notice_responded", "bulletin_published", "hazard_review", "hazard_returned"} <= kinds, kinds
    # The supervisors' summary of missed reports is among them (it once linked to /projects/).
    assert links.filter(kind="report_missed", user=supervisor).exists()
    checked = set()
    for notification in links:
        path = urlsplit(notification.url).path
        try:
            resolve(path)
        except Resolver404:
            pytest.fail(f"{notification.kind} links to {notification.url}, which is no page")
        key = (notification.user_id, notification.url)
        if key in checked:
            continue
        checked.add(key)
        client.force_login(notification.user)
        response = client.get(notification.url)
        assert response.status_code == 200, (notification.kind, notification.url,
                                             notification.user.username)
    assert len(checked) > 10


@pytest.mark.parametrize("viewname", ["project_detail", "notice_detail"])
def test_a_path_maker_gives_the_very_path_reverse_gives(viewname):
    from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

    from core.links import path_maker

    keys = [1, 7, 42, 10**9, 9_876_543_210, 98_765_432_109]
    try:
        for prefix in ("/", "/gongjian/"):  # a site served under a sub-path too
            set_script_prefix(prefix)
            make = path_maker(viewname)
            assert [make(k) for k in keys] == [reverse(viewname, args=[k]) for k in keys]
            assert make(42).startswith(prefix)
    finally:
        clear_script_prefix()
    with pytest.raises(NoReverseMatch):
        path_maker("dashboard")  # a view without the one integer argument
