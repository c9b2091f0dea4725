"""`manage.py generate_scale_data --towns 10000 --projects-per-town 20 --weeks 10`

A province-scale data set for the scan benchmark, made in PostgreSQL with INSERT … SELECT over
generate_series (a few seconds per million rows): one campaign per town, each project with two
milestones and a weekly report for each of the past `weeks` weeks. The campaigns are active and
started `weeks` weeks ago. Everything it makes is under one province unit named --name, which is
deleted first, so it can be rerun.

The mix is that of a realistic province — mostly green — chosen per project by a bucket
k = (id × 37) mod 100, so every town has its share of each (37 is prime to 100):

- k < 70 (70 %, green): a pace of 0.98 … 1.09 of the plan, both milestones met on their dates;
- 70 ≤ k < 90 (20 %, yellow): a pace of 0.82 … 0.93 (behind by 5–15 points, or on plan but
  forecast to finish late), the first milestone met; the second (due 5 days ago, within the
  grace days) is met by half of them; an obstacle 3 days overdue on k < 80;
- k ≥ 90 (10 %, red): a pace of 0.55 … 0.74, no milestone met (the first is weeks overdue).

The figures hold on the day the data is made (the bench regenerates it on another day): with
the default 10 weeks the second milestone falls due 5 days before today.
"""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from core.dates import local_date


