"""Reliability on the real services: PostgreSQL, Redis and a real Celery worker subprocess.

- a report goes end to end: saved → scan task through Redis → flag and the leader's notification;
- a worker SIGKILLed mid-scan: the task is redelivered and the final state equals a clean run;
- two scans at once: no duplicate flags or notices;
- Redis down while a report is saved: the report is saved, the call succeeds, the next scan
  catches up;
- a transaction that rolls back enqueues nothing.
"""

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
import redis
from django.db import connection, transaction
from kombu import pools

from config.celery import app
from projects.models import Project
from projects.services import submit_report
from supervision.models import Flag, Notice, Notification
from supervision.scan import scan_campaigns
from supervision.tasks import scan_campaigns_task
from tests import factories

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
#: Every key this module's broker writes starts with this (kombu's global_keyprefix): the tests
#: share a Redis server with others and delete only their own keys, never a database.
KEY_PREFIX = f"gjtest-{uuid.uuid4().hex[:12]}:"
QUEUE = KEY_PREFIX + "celery"


def _db_url() -> str:
    s = connection.settings_dict
    return (f"postgres://{s['USER']}{':' + s['PASSWORD'] if s['PASSWORD'] else ''}"
            f"@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}")


@pytest.fixture
def broker(redis_url, monkeypatch):
    """The app in this process and its workers use keys of their own (KEY_PREFIX), deleted after
    the test."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker subprocess needs the test database on PostgreSQL")
    url = redis_url
    # Celery reads CELERY_BROKER_URL from the environment before its own setting (CI sets it).
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    monkeypatch.setenv("CELERY_BROKER_KEY_PREFIX", KEY_PREFIX)
    client = redis.Redis.from_url(url)
    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    _point_app_at(url, {"visibility_timeout": 7200, "global_keyprefix": KEY_PREFIX})
    yield url
    _point_app_at(*saved)
    for key in client.scan_iter(match=KEY_PREFIX + "*", count=1000):
        client.delete(key)


def _point_app_at(url, options):
    app.conf.broker_url = url
    app.conf.broker_transport_options = options
    pools.reset()  # kombu's registry of connection and producer pools
    app._pool = None
    app.amqp._producer_pool = None


class Worker:
    def __init__(self, broker_url, tmp_path, concurrency=1, **env):
        self.log = tmp_path / f"worker-{time.monotonic_ns()}.log"
        environment = {**os.environ, "DEBUG": "1", "DATABASE_URL": _db_url(),
                       "CELERY_BROKER_URL": broker_url, "GONGJIAN_VAR_DIR": str(tmp_path),
                       **env}
        environment.pop("CELERY_TASK_ALWAYS_EAGER", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "prefork",
             "-c", str(concurrency), "--without-gossip", "--without-mingle",
             "--without-heartbeat", "-l", "INFO", "-n", f"test{time.monotonic_ns()}@%h"],
            cwd=ROOT, env=environment, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True)
        self.wait_for("ready.", 60)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, needle, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.text():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"worker never logged {needle!r}:\n{self.text()[-3000:]}")

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


@pytest.fixture
def start_worker(broker, tmp_path):
    workers = []

    def start(**kwargs):
        worker = Worker(broker, tmp_path, **kwargs)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_until(predicate, timeout=60, step=0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def lagging_campaign(projects=6):
    campaign = factories.CampaignFactory(start_date=datetime.date.today() - datetime.timedelta(
        days=42), unit=factories.UnitFactory(name=f"镇{time.monotonic_ns()}"))
    made = []
    for i in range(projects):
        project = factories.ProjectFactory(campaign=campaign)
        factories.ProgressReportFactory(
            project=project, percent=Decimal(10 + 6 * i),
            reported_at=factories.timezone.now() - datetime.timedelta(days=1))
        made.append(project)
    return campaign, made


def snapshot(campaign):
    flags = sorted(Flag.objects.filter(project__campaign=campaign, resolved_at__isnull=True)
                   .values_list("project__code", "kind", "severity", "details"), key=str)
    health = sorted(Project.objects.filter(campaign=campaign).values_list("code", "health"))
    notices = sorted(Notice.objects.filter(campaign=campaign)
                     .values_list("project__code", "status"))
    return flags, health, notices


def reset(campaign):
    Notice.objects.filter(campaign=campaign).delete()
    Flag.objects.filter(project__campaign=campaign).delete()
    Notification.objects.all().delete()
    Project.objects.filter(campaign=campaign).update(health="green")


def test_a_report_that_puts_a_project_behind_is_flagged_and_its_leader_notified(start_worker):
    start_worker()
    campaign, (project, *_) = lagging_campaign(1)
    started = time.monotonic()
    submit_report(project, project.leader, percent=Decimal("5"), investment_done=Decimal("10"),
                  work_done="完成场地平整", decrease_reason="复核后下调")
    assert wait_until(lambda: Flag.objects.filter(project=project, kind="behind_plan",
                                                  resolved_at__isnull=True).exists())
    assert wait_until(lambda: Notification.objects.filter(user=project.leader,
                                                          kind="flag_opened").exists())
    assert time.monotonic() - started < 60


def _pool_processes(worker) -> list[int]:
    """The prefork pool's processes of a worker (children of its main process), from /proc."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == worker.proc.pid:
            children.append(int(stat.parent.name))
    return children


