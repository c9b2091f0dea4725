"""The group-robot webhook address: refused on the model (full_clean, the admin, every form)
unless it is https to a public address."""

import pytest
from django.core.exceptions import ValidationError

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", [
    "ftp://robot.example/send",
    "http://1.1.1.1/robot/send",  # plain http
    "https://169.254.169.254/latest/meta-data/",  # the cloud's metadata service (link-local)
    "https://100.100.100.200/latest/meta-data/",  # Alibaba Cloud's metadata service
    "https://127.0.0.1:6379/",
    "https://localhost/robot",
    "https://10.1.2.3/robot",
    "https://192.168.1.10/robot",
    "https://[::1]/robot",
    "https://[::ffff:127.0.0.1]/robot",
    "https://no-such-host.invalid/robot",
])
def test_an_address_that_is_not_a_public_https_robot_is_refused_with_a_message(url):
    campaign = factories.CampaignFactory.build(unit=factories.UnitFactory(), webhook_url=url)
    with pytest.raises(ValidationError) as refused:
        campaign.full_clean()
    assert refused.value.message_dict["webhook_url"]


def test_a_public_https_address_is_accepted():
    campaign = factories.CampaignFactory.build(unit=factories.UnitFactory(),
                                               webhook_url="https://1.1.1.1/cgi-bin/webhook/send")
    campaign.full_clean()


def test_http_and_private_addresses_pass_only_when_the_settings_allow_them(settings):
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    campaign = factories.CampaignFactory.build(unit=factories.UnitFactory(),
                                               webhook_url="http://10.1.2.3/robot/send")
    campaign.full_clean()
