"""The 复核 form offers its verdicts as verbs, what the reviewer does (通过, 退回); a stored review
names its outcome as a state (已退回)."""

import pytest
from django.utils import translation

from supervision.forms import HazardReviewForm
from supervision.models import HazardReview

pytestmark = pytest.mark.django_db


def test_the_review_form_offers_to_verify_or_to_return():
    with translation.override("zh-hans"):
        labels = [str(label) for _value, label in HazardReviewForm().fields["verdict"].choices]
        assert labels == ["通过", "退回"]
        assert "已退回" not in HazardReviewForm().as_p()
    assert [v for v, _label in HazardReviewForm().fields["verdict"].choices] == [
        HazardReview.Verdict.VERIFIED, HazardReview.Verdict.RETURNED]


def test_a_returned_review_reads_as_returned():
    with translation.override("zh-hans"):
        assert HazardReview(verdict=HazardReview.Verdict.RETURNED).get_verdict_display() == "已退回"
