"""The supervision workbench, under /supervision/."""

from django.urls import path

from projects.views_photos import photo_urls

from . import views_bulletins as bulletins
from . import views_hazards as hazards
from . import views_notices as notices
from . import views_overview as overview
from . import views_records as records
from . import views_spotchecks as spotchecks

urlpatterns = [
    path("", overview.overview, name="supervision_overview"),
    path("issue/", overview.bulk_issue, name="supervision_bulk_issue"),
    path("notices/", notices.notice_list, name="notice_list"),
    path("notices/new/", notices.notice_new, name="notice_new"),
    path("notices/<int:pk>/", notices.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/edit/", notices.notice_edit, name="notice_edit"),
    path("notices/<int:pk>/print/", notices.notice_print, name="notice_print"),
    path("notices/<int:pk>/<slug:step>/", notices.notice_step, name="notice_step"),
    path("evidence/<int:pk>/", notices.evidence_file, name="evidence_file"),
    path("hazards/<int:pk>/review/", hazards.hazard_review, name="hazard_review"),
    path("hazard-reviews/<int:pk>/photo/", hazards.hazard_review_photo, {"size": "screen"},
         name="hazard_review_photo"),
    path("hazard-reviews/<int:pk>/photo/thumb/", hazards.hazard_review_photo, {"size": "thumbnail"},
         name="hazard_review_photo_thumb"),
    path("hazard-reviews/<int:pk>/photo/original/", hazards.hazard_review_photo, {"size": "image"},
         name="hazard_review_photo_original"),
    *photo_urls("evidence/photos/", notices.response_photo, "response_photo"),
    path("spot-checks/", spotchecks.spotcheck_list, name="spotcheck_list"),
    path("spot-checks/new/<slug:kind>/", spotchecks.spotcheck_new, name="spotcheck_new"),
    path("spot-checks/<int:pk>/", spotchecks.spotcheck_detail, name="spotcheck_detail"),
    path("spot-checks/<int:pk>/findings/", spotchecks.finding_add, name="finding_add"),
    *photo_urls("spot-checks/findings/photos/", spotchecks.finding_photo, "finding_photo"),
    path("spot-checks/<int:pk>/findings/<int:finding_pk>/notice/", spotchecks.finding_notice,
         name="finding_notice"),
    path("spot-checks/<int:pk>/findings/<int:finding_pk>/rectified/", spotchecks.finding_rectified,
         name="finding_rectified"),
    path("spot-checks/<int:pk>/done/", spotchecks.spotcheck_done, name="spotcheck_done"),
    path("criticism/", records.criticism_list, name="criticism_list"),
    path("criticism/new/", records.criticism_new, name="criticism_new"),
    path("criticism/<int:pk>/confirm/", records.criticism_confirm, name="criticism_confirm"),
    path("criticism/<int:pk>/withdraw/", records.criticism_withdraw, name="criticism_withdraw"),
    path("highlights/", records.highlight_list, name="highlight_list"),
    path("highlights/new/", records.highlight_new, name="highlight_new"),
    path("highlights/<int:pk>/photo/", records.highlight_photo, name="highlight_photo"),
    path("bulletins/", bulletins.bulletin_list, name="bulletin_list"),
    path("bulletins/new/", bulletins.bulletin_generate, name="bulletin_generate"),
    path("bulletins/<int:pk>/", bulletins.bulletin_detail, name="bulletin_detail"),
    path("bulletins/<int:pk>/print/", bulletins.bulletin_print, name="bulletin_print"),
    path("bulletins/<int:pk>/refresh/", bulletins.bulletin_regenerate, name="bulletin_regenerate"),
    path("bulletins/<int:pk>/publish/", bulletins.bulletin_publish, name="bulletin_publish"),
    path("bulletins/<int:pk>/bulletin.xlsx", bulletins.bulletin_xlsx, name="bulletin_xlsx"),
    path("bulletins/<int:pk>/bulletin.docx", bulletins.bulletin_docx, name="bulletin_docx"),
]
