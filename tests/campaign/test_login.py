"""Log in, log out, change the password; every page is behind login."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"  # tests/factories.py


def test_the_login_page_is_named_login_and_in_chinese_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="login-form"' in body
    assert '<html lang="zh-hans">' in body


def test_english_is_available_from_the_switch(client):
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    body = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in body
    assert "Log in" in body


def test_logging_in_lands_on_home_which_sends_a_team_member_on_to_todo(client, town):
    response = client.post(reverse("login"), {"username": "cadre1", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(response.url).url == reverse("todo")


def test_a_wrong_password_stays_on_the_login_page_with_an_error(client, town):
    response = client.post(reverse("login"), {"username": "cadre1", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_logging_out_goes_back_to_the_login_page(client, town):
    client.force_login(town.team_member)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response.url == reverse("login")
    assert client.get(reverse("dashboard")).status_code == 302


def test_a_user_changes_their_password(client, town):
    client.force_login(town.team_member)
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "Gongjian-2026-new!",
        "new_password2": "Gongjian-2026-new!"})
    assert response.status_code == 302 and response.url == reverse("password_change_done")
    assert client.get(reverse("password_change_done")).status_code == 200
    town.team_member.refresh_from_db()
    assert town.team_member.check_password("Gongjian-2026-new!")


@pytest.mark.parametrize("name,args", [
    ("home", []), ("todo", []),
    ("dashboard", []), ("dashboard_wall", []), ("dashboard_export", []), ("my_projects", []),
    ("project_detail", ["pk"]), ("report_create", ["pk"]), ("obstacle_create", ["pk"]),
    ("hazard_create", ["pk"]), ("meeting_list", []), ("meeting_create", []),
    ("password_change", []),
])
def test_every_page_is_behind_login(client, town, name, args):
    url = reverse(name, args=[town.project.pk for _ in args])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")


def test_a_form_sent_after_the_session_ended_says_so_on_the_login_page(client, town):
    """A report sent once the session has ended lands on the login page, which says why and that
    the form must be sent again; a plain visit to the login page says nothing of the kind."""
    assert 'id="login-needed"' not in client.get(reverse("login")).content.decode()
    response = client.post(reverse("report_create", args=[town.project.pk]),
                           {"percent": "44.7", "work_done": "完成路基"}, follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0].startswith(reverse("login") + "?next=")
    assert 'id="login-needed"' in body and "填写的内容已暂存" in body
    # A page behind login opened by a link (nothing sent): the plain message.
    response = client.get(reverse("my_projects"), follow=True)
    assert "登录已失效或尚未登录" in response.content.decode()


def _kept(response) -> dict | None:
    import json
    import re

    found = re.search(r'<script id="gj-restored-form" type="application/json">(.*?)</script>',
                      response.content.decode(), re.S)
    return json.loads(found.group(1)) if found else None


def test_a_form_sent_after_the_session_ended_is_filled_in_again_after_signing_in(client, town):
    """Found by the cadre's walk: the report typed on the phone was gone after signing in again.
    Kept in the anonymous session (signing in keeps it), given back once to the form's page;
    nothing is saved until the form is sent again; tokens and passwords are never kept."""
    from projects.models import ProgressReport

    form_url = reverse("report_create", args=[town.project.pk])
    client.post(form_url, {"percent": "44.7", "work_done": "完成路基填筑", "once": "tok",
                           "csrfmiddlewaretoken": "x", "old_password": "secret"})
    assert not ProgressReport.objects.exists()
    response = client.post(reverse("login") + f"?next={form_url}",
                           {"username": "cadre1", "password": PASSWORD, "next": form_url})
    assert response.url == form_url
    page = client.get(form_url)
    kept = _kept(page)
    assert kept["path"] == form_url
    assert kept["fields"] == [["percent", "44.7"], ["work_done", "完成路基填筑"]]
    assert 'id="gj-restored-note"' in page.content.decode()
    # Once: a reload shows the empty form; and still nothing was saved.
    assert _kept(client.get(form_url)) is None
    assert not ProgressReport.objects.exists()


def test_a_kept_form_is_given_only_to_its_own_page_and_not_after_half_an_hour(client, town):
    from web.middleware import KeepFormAcrossSignInMiddleware as Keep

    form_url = reverse("report_create", args=[town.project.pk])
    client.post(form_url, {"percent": "44.7"})
    client.post(reverse("login"), {"username": "cadre1", "password": PASSWORD})
    assert _kept(client.get(reverse("my_projects"))) is None  # another page: left for its own
    session = client.session
    session[Keep.KEY]["at"] -= Keep.KEEP_SECONDS + 1
    session.save()
    assert _kept(client.get(form_url)) is None


def test_a_kept_form_waits_out_a_page_that_is_not_the_form(client, town):
    """A POST-only address (urge, publish…) answers its GET with the 405 page: the typed values
    are not spent on it."""
    from web.middleware import KeepFormAcrossSignInMiddleware as Keep

    url = reverse("logout")
    client.post(reverse("report_create", args=[town.project.pk]), {"percent": "1"})
    session = client.session
    session[Keep.KEY]["path"] = url
    session.save()
    client.post(reverse("login"), {"username": "cadre1", "password": PASSWORD})
    assert client.get(url).status_code == 405
    assert Keep.KEY in client.session
