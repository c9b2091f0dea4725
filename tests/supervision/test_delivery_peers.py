"""Deliveries against real peers on loopback: an SMTP server (aiosmtpd) and a group-robot webhook
(http.server), each told how to answer. Transient answers (4xx SMTP, a server that is down, HTTP
5xx/429, a robot that is busy, a timeout) leave the delivery pending with its backoff; permanent
ones (5xx SMTP, HTTP 4xx, a robot that refuses) fail it at once; the next attempt sends it, once."""

import datetime
import json
import threading
import time
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from supervision import notify
from supervision.models import Delivery, Notification
from supervision.tasks import deliver_task
from tests import factories
from tests.servers import free_port

pytestmark = pytest.mark.django_db


class ScriptedSMTP:
    """Answers DATA with the next scripted reply ("250 OK" once the script is used up) and keeps
    what it accepted."""

    def __init__(self):
        self.replies: list[str] = []
        self.accepted: list[bytes] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.replies and self.replies[0].startswith("550"):
            return self.replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        reply = self.replies.pop(0) if self.replies else "250 OK"
        if reply.startswith("250"):
            self.accepted.append(envelope.content)
        return reply


@pytest.fixture
def smtp(settings):
    handler = ScriptedSMTP()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", controller.port, 3
    handler.controller = controller
    yield handler
    handler.controller.stop()


class Robot(BaseHTTPRequestHandler):
    """A group robot: answers each POST with the next scripted (status, body, delay)."""

    script: list = []
    received: list = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        status, answer, delay = self.script.pop(0) if self.script else (200, {"errcode": 0}, 0)
        time.sleep(delay)
        if status == 200 and answer.get("errcode") == 0:
            self.received.append(json.loads(body))
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def robot(campaign, monkeypatch, settings):
    # The local peer is a plain-HTTP robot on loopback: allowed for these tests only.
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    Robot.script, Robot.received = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Robot)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    campaign.webhook_url = f"http://127.0.0.1:{server.server_port}/cgi-bin/webhook/send?key=x"
    campaign.save()
    monkeypatch.setattr(notify, "WEBHOOK_TIMEOUT", 1)
    yield Robot
    server.shutdown()
    server.server_close()


@pytest.fixture
def leader():
    return factories.UserFactory(username="leader-mail", email="leader@example.cn")


def only(channel) -> Delivery:
    return Delivery.objects.get(channel=channel)


def retry_now(delivery: Delivery) -> None:
    """Let the backoff pass (the sweep would pick the delivery up then)."""
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=datetime.datetime(
        2000, 1, 1, tzinfo=datetime.UTC))


def subject(raw: bytes) -> str:
    return str(make_header(decode_header(message_from_bytes(raw)["Subject"])))


def test_a_mail_server_saying_try_later_is_retried_and_the_mail_then_sent_once(smtp, leader):
    notify.notify([leader], kind="notice_issued", title="督办单 湖督〔2026〕1号：请于11月23日前反馈")
    delivery = only("email")
    smtp.replies = ["451 4.3.0 try again later"]
    with pytest.raises(notify.TransientDeliveryError):
        notify.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "pending" and "451" in delivery.last_error
    assert delivery.next_attempt_at > delivery.notification.created_at
    assert delivery.pk not in notify.due_deliveries()  # not before its backoff
    retry_now(delivery)
    assert notify.due_deliveries() == [delivery.pk]
    assert deliver_task.apply(args=[delivery.pk]).get() == "sent"
    assert deliver_task.apply(args=[delivery.pk]).get() == "skipped"  # the task ran twice
    assert len(smtp.accepted) == 1
    assert subject(smtp.accepted[0]) == "督办单 湖督〔2026〕1号：请于11月23日前反馈"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)


def test_a_mail_server_that_is_down_is_transient(smtp, leader):
    notify.notify([leader], kind="k", title="t")
    smtp.controller.stop()
    with pytest.raises(notify.TransientDeliveryError):
        notify.deliver(only("email").pk)
    assert only("email").status == "pending"
    smtp.controller = Controller(smtp, hostname="127.0.0.1", port=smtp.controller.port)
    smtp.controller.start()  # back up
    retry_now(only("email"))
    assert notify.deliver(only("email").pk) == "sent"
    assert len(smtp.accepted) == 1


