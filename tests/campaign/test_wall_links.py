"""Wall links: a revocable read-only address for a campaign's wall, made by its campaign office.
The token opens that wall and nothing else, makes no session, and stops working when revoked."""

import re

import pytest
from django.urls import reverse

from tests import factories
from web.models import WallLink

pytestmark = pytest.mark.django_db


def _make_link(client, town, label="镇政府大厅屏幕") -> str:
    client.force_login(town.town_admin)
    response = client.post(f"{reverse('wall_links')}?campaign={town.campaign.pk}", {"label": label})
    assert response.status_code == 200
    match = re.search(r'id="new-wall-link-url" value="([^"]+)"', response.content.decode())
    assert match, "the new link is shown once"
    client.logout()
    return match.group(1)


def test_the_campaign_office_makes_a_link_that_opens_the_wall_without_signing_in(client, town):
    url = _make_link(client, town)
    assert url.startswith("http://testserver/wall/t/")
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert town.campaign.name in body and town.project.name in body and 'id="gj-wall"' in body
    assert response["Referrer-Policy"] == "no-referrer"
    # No session was made: the screen is nobody.
    assert "sessionid" not in response.cookies or not response.cookies["sessionid"].value
    assert "_auth_user_id" not in client.session
    assert WallLink.objects.get().last_used_at is not None


@pytest.mark.parametrize("name,args", [
    ("home", []), ("dashboard", []), ("dashboard_wall", []), ("todo", []), ("my_projects", []),
    ("dashboard_export", []), ("project_detail", ["project"]), ("supervision_overview", []),
    ("notice_list", []), ("wall_links", []),
])
def test_the_token_opens_no_other_page(client, town, name, args):
    url = _make_link(client, town)
    assert client.get(url).status_code == 200
    token = url.rstrip("/").rsplit("/", 1)[1]
    path = reverse(name, args=[town.project.pk for _ in args])
    for attempt in (path, f"{path}?token={token}", f"{path}?t={token}"):
        response = client.get(attempt)
        assert response.status_code == 302 and reverse("login") in response["Location"], attempt


def test_a_revoked_link_is_refused(client, town):
    url = _make_link(client, town)
    link = WallLink.objects.get()
    client.force_login(town.town_admin)
    response = client.post(reverse("wall_link_revoke", args=[link.pk]))
    assert response.status_code == 302
    client.logout()
    refused = client.get(url)
    # The hall's screen says why it went dark, and shows no figure of the campaign.
    assert refused.status_code == 410
    body = refused.content.decode()
    assert "此大屏链接已被撤销" in body and town.project.name not in body
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_an_unknown_token_is_refused(client, town):
    _make_link(client, town)
    assert client.get(reverse("wall_by_link", args=["not-a-real-token"])).status_code == 404


def test_only_a_hash_of_the_token_is_stored(client, town):
    url = _make_link(client, town)
    token = url.rstrip("/").rsplit("/", 1)[1]
    link = WallLink.objects.get()
    assert token not in link.token_hash and len(token) >= 40


@pytest.mark.parametrize("role", ["leader", "team_member", "supervisor", "observer"])
def test_only_the_campaign_office_manages_wall_links(client, town, role):
    client.force_login(town.user(role))
    assert client.get(reverse("wall_links")).status_code == 403
    assert client.post(reverse("wall_links"), {"label": "x"}).status_code == 403
    assert not WallLink.objects.exists()


def test_another_town_s_office_cannot_revoke_our_link(client, town):
    _make_link(client, town)
    link = WallLink.objects.get()
    other_admin = factories.UserFactory(username="other_gjb", roles=["town_admin"])
    client.force_login(other_admin)  # no unit: sees none of our campaigns
    assert client.post(reverse("wall_link_revoke", args=[link.pk])).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_a_link_shows_only_its_own_campaign(client, town):
    other = factories.CampaignFactory(unit=factories.UnitFactory(name="潭头镇"), name="潭头镇百日攻坚行动")
    factories.ProjectFactory(campaign=other, name="潭头镇的项目")
    body = client.get(_make_link(client, town) + f"?campaign={other.pk}").content.decode()
    assert "潭头镇的项目" not in body and town.project.name in body
