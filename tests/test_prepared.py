"""core.prepared: a read whose SQL is built once gives what its queryset gives, in one query."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Count, Max, OuterRef, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from core import prepared
from core.dates import local_zone
from projects.models import ProgressReport, Project
from tests import factories


def _latest_reports(campaign_id, until):
    latest = ProgressReport.objects.filter(project=OuterRef("pk"), reported_at__lte=until)\
        .order_by("-reported_at", "-pk")
    return Project.objects.filter(campaign_id=campaign_id).order_by("code").values(
        "pk", "code", "planned_investment",
        percent=Subquery(latest.values("percent")[:1]), at=Subquery(latest.values("reported_at")[:1]))


def _days(project_id, since):
    return (ProgressReport.objects.filter(project_id=project_id)
            .annotate(day=TruncDate("reported_at", tzinfo=local_zone()))
            .filter(day__gte=since).order_by("day").values("day")
            .annotate(n=Count("pk"), top=Max("percent")).values_list("day", "n", "top"))


@pytest.fixture
def reports(db):
    project = factories.ProjectFactory(code="A-1")
    other = factories.ProjectFactory(code="A-2", campaign=project.campaign)
    elsewhere = factories.ProjectFactory(code="B-1")
    now = timezone.now()
    for days, percent in ((9, "10.5"), (5, "20"), (1, "31.2")):
        factories.ProgressReportFactory(project=project, percent=Decimal(percent),
                                        reported_at=now - datetime.timedelta(days=days))
    factories.ProgressReportFactory(project=elsewhere, percent=Decimal("50"))
    return project, other, now


def test_a_statement_gives_the_rows_of_its_queryset_whatever_its_arguments(
        postgres, reports, django_assert_num_queries):
    project, _other, now = reports
    statement = prepared.Statement(_latest_reports, campaign_id=int, until=datetime.datetime)
    for until in (now, now - datetime.timedelta(days=3), now - datetime.timedelta(days=30)):
        expected = list(_latest_reports(project.campaign_id, until))
        with django_assert_num_queries(1):
            assert statement(campaign_id=project.campaign_id, until=until) == expected
    assert statement._compiled["default"] is not None, "built once, run with the arguments"
    rows = statement(campaign_id=project.campaign_id, until=now)
    assert [(r["code"], r["percent"]) for r in rows] == [("A-1", Decimal("31.2")), ("A-2", None)]
    assert isinstance(rows[0]["at"], datetime.datetime) and rows[0]["at"].tzinfo is not None


def test_a_statement_converts_its_values_as_the_orm_does(postgres, reports):
    project, _other, now = reports
    statement = prepared.Statement(_days, project_id=int, since=datetime.date)
    since = (now - datetime.timedelta(days=6)).date()
    rows = statement(project_id=project.pk, since=since)
    assert rows == list(_days(project.pk, since)) and len(rows) == 2
    assert isinstance(rows[0], tuple) and isinstance(rows[0][0], datetime.date)


def test_an_argument_that_shapes_the_query_is_run_through_the_orm_every_time(
        postgres, reports, django_assert_num_queries):
    project, _other, _now = reports

    def top(project_id, limit):
        return ProgressReport.objects.filter(project_id=project_id).order_by("-percent")\
            .values_list("percent", flat=True)[:limit]

    statement = prepared.Statement(top, project_id=int, limit=int)
    with django_assert_num_queries(1):
        assert statement(project_id=project.pk, limit=2) == [Decimal("31.2"), Decimal("20")]
    assert statement._compiled["default"] is None
    assert statement(project_id=project.pk, limit=1) == [Decimal("31.2")]


def test_a_statement_takes_exactly_its_arguments(db):
    statement = prepared.Statement(_latest_reports, campaign_id=int, until=datetime.datetime)
    with pytest.raises(TypeError):
        statement(campaign_id=1)


def _projects_with_reports(campaign_id):
    return Project.objects.filter(campaign_id=campaign_id).select_related(
        "campaign__unit", "leader").annotate(n=Count("reports")).order_by("code")


def test_a_statement_of_model_instances_makes_the_objects_the_orm_makes(
        postgres, reports, django_assert_num_queries):
    project, other, _now = reports
    statement = prepared.Statement(_projects_with_reports, campaign_id=int)
    expected = list(_projects_with_reports(project.campaign_id))
    with django_assert_num_queries(1):
        got = statement(campaign_id=project.campaign_id)
        # the related rows and the annotation come with them: no further query
        seen = [(p.pk, p.code, p.n, p.campaign.unit.name, p.leader.username) for p in got]
    assert statement._compiled["default"] is not None
    assert seen == [(p.pk, p.code, p.n, p.campaign.unit.name, p.leader.username) for p in expected]
    assert [type(p) for p in got] == [Project] * len(expected) and got[0]._state.adding is False
    assert got[0].campaign.start_date == expected[0].campaign.start_date


def test_a_prefetch_is_run_through_the_orm(postgres, reports):
    project, _other, _now = reports
    statement = prepared.Statement(
        lambda campaign_id: Project.objects.filter(campaign_id=campaign_id)
        .prefetch_related("reports").order_by("code"), campaign_id=int)
    got = statement(campaign_id=project.campaign_id)
    assert statement._compiled["default"] is None
    assert [len(p.reports.all()) for p in got] == [
        p.reports.count() for p in Project.objects.filter(campaign_id=project.campaign_id)
        .order_by("code")]


# --- Prepared on the PostgreSQL server ----------------------------------------------------------


def _server_prepared() -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT name, statement FROM pg_prepared_statements")
        return dict(cursor.fetchall())


def _new_session() -> None:
    """As a new database session would be (without ending the test's transaction): nothing
    prepared on the server, nothing known prepared in the connection."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    connection._gongjian_prepared = None


def test_a_statement_is_prepared_on_the_server_once_a_session(
        postgres, reports, django_assert_num_queries):
    from django.db import connection

    project, _other, now = reports
    _new_session()
    statement = prepared.Statement(_latest_reports, campaign_id=int, until=datetime.datetime)
    sent = []

    def record(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        for until in (now, now - datetime.timedelta(days=3), now - datetime.timedelta(days=30)):
            expected = list(_latest_reports(project.campaign_id, until))
            with django_assert_num_queries(1):  # prepared with its first EXECUTE: one query
                assert statement(campaign_id=project.campaign_id, until=until) == expected
    mine = sent[1::2]  # between the ORM's own reads of what is expected
    assert mine[0].startswith("PREPARE gj_") and "; EXECUTE gj_" in mine[0]
    assert all(sql.startswith("EXECUTE gj_") for sql in mine[1:]), mine
    name = mine[1].split()[1]
    assert name in _server_prepared()
    # PostgreSQL typed each argument as the statement declares them
    declared = _server_prepared()[name].split(" AS ", 1)[0]
    assert "bigint" in declared and "timestamptz" in declared, declared

    # A new database session (a reconnection) prepares it again, with the same rows.
    _new_session()
    until = now - datetime.timedelta(days=3)
    assert statement(campaign_id=project.campaign_id, until=until) == list(
        _latest_reports(project.campaign_id, until))
    assert name in _server_prepared()


def test_a_constant_with_a_percent_sign_is_kept_in_the_prepared_statement(postgres, reports):
    project, _other, _now = reports

    def named(campaign_id):
        return Project.objects.filter(campaign_id=campaign_id, code__contains="%-").values_list(
            "code", flat=True)

    project.code = "A%-1"
    project.save(update_fields=["code"])
    statement = prepared.Statement(named, campaign_id=int)
    _new_session()
    # A-2 (a "-" without the "%") would match too if the pattern's escaped % were lost.
    assert statement(campaign_id=project.campaign_id) == ["A%-1"]  # prepared with it
    assert statement(campaign_id=project.campaign_id) == ["A%-1"]  # from the prepared statement
    assert statement._compiled["default"].server[0] in _server_prepared()


def test_a_session_that_lost_its_prepared_statements_gets_the_rows_all_the_same(
        transactional_db, postgres, reports, settings):
    """A pooler that hands the connection another session (or DEALLOCATE) drops the prepared
    statements: outside a transaction the page still gets its rows (the plain SQL from then on in
    that session); with DATABASE_PREPARED_STATEMENTS off nothing is prepared."""
    from django.db import connection

    project, _other, now = reports
    _new_session()
    statement = prepared.Statement(_latest_reports, campaign_id=int, until=datetime.datetime)
    expected = list(_latest_reports(project.campaign_id, now))
    assert statement(campaign_id=project.campaign_id, until=now) == expected
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    assert not connection.in_atomic_block  # as a page's reads: in autocommit
    assert statement(campaign_id=project.campaign_id, until=now) == expected
    assert statement(campaign_id=project.campaign_id, until=now) == expected
    assert not _server_prepared(), "the plain SQL for the rest of the session"

    _new_session()
    settings.DATABASE_PREPARED_STATEMENTS = False
    assert statement(campaign_id=project.campaign_id, until=now) == expected
    assert not _server_prepared()


def test_inside_a_transaction_a_lost_statement_fails_it_and_later_sessions_read_plain_sql(
        postgres, reports):
    """In a transaction the error has failed it already: raised, not hidden; the session then
    reads by the plain SQL."""
    from django.db import DatabaseError, connection, transaction

    project, _other, now = reports
    _new_session()
    statement = prepared.Statement(_latest_reports, campaign_id=int, until=datetime.datetime)
    statement(campaign_id=project.campaign_id, until=now)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    with pytest.raises(DatabaseError), transaction.atomic():
        statement(campaign_id=project.campaign_id, until=now)
    assert statement(campaign_id=project.campaign_id, until=now) == list(
        _latest_reports(project.campaign_id, now))
    assert not _server_prepared()


def test_an_error_of_the_query_itself_is_raised_as_it_is(transactional_db, postgres, reports):
    """Only a lost statement falls back: a statement cancelled by its timeout is not run again."""
    from django.db import OperationalError, connection

    project, _other, now = reports
    _new_session()

    def slow(campaign_id):
        return Project.objects.filter(campaign_id=campaign_id).extra(
            where=["pg_sleep(0.2) IS NOT NULL"]).values_list("code", flat=True)

    statement = prepared.Statement(slow, campaign_id=int)
    assert statement._compile("default") is not None
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 50")
    try:
        with pytest.raises(OperationalError, match="statement timeout"):
            statement(campaign_id=project.campaign_id)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
    assert connection._gongjian_prepared[1] is not None, "the session keeps its statements"


def test_an_int_beyond_a_bigint_is_read_by_the_plain_sql(postgres, reports):
    """A URL's 20-digit id finds nothing (a 404), as the ORM's read would, rather than failing."""
    from django.db import connection

    project, _other, now = reports
    _new_session()
    statement = prepared.Statement(_latest_reports, campaign_id=int, until=datetime.datetime)
    assert statement(campaign_id=10**20, until=now) == []
    assert statement(campaign_id=-(10**20), until=now) == []
    assert connection._gongjian_prepared is None or connection._gongjian_prepared[1] == set()
    assert statement(campaign_id=project.campaign_id, until=now)  # prepared from here on
    assert connection._gongjian_prepared[1]


def test_the_same_sql_with_other_argument_types_is_another_prepared_statement(postgres, reports):
    from django.db.models import TextField, Value
    from django.db.models.functions import Cast

    project, _other, now = reports
    _new_session()
    as_text = prepared.Statement(lambda x: Project.objects.filter(pk=project.pk).values_list(
        Cast(Value(x), TextField()), flat=True), x=int)
    as_date = prepared.Statement(lambda x: Project.objects.filter(pk=project.pk).values_list(
        Cast(Value(x), TextField()), flat=True), x=datetime.date)
    assert as_text(x=7) == ["7"]
    assert as_date(x=datetime.date(2026, 12, 7)) == ["2026-12-07"]
    assert len(_server_prepared()) == 2