def _scan_waiting_for(lock_holder_pid: int) -> bool:
    """A backend of the test database is waiting on a lock the test's own connection holds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
                       [lock_holder_pid])
        return cursor.fetchone()[0] > 0


def test_a_worker_killed_mid_scan_redelivers_and_ends_as_a_clean_run(start_worker):
    """The test holds the campaign's project rows locked (a second connection), so the scan
    computes and writes its flags and then waits, inside its transaction, to write the projects'
    lights and review moments; the test kills the pool process there, releases the lock, and the
    redelivered task scans."""
    worker = start_worker()
    campaign, _ = lagging_campaign()
    holder = psycopg2.connect(_db_url())
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            holder_pid = cursor.fetchone()[0]
            cursor.execute(f"SELECT 1 FROM {Project._meta.db_table} WHERE campaign_id = %s "
                           "FOR UPDATE", [campaign.pk])
        now = factories.timezone.now()
        scan_campaigns_task.apply_async(args=[[campaign.pk], now.isoformat()])
        assert wait_until(lambda: _scan_waiting_for(holder_pid), 30), worker.text()[-2000:]
        assert not Flag.objects.filter(project__campaign=campaign).exists(), "not committed yet"
        for pid in _pool_processes(worker):
            os.kill(pid, signal.SIGKILL)  # the pool process, inside the scan's transaction
        assert wait_until(lambda: "WorkerLostError" in worker.text()
                          or "SIGKILL" in worker.text(), 30), worker.text()[-2000:]
    finally:
        holder.rollback()
        holder.close()
    assert wait_until(lambda: Flag.objects.filter(project__campaign=campaign).exists(), 60), \
        worker.text()[-3000:]
    time.sleep(0.5)
    after_redelivery = snapshot(campaign)

    reset(campaign)
    scan_campaigns([campaign.pk], now=now)
    assert snapshot(campaign) == after_redelivery
    assert after_redelivery[0], "the lagging projects are flagged"


def test_two_scans_at_once_make_no_duplicate_flags_or_notices(start_worker):
    start_worker(concurrency=2)
    campaign, projects = lagging_campaign()
    now = factories.timezone.now().isoformat()
    for _ in range(2):
        scan_campaigns_task.apply_async(args=[[campaign.pk], now])
    assert wait_until(lambda: Flag.objects.filter(project__campaign=campaign).exists())
    time.sleep(3)  # let the second scan finish too
    kinds = list(Flag.objects.filter(project__campaign=campaign).values_list("project", "kind"))
    assert len(kinds) == len(set(kinds))
    per_project = list(Notice.objects.filter(campaign=campaign).values_list("project", flat=True))
    assert per_project and len(per_project) == len(set(per_project))


def test_with_redis_down_a_report_is_saved_and_the_next_scan_catches_up(broker, monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    _point_app_at("redis://127.0.0.1:1/0", {"socket_connect_timeout": 1})
    assert app.connection_for_write().as_uri().endswith(":1/0")
    campaign, (project, *_) = lagging_campaign(1)
    started = time.monotonic()
    report = submit_report(project, project.leader, percent=Decimal("5"),
                           investment_done=Decimal("10"), work_done="完成场地平整",
                           decrease_reason="复核后下调")
    assert report.pk and time.monotonic() - started < 15
    project.refresh_from_db()
    assert project.progress == Decimal("5")
    assert not Flag.objects.filter(project=project).exists()

    scan_campaigns([campaign.pk])
    assert Flag.objects.filter(project=project, kind="behind_plan").exists()


def test_a_transaction_that_rolls_back_enqueues_nothing(broker):
    campaign, (project, *_) = lagging_campaign(1)
    client = redis.Redis.from_url(broker)
    with pytest.raises(RuntimeError), transaction.atomic():
        submit_report(project, project.leader, percent=Decimal("50"),
                      investment_done=Decimal("10"), work_done="x")
        raise RuntimeError("the request failed after the report")
    assert client.llen(QUEUE) == 0
    submit_report(project, project.leader, percent=Decimal("50"), investment_done=Decimal("10"),
                  work_done="x")
    assert client.llen(QUEUE) == 1
