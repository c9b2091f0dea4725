"""The dashboard's light counts are links that filter its table to that light, without script
(?light=), with a visible 清除筛选; the table and the counts agree, also from the shared cache."""

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Project
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def lit(town):
    """Four projects: HN-02 and one more red, one yellow, HN-01 green — as a scan left them, not
    due for review (a page assesses the ones due before it shows them)."""
    Project.objects.filter(pk=town.other_project.pk).update(health="red")
    factories.ProjectFactory(campaign=town.campaign, code="HN-03", health="red")
    factories.ProjectFactory(campaign=town.campaign, code="HN-04", health="yellow")
    Project.objects.filter(campaign=town.campaign).update(
        review_at=timezone.now() + datetime.timedelta(days=1))
    return town


def _light_links(body: str) -> dict[str, tuple[str, int]]:
    """{light: (href, the count shown)} of the headline's light links."""
    links = {}
    for match in re.finditer(r'<a [^>]*href="([^"]*)" data-light="(\w+)"[^>]*>.*?<strong>(\d+)</strong>',
                             body, re.S):
        links[match.group(2)] = (html.unescape(match.group(1)), int(match.group(3)))
    return links


def _codes(response):
    return sorted(r["code"] for r in response.context["rows"])


def test_each_light_count_links_to_the_table_of_that_light_and_they_agree(client, lit):
    client.force_login(lit.supervisor)
    url = reverse("dashboard")
    response = client.get(url)
    links = _light_links(response.content.decode())
    assert {k: n for k, (_h, n) in links.items()} == {"red": 2, "yellow": 1, "green": 1, "done": 0}
    assert "清除筛选" not in response.content.decode()
    expected = {"red": ["HN-02", "HN-03"], "yellow": ["HN-04"], "green": ["HN-01"], "done": []}
    for light, (href, count) in links.items():
        assert f"light={light}" in href
        filtered = client.get(url + href)
        assert _codes(filtered) == expected[light]
        assert len(filtered.context["rows"]) == count
        body = filtered.content.decode()
        assert re.search(r'<a href="\?campaign=\d+" id="clear-filters">清除筛选</a>', body)
        assert f'data-light="{light}" aria-current="true"' in body


def test_a_light_link_drops_the_other_filters_so_the_table_matches_its_count(client, lit):
    client.force_login(lit.supervisor)
    url = reverse("dashboard")
    body = client.get(url, {"level": "county", "leader": lit.leader.pk, "sort": "-lag"}).content.decode()
    href, count = _light_links(body)["red"]
    assert "level=" not in href and "leader=" not in href and "sort=-lag" in href
    assert len(client.get(url + href).context["rows"]) == count == 2


def test_the_wall_shows_the_counts_without_links(client, lit):
    client.force_login(lit.town_admin)
    assert _light_links(client.get(reverse("dashboard_wall")).content.decode()) == {}


def test_with_a_shared_cache_each_filter_has_its_own_table(client, lit, shared_cache):
    client.force_login(lit.supervisor)
    url = reverse("dashboard")
    assert len(client.get(url).context["rows"]) == 4
    red = client.get(url, {"light": "red"}).content.decode()
    assert 'data-code="HN-02"' in red and 'data-code="HN-01"' not in red
    # Back to everything, and again the filtered one: each comes from its own cached body.
    everything = client.get(url).content.decode()
    assert all(f'data-code="HN-0{i}"' in everything for i in range(1, 5))
    again = client.get(url, {"light": "yellow"}).content.decode()
    assert 'data-code="HN-04"' in again and 'data-code="HN-02"' not in again


def test_a_filtered_dashboard_reads_as_many_queries_as_the_whole(postgres, client, lit,
                                                                 django_assert_num_queries):
    client.force_login(lit.supervisor)
    # As the whole dashboard (tests/campaign/test_dashboard.py): session, user, campaigns, the
    # four reads of the figures and the warnings.
    with django_assert_num_queries(8):
        response = client.get(reverse("dashboard"), {"light": "red"})
    assert _codes(response) == ["HN-02", "HN-03"]