def test_a_refused_recipient_or_a_rejected_message_fails_at_once(smtp, leader):
    other = factories.UserFactory(username="leader-2", email="nobody@example.cn")
    notify.notify([leader, other], kind="k", title="t")
    first, second = Delivery.objects.order_by("pk")
    smtp.replies = ["550 5.1.1 no such user"]
    assert notify.deliver(first.pk) == "failed"
    smtp.replies = ["554 5.6.0 rejected"]
    assert notify.deliver(second.pk) == "failed"
    for delivery in (first, second):
        delivery.refresh_from_db()
        assert delivery.status == "failed" and delivery.attempts == 1
    assert smtp.accepted == []
    assert notify.due_deliveries() == []


def test_transient_answers_stop_at_the_cap(smtp, leader):
    notify.notify([leader], kind="k", title="t")
    delivery = only("email")
    smtp.replies = ["421 4.7.0 busy"] * notify.MAX_ATTEMPTS
    for _attempt in range(1, notify.MAX_ATTEMPTS):
        with pytest.raises(notify.TransientDeliveryError):
            notify.deliver(delivery.pk)
        retry_now(delivery)
    assert notify.deliver(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", notify.MAX_ATTEMPTS)
    assert smtp.accepted == []


@pytest.mark.parametrize("answer", [
    (502, {}, 0), (429, {}, 0), (200, {"errcode": -1, "errmsg": "system busy"}, 0),
    (200, {"errcode": 0}, 1.5),  # slower than the timeout
], ids=["5xx", "429", "robot-busy", "timeout"])
def test_a_robot_answering_transiently_is_retried_then_posted_once(robot, leader, campaign,
                                                                    answer):
    notify.notify([leader], kind="flag_opened", title="项目预警：HN-03 滞后计划", campaign=campaign)
    delivery = only("webhook")
    robot.script = [answer]
    with pytest.raises(notify.TransientDeliveryError):
        notify.deliver(delivery.pk)
    assert only("webhook").status == "pending"
    retry_now(delivery)
    assert notify.deliver(delivery.pk) == "sent"
    assert notify.deliver(delivery.pk) == "skipped"
    # The slow answer of the timeout case may still land after the client gave up; the one the
    # client saw succeed is the last.
    assert robot.received[-1] == {"msgtype": "text", "text": {"content": "项目预警：HN-03 滞后计划"}}


@pytest.mark.parametrize("answer", [(400, {}, 0), (200, {"errcode": 93000, "errmsg": "bad key"}, 0)],
                         ids=["4xx", "robot-refuses"])
def test_a_robot_refusing_fails_the_delivery_at_once(robot, leader, campaign, answer):
    notify.notify([leader], kind="k", title="t", campaign=campaign)
    robot.script = [answer]
    assert notify.deliver(only("webhook").pk) == "failed"
    assert only("webhook").status == "failed"
    assert robot.received == []
    assert Notification.objects.count() == 1


def test_the_sender_refuses_a_loopback_robot_unless_the_setting_allows_it(robot, leader, campaign,
                                                                         settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    notify.notify([leader], kind="k", title="项目预警", campaign=campaign)
    assert notify.deliver(only("webhook").pk) == "failed"
    assert "internal address" in only("webhook").last_error
    assert robot.received == []


def test_the_sender_refuses_plain_http_unless_the_setting_allows_it(robot, leader, campaign,
                                                                   settings):
    settings.WEBHOOK_ALLOW_HTTP = False
    notify.notify([leader], kind="k", title="项目预警", campaign=campaign)
    assert notify.deliver(only("webhook").pk) == "failed"
    assert robot.received == []


class Redirector(BaseHTTPRequestHandler):
    """A webhook that answers every POST with a redirect to `target`."""

    target = ""

    def do_POST(self):  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(307)
        self.send_header("Location", self.target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_redirect_is_not_followed(robot, leader, campaign):
    Redirector.target = campaign.webhook_url  # the robot: a followed redirect would reach it
    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        campaign.webhook_url = f"http://127.0.0.1:{server.server_port}/robot/send?key=x"
        campaign.save()
        notify.notify([leader], kind="k", title="项目预警", campaign=campaign)
        assert notify.deliver(only("webhook").pk) == "failed"
        assert "redirect" in only("webhook").last_error
        assert robot.received == []
    finally:
        server.shutdown()
        server.server_close()
