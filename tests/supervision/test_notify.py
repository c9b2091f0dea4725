"""Notifications and their deliveries: once per key, once per channel, retries only for
transient errors, with backoff and a cap (against real SMTP and webhook peers in
test_delivery_peers.py); the bell and the list page."""

import pytest
from django.core import mail
from django.urls import reverse

from supervision import notify
from supervision.models import Delivery, Notification
from supervision.tasks import deliver_task
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return factories.UserFactory(username="leader-mail", email="leader@example.cn")


def test_a_dedupe_key_sends_once(user, campaign):
    assert notify.notify([user], kind="k", title="标题", dedupe_key="k:1", campaign=campaign) == 1
    assert notify.notify([user], kind="k", title="标题", dedupe_key="k:1", campaign=campaign) == 0
    assert Notification.objects.filter(user=user).count() == 1
    assert Delivery.objects.filter(channel="email").count() == 1


def test_a_webhook_delivery_is_made_when_the_campaign_has_a_robot(user, campaign):
    campaign.webhook_url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x"
    campaign.save()
    notify.notify([user], kind="k", title="t", campaign=campaign)
    assert set(Delivery.objects.values_list("channel", flat=True)) == {"email", "webhook"}


def test_an_email_is_sent_once_even_when_the_task_runs_twice(user, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notify.notify([user], kind="k", title="督办提醒")
    delivery = Delivery.objects.get()
    assert deliver_task.apply(args=[delivery.pk]).get() == "sent"
    assert deliver_task.apply(args=[delivery.pk]).get() == "skipped"
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)


def test_backoff_grows_and_is_capped():
    assert [notify.backoff(n) for n in (1, 2, 3)] == [30, 120, 480]
    assert notify.backoff(20) == notify.BACKOFF_CAP


def test_the_webhook_payload_is_a_group_robot_text_message(user, campaign):
    campaign.webhook_url = "https://oapi.dingtalk.com/robot/send?access_token=x"
    campaign.save()
    notify.notify([user], kind="k", title="项目预警", campaign=campaign)
    assert notify.webhook_payload(Notification.objects.get()) == {
        "msgtype": "text", "text": {"content": "项目预警"}}


def test_the_bell_shows_the_unread_count_and_the_list_marks_read(client, user):
    notify.notify([user], kind="k", title="第一条", url="/notifications/")
    notify.notify([user], kind="k", title="第二条")
    client.force_login(user)
    page = client.get(reverse("notifications:list"))
    assert page.status_code == 200
    assert page.context["unread_notifications"] == 2
    assert "第一条" in page.content.decode()
    first = Notification.objects.get(title="第一条")
    response = client.post(reverse("notifications:read", args=[first.pk]))
    assert response.status_code == 302 and response.url == "/notifications/"
    assert client.get(reverse("notifications:list")).context["unread_notifications"] == 1
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()


def test_nobody_can_mark_another_users_notification(client, user, outsider):
    notify.notify([user], kind="k", title="t")
    client.force_login(outsider)
    note = Notification.objects.get()
    assert client.post(reverse("notifications:read", args=[note.pk])).status_code == 404