class Command(BaseCommand):
    help = "Generate a province-scale data set (PostgreSQL only) for `make bench-scan`."

    def add_arguments(self, parser):
        parser.add_argument("--towns", type=int, default=10_000)
        parser.add_argument("--projects-per-town", type=int, default=20)
        parser.add_argument("--weeks", type=int, default=10)
        parser.add_argument("--name", default="基准测试省")

    def handle(self, *args, towns, projects_per_town, weeks, name, **options):
        if connection.vendor != "postgresql":
            raise CommandError("generate_scale_data needs PostgreSQL (set DATABASE_URL).")
        if towns < 1 or projects_per_town < 1 or not 1 <= weeks <= 14:
            raise CommandError("--towns and --projects-per-town ≥ 1, --weeks between 1 and 14")
        started = time.monotonic()
        today = local_date()
        start = today - datetime.timedelta(days=7 * weeks + 1)
        end = start + datetime.timedelta(days=99)
        now = timezone.now()
        with transaction.atomic(), connection.cursor() as cur:
            self._delete(cur, name)
            cur.execute("INSERT INTO campaign_unit (name, kind, parent_id) VALUES (%s, 'province', "
                        "NULL) RETURNING id", [name])
            province = cur.fetchone()[0]
            cur.execute("""
                INSERT INTO campaign_unit (name, kind, parent_id)
                SELECT 'bench-town-' || g, 'town', %s FROM generate_series(1, %s) g""",
                        [province, towns])
            cur.execute("""
                INSERT INTO auth_user (password, is_superuser, username, first_name, last_name,
                                       email, is_staff, is_active, date_joined)
                SELECT '!', false, 'bench-leader-' || u.id, '', '', '', false, true, %s
                FROM campaign_unit u WHERE u.parent_id = %s""", [now, province])
            cur.execute("""
                INSERT INTO campaign_campaign (unit_id, name, notice_prefix, start_date, end_date,
                    status, declared_project_count, yellow_lag_points, red_lag_points,
                    milestone_grace_days, report_weekday, report_due_time, notice_response_days,
                    escalate_after_days, auto_issue_notices, webhook_url, is_demo, created_at,
                    contact_person, contact_phone, issuing_body, issuing_short_name, recipients)
                SELECT u.id, u.name || '百日攻坚行动', '督', %s, %s, 'active', %s, 5, 15, 7,
                       4, '18:00', 3, 3, false, '', false, %s, '', '', '', '', ''
                FROM campaign_unit u WHERE u.parent_id = %s""",
                        [start, end, projects_per_town, now, province])
            cur.execute("""
                INSERT INTO projects_project (campaign_id, code, name, level, listed_by_id, owner,
                    category, goal, planned_start, planned_end, planned_investment, leader_id,
                    status, pause_reason, pause_approved, progress, investment_done, health,
                    last_reported_at)
                SELECT c.id, 'P-' || lpad(g::text, 3, '0'), c.name || '项目' || g, 'town', c.unit_id,
                       '业主', '', '目标', c.start_date, c.end_date, 1000, l.id, 'in_progress', '',
                       false, 0, 0, 'green', NULL
                FROM campaign_campaign c
                JOIN campaign_unit u ON u.id = c.unit_id AND u.parent_id = %s
                JOIN auth_user l ON l.username = 'bench-leader-' || u.id
                CROSS JOIN generate_series(1, %s) g""", [province, projects_per_town])
            scope = ("SELECT p.id, p.planned_start, p.planned_end FROM projects_project p "
                     "JOIN campaign_campaign c ON c.id = p.campaign_id "
                     "JOIN campaign_unit u ON u.id = c.unit_id WHERE u.parent_id = %s")
            cur.execute(f"""
                INSERT INTO projects_milestone (project_id, name, due_date, planned_percent,
                                                completed_on)
                SELECT p.id, '节点' || k, p.planned_start + 33 * k, 33 * k,
                       CASE WHEN (p.id * 37) %% 100 < 70
                              OR ((p.id * 37) %% 100 < 90 AND (k = 1 OR p.id %% 2 = 0))
                            THEN p.planned_start + 33 * k END
                FROM ({scope}) p CROSS JOIN generate_series(1, 2) k""", [province])  # nosec B608  # model names; values are parameters
            # The pace of the project's bucket (see the docstring): most on plan, some behind, a
            # few far behind.
            cur.execute("""
                INSERT INTO projects_progressreport (project_id, percent, investment_done,
                    work_done, next_steps, problems, needs_coordination, decrease_reason,
                    reported_by_id, reported_at)
                SELECT p.id,
                       LEAST(100, round((7 * w * 100.0 / 99)
                             * (CASE WHEN (p.id * 37) %% 100 < 70
                                     THEN 0.98 + ((p.id * 37) %% 100 %% 12) / 100.0
                                     WHEN (p.id * 37) %% 100 < 90
                                     THEN 0.82 + ((p.id * 37) %% 100 %% 12) / 100.0
                                     ELSE 0.55 + ((p.id * 37) %% 100 - 90) * 0.02 END), 1)),
                       10 * w, '施工', '', '', '', '', p.leader_id,
                       (p.planned_start + 7 * w)::timestamp + interval '2 hours'
                FROM (SELECT p.id, p.planned_start, p.leader_id FROM projects_project p
                      JOIN campaign_campaign c ON c.id = p.campaign_id
                      JOIN campaign_unit u ON u.id = c.unit_id WHERE u.parent_id = %s) p
                CROSS JOIN generate_series(1, %s) w""", [province, weeks])
            cur.execute(f"""
                INSERT INTO projects_obstacle (project_id, title, description, category,
                    responsible_unit_id, due_date, status, resolution, resolved_on, raised_by_id,
                    raised_at)
                SELECT p.id, '施工用电未接入', '', 'water_power', NULL, %s, 'open', '', NULL,
                       NULL, %s
                FROM ({scope}) p WHERE (p.id * 37) %% 100 BETWEEN 70 AND 79""",  # nosec B608  # model names; values are parameters
                        [today - datetime.timedelta(days=3), now - datetime.timedelta(days=20),
                         province])
            cur.execute("""
                UPDATE projects_project p SET progress = r.percent, last_reported_at = r.at
                FROM (SELECT DISTINCT ON (project_id) project_id, percent, reported_at AS at
                      FROM projects_progressreport ORDER BY project_id, reported_at DESC) r,
                     campaign_campaign c, campaign_unit u
                WHERE r.project_id = p.id AND c.id = p.campaign_id AND u.id = c.unit_id
                  AND u.parent_id = %s""", [province])
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        self.stdout.write(
            f"{name}: {towns} towns, {towns * projects_per_town} projects, "
            f"{towns * projects_per_town * weeks} reports in {time.monotonic() - started:.1f} s")

    def _delete(self, cur, name):
        cur.execute("SELECT id FROM campaign_unit WHERE name = %s AND parent_id IS NULL", [name])
        row = cur.fetchone()
        if row is None:
            return
        province = row[0]
        towns = "SELECT id FROM campaign_unit WHERE parent_id = %s"
        campaigns = f"SELECT id FROM campaign_campaign WHERE unit_id IN ({towns})"  # nosec B608  # model names; values are parameters
        projects = f"SELECT id FROM projects_project WHERE campaign_id IN ({campaigns})"  # nosec B608  # model names; values are parameters
        for sql in (
            f"DELETE FROM supervision_notification WHERE campaign_id IN ({campaigns})",  # nosec B608  # model names; values are parameters
            f"DELETE FROM supervision_notice_flags WHERE notice_id IN (SELECT id FROM "  # nosec B608  # model names; values are parameters
            f"supervision_notice WHERE campaign_id IN ({campaigns}))",
            f"DELETE FROM supervision_noticeevent WHERE notice_id IN (SELECT id FROM "  # nosec B608  # model names; values are parameters
            f"supervision_notice WHERE campaign_id IN ({campaigns}))",
            f"DELETE FROM supervision_notice WHERE campaign_id IN ({campaigns})",  # nosec B608  # model names; values are parameters
            f"DELETE FROM supervision_noticecounter WHERE campaign_id IN ({campaigns})",  # nosec B608  # model names; values are parameters
            f"DELETE FROM supervision_flag WHERE project_id IN ({projects})",  # nosec B608  # model names; values are parameters
            f"DELETE FROM projects_progressreport WHERE project_id IN ({projects})",  # nosec B608  # model names; values are parameters
            f"DELETE FROM projects_milestone WHERE project_id IN ({projects})",  # nosec B608  # model names; values are parameters
            f"DELETE FROM projects_obstacle WHERE project_id IN ({projects})",  # nosec B608  # model names; values are parameters
            f"DELETE FROM projects_project WHERE campaign_id IN ({campaigns})",  # nosec B608  # model names; values are parameters
            f"DELETE FROM campaign_campaign WHERE unit_id IN ({towns})",  # nosec B608  # model names; values are parameters
            "DELETE FROM auth_user WHERE username LIKE 'bench-leader-%%'",
            "DELETE FROM campaign_unit WHERE parent_id = %s",
            "DELETE FROM campaign_unit WHERE id = %s",
        ):
            cur.execute(sql, [province] * sql.count("%s"))
