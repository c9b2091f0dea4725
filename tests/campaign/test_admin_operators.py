"""The admin is for operators only: a role user, even one marked staff, cannot sign in to it;
the role groups hold no admin permission; what the services own is read-only even there."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from campaign.models import Role
from projects.models import ProgressReport
from projects.services import submit_report
from supervision import notices
from supervision.models import Bulletin, Notice
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(Role))
def test_no_role_user_opens_the_admin_even_when_marked_staff(client, role):
    user = factories.UserFactory(roles=[role])
    user.is_staff = True
    user.save()
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 302


def test_an_operator_opens_the_admin(admin_client):
    assert admin_client.get(reverse("admin:index")).status_code == 200


def test_the_role_groups_hold_no_admin_permission():
    assert not Permission.objects.filter(group__name__in=[r.value for r in Role]).exists()


def test_the_migration_takes_the_admin_away_from_existing_role_users():
    office = factories.UserFactory(roles=[Role.TOWN_ADMIN])
    office.is_staff = True
    office.save()
    operator = factories.UserFactory(roles=[Role.TOWN_ADMIN])
    operator.is_staff = operator.is_superuser = True
    operator.save()
    group = Group.objects.get(name=Role.TOWN_ADMIN.value)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="projects"))

    migration = importlib.import_module("campaign.migrations.0004_setup_no_admin_for_roles")
    migration.take_admin_away(django_apps, None)

    office.refresh_from_db()
    operator.refresh_from_db()
    assert not office.is_staff
    assert operator.is_staff and operator.is_superuser
    assert group.permissions.count() == 0


def test_a_reports_figures_cannot_be_changed_in_the_admin(admin_client, project):
    report = submit_report(project, project.leader, percent=Decimal("10"), investment_done=Decimal("5"),
                           work_done="桩基")
    url = reverse("admin:projects_progressreport_change", args=[report.pk])
    admin_client.post(url, {"percent": "95", "investment_done": "999", "work_done": "改",
                            "photos-TOTAL_FORMS": "0", "photos-INITIAL_FORMS": "0"})
    report.refresh_from_db()
    project.refresh_from_db()
    assert (report.percent, report.investment_done) == (Decimal("10"), Decimal("5"))
    assert project.progress == Decimal("10")
    assert admin_client.get(reverse("admin:projects_progressreport_add")).status_code == 403
    assert ProgressReport.objects.count() == 1


def test_a_notice_and_a_bulletin_cannot_change_state_in_the_admin(admin_client, project):
    notice = notices.create_draft_notice(project, reason="滞后", required_action="整改")
    page = admin_client.get(reverse("admin:supervision_notice_change", args=[notice.pk]))
    form = page.context["adminform"].form
    assert "status" not in form.fields and "number" not in form.fields
    assert admin_client.get(reverse("admin:supervision_notice_add")).status_code == 403
    assert Notice.objects.get(pk=notice.pk).status == Notice.Status.DRAFT
    assert admin_client.get(reverse("admin:supervision_bulletin_add")).status_code == 403
    assert "status" in admin.site._registry[Bulletin].readonly_fields
