"""Irreversible steps are confirmed (issue 15, item 6): confirming a criticism, publishing a
bulletin and issuing in bulk each show a page that says who will be named or notified, and nothing
happens until it is confirmed; a withdrawn criticism stays on the record."""

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from campaign.people import name_of
from supervision import bulletins, criticism
from supervision.models import Bulletin, Criticism, Notice, Notification
from tests import factories

from .conftest import make_notice

pytestmark = pytest.mark.django_db


def _list(page: str, list_id: str) -> list[str]:
    block = page.split(f'id="{list_id}"', 1)[1].split("</ul>", 1)[0]
    return [html.unescape(x).strip() for x in re.findall(r"<li[^>]*>(.*?)</li>", block, re.S)]


def _no_inline_script(page: str):
    # The CSP forbids inline script: the confirmation works by a plain form.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "onclick=" not in page and "onsubmit=" not in page


def test_confirming_a_criticism_first_shows_who_will_be_named(client, campaign, project,
                                                              supervisor, leader):
    leader.profile.full_name = "李建国"
    leader.profile.save()
    item = criticism.draft_criticism(project, person=leader, reason="连续两周未报送进度")
    client.force_login(supervisor)
    listing = client.get(reverse("criticism_list"), {"campaign": campaign.pk}).content.decode()
    assert f'href="{reverse("criticism_confirm", args=[item.pk])}"' in listing
    page = client.get(reverse("criticism_confirm", args=[item.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert _list(body, "confirm-named") == ["李建国"]
    assert "连续两周未报送进度" in body and str(project) in body
    _no_inline_script(body)
    item.refresh_from_db()
    assert item.status == Criticism.Status.DRAFT  # looking is not confirming
    assert client.post(reverse("criticism_confirm", args=[item.pk])).status_code == 302
    item.refresh_from_db()
    assert item.status == Criticism.Status.CONFIRMED and item.confirmed_by == supervisor


def test_a_withdrawn_criticism_stays_on_the_record_and_out_of_the_bulletin(
        client, campaign, project, supervisor, leader):
    item = criticism.draft_criticism(project, person=leader, reason="未按期反馈督办单")
    client.force_login(supervisor)
    assert client.post(reverse("criticism_withdraw", args=[item.pk])).status_code == 302
    item.refresh_from_db()
    assert item.status == Criticism.Status.WITHDRAWN
    assert item.withdrawn_by == supervisor and item.withdrawn_at is not None
    listing = client.get(reverse("criticism_list"), {"campaign": campaign.pk}).content.decode()
    assert "未按期反馈督办单" in listing and "Withdrawn" in listing
    # Withdrawn is final: it cannot be confirmed after all, nor withdrawn twice.
    client.post(reverse("criticism_confirm", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == Criticism.Status.WITHDRAWN
    with pytest.raises(Exception, match="Only a draft"):
        criticism.withdraw_criticism(item, supervisor)
    today = timezone.localdate()
    bulletin = bulletins.generate_bulletin(campaign, today - datetime.timedelta(days=6), today)
    assert not bulletin.criticisms.filter(pk=item.pk).exists()


def test_publishing_a_bulletin_first_lists_everyone_who_will_be_notified(
        client, campaign, project, supervisor, leader, observer, team_member):
    today = timezone.localdate()
    bulletin = bulletins.generate_bulletin(campaign, today - datetime.timedelta(days=6), today)
    client.force_login(supervisor)
    detail = client.get(reverse("bulletin_detail", args=[bulletin.pk])).content.decode()
    assert f'href="{reverse("bulletin_publish", args=[bulletin.pk])}"' in detail
    page = client.get(reverse("bulletin_publish", args=[bulletin.pk])).content.decode()
    _no_inline_script(page)
    shown = sorted(_list(page, "confirm-notified"))
    bulletin.refresh_from_db()
    assert bulletin.status == Bulletin.Status.DRAFT
    assert not Notification.objects.filter(kind="bulletin_published").exists()

    assert client.post(reverse("bulletin_publish", args=[bulletin.pk])).status_code == 302
    bulletin.refresh_from_db()
    assert bulletin.status == Bulletin.Status.PUBLISHED
    notified = [name_of(n.user) for n in Notification.objects.filter(
        kind="bulletin_published").select_related("user__profile")]
    assert shown == sorted(notified)
    # A published bulletin has no confirmation page any more.
    again = client.get(reverse("bulletin_publish", args=[bulletin.pk]))
    assert again.status_code == 302


def test_issuing_in_bulk_first_shows_each_leader_notified_and_keeps_the_choice(
        client, campaign, project, supervisor, leader, other_leader):
    other = factories.ProjectFactory(campaign=campaign, leader=other_leader, code="HN-02")
    left_alone = factories.ProjectFactory(campaign=campaign, code="HN-03")
    drafts = [make_notice(project, supervisor, "draft"), make_notice(other, supervisor, "draft")]
    untouched = make_notice(left_alone, supervisor, "draft")
    due = timezone.localdate() + datetime.timedelta(days=5)
    client.force_login(supervisor)
    response = client.post(reverse("supervision_bulk_issue"), {
        "campaign": campaign.pk, "notices": [n.pk for n in drafts], "respond_by": due.isoformat()})
    assert response.status_code == 200
    page = response.content.decode()
    _no_inline_script(page)
    assert sorted(_list(page, "confirm-notified")) == sorted([name_of(leader),
                                                              name_of(other_leader)])
    assert name_of(left_alone.leader) not in page
    assert not Notice.objects.exclude(status=Notice.Status.DRAFT).exists()

    # The confirmation's own form issues exactly what was ticked, with the date typed.
    form = page.split('id="confirm-form"', 1)[1].split("</form>", 1)[0]
    data = {"confirmed": [], "notices": [], "campaign": [], "respond_by": []}
    for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form):
        if name in data:
            data[name].append(value)
    response = client.post(reverse("supervision_bulk_issue"), data)
    assert response.status_code == 302
    issued = Notice.objects.filter(status=Notice.Status.ISSUED)
    assert sorted(issued.values_list("pk", flat=True)) == sorted(n.pk for n in drafts)
    assert set(issued.values_list("respond_by", flat=True)) == {due}
    untouched.refresh_from_db()
    assert untouched.status == Notice.Status.DRAFT
    assert sorted(Notification.objects.filter(kind="notice_issued")
                  .values_list("user__username", flat=True)) == sorted(
        [leader.username, other_leader.username])
