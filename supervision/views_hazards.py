"""复核 of major safety hazards (supervision.hazards) and the photo of a review.

The review page is the supervision group's of the campaign's own town: anyone else who may read
the project gets a 403 (its readers see the state and the review notes on the project page), and
a user who may not read the project a 404.
"""

from __future__ import annotations

import logging
import os

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from campaign import once
from campaign.access import may_supervise
from projects.access import visible_projects
from projects.models import Hazard, HazardPhoto

from . import hazards as hazard_service
from .forms import HazardReviewForm
from .models import HazardReview
from .views_notices import serve_checked_file

log = logging.getLogger("gongjian.access")


def _get_hazard_for_review(user, pk) -> Hazard:
    """The hazard, 404 when its project is not readable, 403 unless the user supervises its
    campaign (both logged)."""
    hazard = (Hazard.objects.select_related("check_record__project__campaign",
                                            "check_record__checked_by__profile")
              .filter(pk=pk, check_record__project__in=visible_projects(user)).first())
    if hazard is None:
        log.warning("refused read user=%s hazard=%s", user.pk, pk)
        raise Http404
    if not may_supervise(user, hazard.check_record.project.campaign):
        log.warning("refused write user=%s hazard=%s", user.pk, pk)
        raise PermissionDenied
    return hazard


def _project_url(hazard: Hazard) -> str:
    return reverse("project_detail", args=[hazard.check_record.project_id]) + f"#hazard-{hazard.pk}"


@login_required
def hazard_review(request, pk):
    """复核: verify (通过) or return (退回) a major hazard's 整改完毕, with a note and a photo."""
    hazard = _get_hazard_for_review(request.user, pk)
    form = HazardReviewForm(request.POST or None, request.FILES or None)
    if (request.method == "POST" and form.is_valid() and (outcome := once.submit(
                request, form, lambda: hazard_service.review_hazard(
                    hazard, request.user, verdict=form.cleaned_data["verdict"],
                    note=form.cleaned_data["note"], photo=form.cleaned_data["photo"]),
                lambda _review: _project_url(hazard)))):
        if outcome.repeated or outcome.result.verdict == HazardReview.Verdict.VERIFIED:
            message = _("Rectification verified: the hazard is closed.")
        else:
            message = _("Rectification returned to the team.")
        return once.respond(request, outcome, message)
    reviews = list(hazard.reviews.select_related("reviewed_by__profile"))
    photos = list(hazard.photos.order_by("pk"))
    return render(request, "supervision/hazard_review.html", {
        "hazard": hazard, "project": hazard.check_record.project, "form": form,
        # The evidence the decision rests on: the hazard as found, and after the team's work.
        "found_photos": [p for p in photos if p.stage == HazardPhoto.Stage.FOUND],
        "rectified_photos": [p for p in photos if p.stage == HazardPhoto.Stage.RECTIFIED],
        "reviews": reviews, "back_url": _project_url(hazard),
        "awaiting": hazard.status == Hazard.Status.AWAITING_REVIEW, "is_supervisor": True,
    }, status=400 if request.method == "POST" else 200)


@login_required
def hazard_review_photo(request, pk, size="screen"):
    """A review's photo in one of its stored sizes, to those who may read the project."""
    review = (HazardReview.objects.filter(
        pk=pk, hazard__check_record__project__in=visible_projects(request.user)).first())
    if review is None or not review.photo:
        log.warning("refused read user=%s hazard_review=%s", request.user.pk, pk)
        raise Http404
    copy = review.file_for(size)
    try:
        return serve_checked_file(copy, os.path.basename(copy.name))
    except FileNotFoundError:
        raise Http404 from None
