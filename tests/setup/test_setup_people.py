"""The campaign office creates its town's people in one form, resets a password to a temporary
one that must be changed at the next sign-in, and deactivates — in its own town only."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from campaign.models import Role, Unit

from .conftest import placed

pytestmark = pytest.mark.django_db


def person_form(unit, **changes):
    data = {"full_name": "李华", "username": "lihua", "unit": unit.pk, "title": "村支书",
            "phone": "13800000000", "roles": ["leader", "team_member"]}
    data.update(changes)
    return data


def test_the_office_creates_a_person_with_name_unit_title_phone_and_roles(office_client, village):
    response = office_client.post(reverse("setup_person_new"), person_form(village), follow=True)
    user = User.objects.get(username="lihua")
    assert response.redirect_chain == [(reverse("setup_person_password", args=[user.pk]), 302)]
    password = response.context["password"]
    assert password in response.content.decode()
    assert (user.profile.full_name, user.profile.unit, user.profile.title, user.profile.phone) == (
        "李华", village, "村支书", "13800000000")
    assert sorted(user.groups.values_list("name", flat=True)) == ["leader", "team_member"]
    assert not user.is_staff and not user.is_superuser
    assert user.check_password(password) and user.profile.must_change_password


def test_a_taken_login_name_is_refused_beside_it(office_client, village, zhang):
    response = office_client.post(reverse("setup_person_new"),
                                  person_form(village, username="zhangming"))
    assert response.context["form"].errors["username"] == ["登录名 zhangming 已被使用。"]
    assert 'value="李华"' in response.content.decode()


def test_a_person_needs_a_role(office_client, village):
    response = office_client.post(reverse("setup_person_new"), person_form(village, roles=[]))
    assert response.context["form"].errors["roles"] == ["这个字段是必填项。"]


def test_a_unit_of_another_town_is_not_offered(office_client, town):
    other = Unit.objects.create(name="潭头镇", kind=Unit.Kind.TOWN, parent=town.parent)
    response = office_client.post(reverse("setup_person_new"), person_form(other))
    assert "unit" in response.context["form"].errors
    assert not User.objects.filter(username="lihua").exists()


def test_the_office_cannot_make_an_observer(office_client, village):
    response = office_client.post(reverse("setup_person_new"),
                                  person_form(village, roles=["observer"]))
    assert "roles" in response.context["form"].errors


def test_a_reset_password_must_be_changed_at_the_next_sign_in(office_client, client, zhang):
    response = office_client.post(reverse("setup_person_reset_password", args=[zhang.pk]),
                                  follow=True)
    password = response.context["password"]
    zhang.refresh_from_db()
    assert zhang.check_password(password)

    client.post(reverse("login"), {"username": "zhangming", "password": password})
    page = client.get(reverse("my_projects"))
    assert page.status_code == 302 and page.url == reverse("password_change")
    # The page says why, and what goes where; no "cancel" that only comes back here.
    forced = client.get(page.url).content.decode()
    assert 'id="password-must-change"' in forced and "临时密码" in forced
    assert "取消" not in forced.split('id="password-change-form"')[1]
    client.post(reverse("password_change"), {"old_password": password,
                                             "new_password1": "Xin-mima-2026!",
                                             "new_password2": "Xin-mima-2026!"})
    assert client.get(reverse("my_projects")).status_code == 200
    zhang.profile.refresh_from_db()
    assert not zhang.profile.must_change_password


def test_a_deactivated_person_cannot_sign_in(office_client, client, zhang):
    office_client.post(reverse("setup_person_deactivate", args=[zhang.pk]))
    zhang.refresh_from_db()
    assert not zhang.is_active
    assert not client.login(username="zhangming", password="pw-for-tests-1")
    # On the record: who deactivated the account, and when.
    record = zhang.profile.history.order_by("-history_date").first()
    assert record.history_change_reason == "停用账号"
    assert record.history_user is not None and record.history_user.username != "zhangming"


def test_a_password_reset_is_on_the_record(office_client, zhang):
    office_client.post(reverse("setup_person_reset_password", args=[zhang.pk]))
    record = zhang.profile.history.order_by("-history_date").first()
    assert record.history_change_reason == "重置临时密码" and record.must_change_password


def test_the_office_cannot_deactivate_itself(office_client, office):
    office_client.post(reverse("setup_person_deactivate", args=[office.pk]))
    office.refresh_from_db()
    assert office.is_active


def test_the_people_list_shows_and_searches_name_unit_and_title(office_client, zhang, village):
    placed("lihua", Role.TEAM_MEMBER, village, "李华", "村支书")
    body = office_client.get(reverse("setup_people"), {"q": "副镇长"}).content.decode()
    assert "张明（湖南镇·副镇长）" in body
    assert "李华" not in body


def test_the_office_edits_a_persons_unit_and_roles(office_client, zhang, village):
    office_client.post(reverse("setup_person_edit", args=[zhang.pk]),
                       person_form(village, full_name="张明", roles=["supervisor"]))
    zhang.refresh_from_db()
    assert zhang.profile.unit == village
    assert list(zhang.groups.values_list("name", flat=True)) == [Role.SUPERVISOR.value]
    assert zhang.username == "zhangming"
    assert zhang.profile.history.count() >= 2


def test_the_office_cannot_reset_an_operators_password(office_client, town):
    operator = placed("operator", None, town, "运维")
    operator.is_superuser = operator.is_staff = True
    operator.save()
    assert office_client.post(
        reverse("setup_person_reset_password", args=[operator.pk])).status_code == 404
    assert "operator" not in office_client.get(reverse("setup_people")).content.decode()
    operator.refresh_from_db()
    assert operator.check_password("pw-for-tests-1")


def test_a_person_who_leads_or_is_on_the_team_of_an_unfinished_project_is_not_deactivated(
        office_client, town_campaign, zhang, village):
    """Deactivated, the project would keep a leader (or member) no picker offers any more: refused
    with the projects named, until the project is completed or someone else takes it."""
    from projects.models import Assignment, Project
    from tests import factories

    cadre = placed("cadre1", Role.TEAM_MEMBER, village, "李华", "村支书")
    led = factories.ProjectFactory(campaign=town_campaign, leader=zhang, code="HN-01")
    other = factories.ProjectFactory(campaign=town_campaign, code="HN-02")
    Assignment.objects.create(project=other, user=zhang, role="member")
    Assignment.objects.create(project=other, user=cadre, role="member")
    response = office_client.post(reverse("setup_person_deactivate", args=[zhang.pk]), follow=True)
    zhang.refresh_from_db()
    assert zhang.is_active
    assert "张明仍是HN-01的包项目领导；在HN-02的工作专班：请先" in response.content.decode()

    Project.objects.filter(pk__in=[led.pk, other.pk]).update(status="completed")
    office_client.post(reverse("setup_person_deactivate", args=[zhang.pk]))
    zhang.refresh_from_db()
    assert not zhang.is_active


def test_the_same_person_twice_on_a_team_is_said_in_chinese(office_client, town_campaign, zhang,
                                                           village):
    from .test_setup_projects import project_form

    cadre = placed("cadre1", Role.TEAM_MEMBER, village, "李华", "村支书")
    data = project_form(town_campaign, zhang, **{
        "team-TOTAL_FORMS": "2", "team-0-user": cadre.pk, "team-0-role": "lead",
        "team-1-user": cadre.pk, "team-1-role": "member", "team-1-unit": ""})
    body = office_client.post(reverse("setup_project_new", args=[town_campaign.pk]),
                              data).content.decode()
    assert "同一人在工作专班中出现了两次" in body
    assert "请修改user的重复数据" not in body


@pytest.mark.parametrize(("typed", "stored"), [
    ("１３９００００２２２２", "13900002222"), ("138 0000 3333", "13800003333"),
    ("0591－28888888", "0591-28888888"), ("", "")])
def test_a_phone_is_written_down_one_way(office_client, village, typed, stored):
    response = office_client.post(reverse("setup_person_new"), person_form(village, phone=typed))
    assert response.status_code == 302
    assert User.objects.get(username="lihua").profile.phone == stored


def test_a_phone_with_letters_is_refused_beside_it_and_nothing_typed_is_lost(office_client,
                                                                            village):
    response = office_client.post(reverse("setup_person_new"),
                                  person_form(village, phone="1390000abcd"))
    assert response.context["form"].errors["phone"] == [
        "电话“1390000abcd”只能包含数字和 - + ( )。"]
    assert 'value="李华"' in response.content.decode()
    assert not User.objects.filter(username="lihua").exists()


# --- Deactivating asks first; a deactivated account is brought back -----------------------------


def test_deactivating_asks_first_and_opening_the_question_changes_nothing(office_client, zhang):
    edit = office_client.get(reverse("setup_person_edit", args=[zhang.pk])).content.decode()
    confirm_url = reverse("setup_person_deactivate", args=[zhang.pk])
    assert f'href="{confirm_url}"' in edit  # a link to the question, not a button that does it

    question = office_client.get(confirm_url)
    body = question.content.decode()
    zhang.refresh_from_db()
    assert question.status_code == 200 and zhang.is_active
    assert "张明将不能再登录" in body and f'action="{confirm_url}"' in body
    assert "张明（湖南镇·副镇长）" in body

    assert office_client.post(confirm_url).url == reverse("setup_people")
    zhang.refresh_from_db()
    assert not zhang.is_active


def test_the_question_is_not_asked_when_the_person_still_leads_a_project(office_client,
                                                                        town_campaign, zhang):
    from tests import factories

    factories.ProjectFactory(campaign=town_campaign, leader=zhang, code="HN-01")
    response = office_client.get(reverse("setup_person_deactivate", args=[zhang.pk]), follow=True)
    assert response.redirect_chain == [(reverse("setup_person_edit", args=[zhang.pk]), 302)]
    assert "张明仍是HN-01的包项目领导" in response.content.decode()


def test_a_deactivated_person_is_reactivated_and_signs_in_again(office_client, client, zhang):
    office_client.post(reverse("setup_person_deactivate", args=[zhang.pk]))
    edit = office_client.get(reverse("setup_person_edit", args=[zhang.pk])).content.decode()
    assert 'id="person-deactivated"' in edit and "启用账号" in edit
    assert 'id="deactivate-person"' not in edit

    response = office_client.post(reverse("setup_person_reactivate", args=[zhang.pk]), follow=True)
    assert "张明可以重新登录了。" in response.content.decode()
    zhang.refresh_from_db()
    assert zhang.is_active
    assert client.login(username="zhangming", password="pw-for-tests-1")
    # On the record as the deactivation is: what happened, and who did it.
    record = zhang.profile.history.order_by("-history_date").first()
    assert record.history_change_reason == "启用账号"
    assert record.history_user is not None and record.history_user.username == "hn_office"


def test_a_reactivated_leader_is_offered_as_a_leader_again(office_client, town_campaign, zhang):
    picker = reverse("setup_project_new", args=[town_campaign.pk])
    office_client.post(reverse("setup_person_deactivate", args=[zhang.pk]))
    assert "张明（湖南镇·副镇长）" not in office_client.get(picker).content.decode()
    office_client.post(reverse("setup_person_reactivate", args=[zhang.pk]))
    assert "张明（湖南镇·副镇长）" in office_client.get(picker).content.decode()


def test_the_people_list_shows_who_is_deactivated(office_client, zhang, village):
    placed("lihua", Role.TEAM_MEMBER, village, "李华", "村支书")
    office_client.post(reverse("setup_person_deactivate", args=[zhang.pk]))
    rows = office_client.get(reverse("setup_people")).content.decode().split("<tr")
    assert "已停用" in next(r for r in rows if "zhangming" in r)
    assert "已停用" not in next(r for r in rows if "lihua" in r)


# --- The temporary password: shown once, on a page of its own ------------------------------------


def test_reloading_after_creating_a_person_creates_nothing_and_shows_no_error(office_client,
                                                                             village):
    form = office_client.get(reverse("setup_person_new")).content.decode()
    token = form.split('name="once" value="')[1].split('"')[0]
    data = person_form(village, once=token)

    created = office_client.post(reverse("setup_person_new"), data)
    user = User.objects.get(username="lihua")
    page = reverse("setup_person_password", args=[user.pk])
    assert created.status_code == 302 and created.url == page
    shown = office_client.get(page)
    password = shown.context["password"]
    assert password and password in shown.content.decode() and user.check_password(password)

    # A reload of that page: no error, nothing created, and the password is not shown again.
    reloaded = office_client.get(page)
    body = reloaded.content.decode()
    assert reloaded.status_code == 200 and password not in body
    assert 'id="password-shown-before"' in body and "已被使用" not in body
    # The form sent again (a resend from the browser's history) lands on the same page.
    again = office_client.post(reverse("setup_person_new"), data, follow=True)
    assert again.redirect_chain[-1][0] == page and "已被使用" not in again.content.decode()
    assert User.objects.filter(username="lihua").count() == 1
    assert user.check_password(password)


def test_a_reset_password_is_shown_once_on_a_page_of_its_own(office_client, zhang):
    response = office_client.post(reverse("setup_person_reset_password", args=[zhang.pk]))
    assert response.url == reverse("setup_person_password", args=[zhang.pk])
    password = office_client.get(response.url).context["password"]
    zhang.refresh_from_db()
    assert zhang.check_password(password)
    assert password not in office_client.get(response.url).content.decode()
    zhang.refresh_from_db()
    assert zhang.check_password(password)  # a reload reset nothing


def test_a_password_given_for_one_person_is_not_shown_on_anothers_page(office_client, zhang,
                                                                      village):
    other = placed("lihua", Role.TEAM_MEMBER, village, "李华", "村支书")
    response = office_client.post(reverse("setup_person_reset_password", args=[zhang.pk]))
    assert office_client.get(reverse("setup_person_password", args=[other.pk])).context[
        "password"] is None
    assert office_client.get(response.url).context["password"]
