"""The arrays the scan's reads and writes send as one parameter each (core.bulk.array_literal,
core.lookups' ``__in_ids``): what PostgreSQL reads back is exactly what was sent, whatever the
text holds; and the report deadline, kept per wall clock and zone, is each zone's own."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaign.reporting import report_due_moment
from core.bulk import array_literal
from core.lookups import Ids
from projects.models import Milestone
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_project(campaign):
    return lambda: ProjectFactory(campaign=campaign)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

AWKWARD_TEXT = ['plain', 'a "quoted" word', "back\\slash", "a,comma", "{braces}", "NULL", "",
                " spaces ", "湖南镇 重点项目", "tab\there", "new\nline", None]


def _read_back(sql_type, values):
    with connection.cursor() as cur:
        cur.execute(f"SELECT %s::{sql_type}[]", [array_literal(values)])
        return cur.fetchone()[0]


def test_text_of_every_kind_reads_back_as_it_was_sent(postgres):
    assert _read_back("text", AWKWARD_TEXT) == AWKWARD_TEXT


def test_numbers_dates_moments_and_nulls_read_back_as_they_were_sent(postgres):
    assert _read_back("bigint", [1, -7, 2_147_483_648, None]) == [1, -7, 2_147_483_648, None]
    assert _read_back("numeric", [Decimal("12.3"), Decimal("0"), None]) == [
        Decimal("12.3"), Decimal("0"), None]
    days = [datetime.date(2026, 12, 7), datetime.date(1999, 1, 31), None]
    assert _read_back("date", days) == days
    moments = [datetime.datetime(2026, 12, 7, 18, 0, tzinfo=SHANGHAI),
               datetime.datetime(2026, 12, 7, 10, 0, 0, 123456, tzinfo=datetime.UTC), None]
    got = _read_back("timestamptz", moments)
    assert got[:2] == moments[:2] and got[2] is None  # the same instants (aware comparison)
    assert got[0] == datetime.datetime(2026, 12, 7, 10, 0, tzinfo=datetime.UTC)
    assert _read_back("boolean", [True, False, None]) == [True, False, None]
    assert _read_back("text", []) == []


def test_in_ids_finds_exactly_the_ids_given_in_one_parameter(make_project):
    projects = [make_project() for _ in range(3)]
    for p in projects:
        Milestone.objects.create(project=p, name="m", due_date=datetime.date(2026, 12, 1),
                                 planned_percent=50)
    wanted = Ids([projects[0].pk, projects[2].pk, 10**9])  # one id that names nothing
    with CaptureQueriesContext(connection) as queries:
        found = set(Milestone.objects.filter(project_id__in_ids=wanted)
                    .values_list("project_id", flat=True))
        # The same Ids for another query: the same rows.
        assert Milestone.objects.filter(project_id__in_ids=wanted).count() == 2
    assert found == {projects[0].pk, projects[2].pk}
    assert queries.captured_queries[0]["sql"].count("IN (") <= 1  # not one placeholder an id
    assert not Milestone.objects.filter(project_id__in_ids=Ids([])).exists()
    # A list or a set works too, and so does a key of a model reached through a relation.
    assert Milestone.objects.filter(project_id__in_ids={projects[1].pk}).count() == 1
    assert Milestone.objects.filter(project__pk__in_ids=[projects[1].pk]).count() == 1


def test_in_ids_takes_many_thousands_of_ids_as_one_parameter(postgres, make_project):
    project = make_project()
    Milestone.objects.create(project=project, name="m", due_date=datetime.date(2026, 12, 1),
                             planned_percent=50)
    ids = set(range(1, 50_001)) | {project.pk}
    with connection.cursor() as cur, CaptureQueriesContext(connection) as queries:
        assert Milestone.objects.filter(project_id__in_ids=ids).count() == 1
        cur.execute("SELECT 1")
    assert queries.captured_queries[0]["sql"].count("ANY(") == 1


def test_the_report_deadline_is_each_zones_own_for_one_instant():
    friday, six = 4, datetime.time(18)
    instant = datetime.datetime(2026, 12, 4, 11, 0, tzinfo=datetime.UTC)  # 19:00 in Shanghai
    # In Shanghai the Friday deadline has passed (18:00 today); at 11:00 UTC it has not: last week's.
    assert report_due_moment(instant.astimezone(SHANGHAI), friday, six) == \
        datetime.datetime(2026, 12, 4, 18, 0, tzinfo=SHANGHAI)
    assert report_due_moment(instant, friday, six) == \
        datetime.datetime(2026, 11, 27, 18, 0, tzinfo=datetime.UTC)
    # And asked again (now from the cache), each still its own, in its own zone.
    again = report_due_moment(instant, friday, six)
    assert again.tzinfo is datetime.UTC and again.day == 27
    assert report_due_moment(instant.astimezone(SHANGHAI), friday, six).tzinfo is SHANGHAI


def test_insert_rows_writes_what_bulk_create_would_and_returns_the_keys(make_project):
    from core.bulk import insert_rows
    from supervision.models import Flag, Notice

    projects = [make_project() for _ in range(3)]
    moment = datetime.datetime(2026, 12, 7, 9, 30, tzinfo=SHANGHAI)
    awkward = {"numbers": ["HN督[2026]1号", 'a "b"', "c\\d"], "lag": "12.3", "none": None,
               "nested": {"列表": [1, 2.5, True]}}
    rows = [(projects[0].pk, "behind_plan", "red", awkward),
            (projects[1].pk, "report_missing", "yellow", {}),
            (projects[2].pk, "milestone_overdue", "red", {"due": ["2026-12-01"]})]
    keys = insert_rows(Flag, ["project", "kind", "severity", "details"], rows,
                       also={"opened_at": moment, "updated_at": moment})
    assert len(set(keys)) == 3
    for key, (pid, kind, severity, details) in zip(keys, rows, strict=True):
        stored = Flag.objects.get(pk=key)  # each key names the row of its own values
        assert (stored.project_id, stored.kind, stored.severity, stored.details,
                stored.opened_at) == (pid, kind, severity, details, moment)
        assert stored.resolved_at is None  # a column not given: the field's default

    # Columns given neither as values nor as constants take the model's defaults, as a new
    # instance's would: here the status (draft), the times urged (0), the texts left blank.
    project = projects[0]
    (key,) = insert_rows(Notice, ["campaign", "project", "issued_to", "reason",
                                  "required_action"],
                         [(project.campaign_id, project.pk, project.leader_id, "理由", "要求")])
    notice = Notice.objects.get(pk=key)
    fresh = Notice()
    assert (notice.status, notice.urge_count, notice.number, notice.issued_at) == (
        fresh.status, fresh.urge_count, fresh.number, fresh.issued_at) == ("draft", 0, None, None)
    assert notice.created_at is not None and notice.reason == "理由"
    assert insert_rows(Flag, ["project", "kind", "severity"], []) == []


def test_insert_rows_leaves_out_what_a_unique_constraint_refuses(make_project, campaign):
    from core.bulk import insert_rows
    from supervision.models import Notification

    user = make_project().leader
    fields = ["user", "campaign", "kind", "title", "dedupe_key"]
    assert insert_rows(Notification, fields, [(user.pk, campaign.pk, "k", "一", "same")],
                       ignore_conflicts=True) is None
    insert_rows(Notification, fields, [(user.pk, campaign.pk, "k", "二", "same"),
                                       (user.pk, campaign.pk, "k", "三", "other")],
                ignore_conflicts=True)
    assert sorted(Notification.objects.filter(user=user).values_list("title", flat=True)) == \
        ["一", "三"]


def test_insert_rows_refuses_to_leave_out_a_field_the_two_paths_would_fill_differently():
    """bulk_create stamps auto_now fields and the database fills a db_default; insert_rows on
    PostgreSQL would not: such a field must be given (checked before any SQL is sent)."""
    from django.db import models
    from django.db.models.functions import Now
    from django.test.utils import isolate_apps

    from core.bulk import insert_rows

    with isolate_apps("tests"):
        class Stamped(models.Model):  # noqa: DJ008 - never shown
            name = models.CharField(max_length=10)
            changed = models.DateTimeField(auto_now=True)

            class Meta:
                app_label = "tests"

        class Filled(models.Model):  # noqa: DJ008 - never shown
            name = models.CharField(max_length=10)
            at = models.DateTimeField(db_default=Now())

            class Meta:
                app_label = "tests"

    with pytest.raises(TypeError, match="Stamped.changed"):
        insert_rows(Stamped, ["name"], [("a",)])
    with pytest.raises(TypeError, match="Filled.at"):
        insert_rows(Filled, ["name"], [("a",)])
