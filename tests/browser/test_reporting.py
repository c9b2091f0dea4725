"""In real headless Chromium: a team member reports from a phone with a photo and the dashboard
changes; a refused user is turned away. Screenshots are kept in test-artifacts/screenshots/."""

import pytest
from django.urls import reverse

from projects.models import ProgressReport, ReportPhoto
from tests import factories
from tests.browser.conftest import login, screenshot
from tests.projects.conftest import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _row_text(page, code):
    return page.locator(f'#project-table tr[data-code="{code}"]').inner_text()


def test_a_team_member_reports_with_a_photo_and_the_dashboard_changes(page, town, tmp_path):
    photo = tmp_path / "site.jpg"
    photo.write_bytes(image_bytes("JPEG", (640, 480)))

    login(page, "cadre1")
    # A team member lands on 待办, with this week's report one tap away.
    assert page.url.endswith(reverse("todo"))
    report_url = reverse("report_create", args=[town.project.pk])
    assert page.locator(f'#todo-list a[href="{report_url}"]').count() >= 1
    page.goto(reverse("dashboard"))
    assert "0.0%" in _row_text(page, "HN-01")
    screenshot(page, "dashboard-before")

    page.click(f'nav a[href="{reverse("my_projects")}"]')
    form_url = reverse("report_create", args=[town.project.pk])
    page.locator(f'[data-project="HN-01"] a[href="{form_url}"]').click()
    page.wait_for_url(f"**{form_url}")
    page.fill("input[name=percent]", "35.5")
    page.fill("input[name=investment_done]", "420")
    page.fill("textarea[name=work_done]", "完成路基填筑 1.2 公里")
    page.fill("textarea[name=problems]", "杆线迁改未完成")
    page.set_input_files("input[name=photos]", str(photo))
    screenshot(page, "report-form")
    page.click("#report-form [type=submit]")

    page.wait_for_url(f"**{reverse('project_detail', args=[town.project.pk])}")
    assert page.locator(".alert-success").is_visible()
    img = page.locator("#reports img.gj-photo").first
    img.wait_for()
    # The photo is served through the login-checked view and decodes as a real image.
    page.wait_for_function("(el) => el.complete && el.naturalWidth > 0", arg=img.element_handle())
    # The page loads the thumbnail (at most 480 px), not the 640 px photo that was uploaded.
    assert page.evaluate("(el) => el.naturalWidth", img.element_handle()) == 480
    screenshot(page, "project-page")

    report = ProgressReport.objects.get(project=town.project)
    assert report.reported_by == town.team_member and ReportPhoto.objects.filter(report=report).count() == 1

    page.goto(reverse("dashboard"))
    assert "35.5%" in _row_text(page, "HN-01")
    screenshot(page, "dashboard")


def test_a_team_member_reports_from_a_phone(phone_page, town):
    factories.ProgressReportFactory(project=town.project, percent=20)
    form_url = reverse("report_create", args=[town.project.pk])
    login(phone_page, "cadre1", next_path=form_url)
    phone_page.fill("input[name=percent]", "120")
    phone_page.fill("textarea[name=work_done]", "清表")
    phone_page.click("#report-form [type=submit]")
    # The browser refuses 120 before sending, so chosen photos are not lost to a round trip.
    assert phone_page.url.endswith(form_url)
    assert phone_page.locator("input[name=percent]:invalid").count() == 1
    # Lower than the last report: the reason becomes required.
    phone_page.fill("input[name=percent]", "12")
    assert phone_page.locator("textarea[name=decrease_reason]:invalid").count() == 1
    screenshot(phone_page, "report-form-phone")
    phone_page.fill("textarea[name=decrease_reason]", "上周多报，按监理核定数更正")
    phone_page.click("#report-form [type=submit]")
    phone_page.wait_for_url(f"**{reverse('project_detail', args=[town.project.pk])}")
    assert ProgressReport.objects.filter(project=town.project, percent=12).exists()
    screenshot(phone_page, "project-page-phone")


def test_an_error_found_by_the_server_is_shown_beside_its_field_and_keeps_the_text(page, town):
    factories.ProgressReportFactory(project=town.project, percent=20)
    form_url = reverse("report_create", args=[town.project.pk])
    login(page, "cadre1", next_path=form_url)
    page.evaluate("document.getElementById('report-form').noValidate = true")
    page.fill("input[name=percent]", "12")
    page.fill("textarea[name=work_done]", "清表")
    page.click("#report-form [type=submit]")
    page.wait_for_load_state("load")
    assert page.locator("#error_1_id_decrease_reason").is_visible()
    assert page.input_value("textarea[name=work_done]") == "清表"
    assert page.input_value("input[name=percent]") == "12"
    screenshot(page, "report-form-error")


def test_a_member_of_another_team_is_refused_the_form(page, town):
    login(page, "cadre2")
    response = page.goto(reverse("report_create", args=[town.project.pk]))
    assert response.status == 403
    assert not ProgressReport.objects.exists()


def test_a_user_of_another_town_cannot_see_the_project(page, town):
    login(page, "tantou")
    response = page.goto(reverse("project_detail", args=[town.project.pk]))
    assert response.status == 404
    assert town.project.name not in page.content()


