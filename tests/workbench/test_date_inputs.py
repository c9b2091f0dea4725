"""The date fields of the workbench's forms are filled in with their default dates in Chinese
too: an <input type=date> only takes an ISO date and shows an empty field for any other."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from core.dates import local_date
from supervision.forms import BulletinForm

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """Overrides the workbench's English: these pages are read in Chinese, the default."""
    settings.LANGUAGE_CODE = "zh-hans"
    settings.SECURE_SSL_REDIRECT = False
    with translation.override("zh-hans"):
        yield


def _date_values(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="date" name="([\w-]+)" value="([^"]*)"', html))


def test_the_random_spot_check_form_offers_today_in_chinese(client, campaign, supervisor):
    client.force_login(supervisor)
    html = client.get(reverse("spotcheck_new", args=["random"])).content.decode()
    assert "计划日期" in html
    assert _date_values(html)["planned_on"] == local_date().isoformat()


def test_the_bulletin_form_offers_the_reporting_week_in_chinese(client, campaign, supervisor):
    """The reporting week in progress: it ends on the campaign's report day (Friday by default)
    on or after today, whatever the weekday the test runs on."""
    assert campaign.report_weekday == 4  # Friday
    client.force_login(supervisor)
    html = client.get(reverse("bulletin_list")).content.decode()
    assert "统计起始日期" in html
    values = _date_values(html)
    today = local_date()
    friday = today + datetime.timedelta(days=(4 - today.weekday()) % 7)
    assert values["period_end"] == friday.isoformat()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", values["period_start"])


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_date_input_is_rendered_in_iso_whatever_the_language(language):
    with translation.override(language):
        html = str(BulletinForm(initial={"period_start": datetime.date(2026, 11, 28)})["period_start"])
    assert 'value="2026-11-28"' in html