def test_a_wrong_password_is_turned_away_at_the_login_page(page, town):
    page.goto(reverse("dashboard"))
    assert "/accounts/login/" in page.url
    page.fill("input[name=username]", "cadre1")
    page.fill("input[name=password]", "wrong-password")
    page.click("form#login-form [type=submit]")
    assert "/accounts/login/" in page.url
    assert page.locator("#login-form").is_visible()


def test_on_a_phone_the_form_shows_the_week_the_plan_and_the_lag_of_the_typed_percent(phone_page,
                                                                                      town):
    import datetime

    from core.dates import local_date
    from projects.models import Project

    today = local_date()
    # Planned from 30 days ago to 60 days ahead, no milestones: the plan today is 33.333…%.
    Project.objects.filter(pk=town.project.pk).update(
        planned_start=today - datetime.timedelta(days=30),
        planned_end=today + datetime.timedelta(days=60))
    town.project.milestones.all().delete()
    factories.ProgressReportFactory(project=town.project, percent=20)
    form_url = reverse("report_create", args=[town.project.pk])
    login(phone_page, "cadre1", next_path=form_url)
    facts = phone_page.locator("#report-facts")
    assert "本周（" in facts.inner_text() and "截止）" in facts.inner_text()
    assert phone_page.locator('[data-testid="plan-today"]').inner_text() == "33.3%"
    lag = phone_page.locator("#report-lag")

    # 25.0: 8.333… behind, over the yellow threshold 5.
    phone_page.fill("input[name=percent]", "25")
    assert lag.inner_text().strip() == "按此进度：滞后 8.3 个百分点，达到黄灯标准（5个百分点）"
    assert "alert-warning" in lag.get_attribute("class")
    assert lag.is_visible() and lag.bounding_box()["width"] <= 390
    screenshot(phone_page, "report-form-lag-phone")
    # 18.3: 15.033… behind (shown 15.0): red; 18.4: 14.933… (shown 14.9): still yellow.
    phone_page.fill("input[name=percent]", "18.3")
    assert lag.inner_text().strip() == "按此进度：滞后 15.0 个百分点，达到红灯标准（15个百分点）"
    assert "alert-danger" in lag.get_attribute("class")
    phone_page.fill("input[name=percent]", "18.4")
    assert lag.inner_text().strip() == "按此进度：滞后 14.9 个百分点，达到黄灯标准（5个百分点）"
    # 30.0: 3.333… behind, under the yellow threshold; 40: 6.666… ahead.
    phone_page.fill("input[name=percent]", "30")
    assert lag.inner_text().strip() == "按此进度：滞后 3.3 个百分点"
    assert "alert-success" in lag.get_attribute("class")
    # Typed key by key, as on a phone's keypad.
    phone_page.fill("input[name=percent]", "")
    phone_page.type("input[name=percent]", "40")
    assert lag.inner_text().strip() == "按此进度：超前 6.7 个百分点"
    assert "alert-success" in lag.get_attribute("class")
    # An empty field hides the forecast.
    phone_page.fill("input[name=percent]", "")
    assert lag.is_hidden()


def test_a_report_sent_after_the_session_ended_is_filled_in_again_after_signing_in(phone_page, town):
    """The session ends while the cadre types (12 hours, or signed out in another tab): sending
    lands on the sign-in page, which says the text is kept; after signing in the form is filled in
    again, and sending it stores the report once."""
    form_url = reverse("report_create", args=[town.project.pk])
    login(phone_page, "cadre1", next_path=form_url)
    phone_page.fill("input[name=percent]", "44.7")
    phone_page.fill("input[name=investment_done]", "420")
    phone_page.fill("textarea[name=work_done]", "完成路基填筑 1.2 公里")
    phone_page.fill("textarea[name=problems]", "杆线迁改未完成")
    phone_page.context.clear_cookies(name="sessionid")  # the session has ended
    phone_page.click("#report-form [type=submit]")
    phone_page.wait_for_url("**/accounts/login/**")
    assert "填写的内容已暂存" in phone_page.locator("#login-needed").inner_text()
    assert not ProgressReport.objects.exists()

    phone_page.fill("input[name=username]", "cadre1")
    phone_page.fill("input[name=password]", "pw-for-tests-1")
    phone_page.click("form#login-form [type=submit]")
    phone_page.wait_for_url(f"**{form_url}")
    assert phone_page.locator("#gj-restored-note").is_visible()
    assert phone_page.input_value("input[name=percent]") == "44.7"
    assert phone_page.input_value("input[name=investment_done]") == "420"
    assert phone_page.input_value("textarea[name=work_done]") == "完成路基填筑 1.2 公里"
    assert phone_page.input_value("textarea[name=problems]") == "杆线迁改未完成"
    screenshot(phone_page, "report-form-filled-in-again")
    assert not ProgressReport.objects.exists()  # nothing saved until it is sent

    phone_page.click("#report-form [type=submit]")
    phone_page.wait_for_url(f"**{reverse('project_detail', args=[town.project.pk])}")
    report = ProgressReport.objects.get(project=town.project)
    assert str(report.percent) == "44.7" and report.work_done == "完成路基填筑 1.2 公里"
