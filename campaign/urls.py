"""设置 (setup) of campaigns, people and the town's units, under /setup/."""

from django.urls import path

from . import views_setup

urlpatterns = [
    path("", views_setup.setup_home, name="setup_home"),
    path("campaigns/new/", views_setup.campaign_new, name="setup_campaign_new"),
    path("campaigns/<int:pk>/", views_setup.campaign_edit, name="setup_campaign_edit"),
    path("people/", views_setup.people, name="setup_people"),
    path("people/new/", views_setup.person_new, name="setup_person_new"),
    path("people/<int:pk>/", views_setup.person_edit, name="setup_person_edit"),
    path("people/<int:pk>/password/", views_setup.person_password, name="setup_person_password"),
    path("people/<int:pk>/reset-password/", views_setup.person_reset_password,
         name="setup_person_reset_password"),
    path("people/<int:pk>/deactivate/", views_setup.person_deactivate,
         name="setup_person_deactivate"),
    path("people/<int:pk>/reactivate/", views_setup.person_reactivate,
         name="setup_person_reactivate"),
    path("units/", views_setup.units, name="setup_units"),
    path("units/new/", views_setup.unit_new, name="setup_unit_new"),
    path("units/<int:pk>/", views_setup.unit_edit, name="setup_unit_edit"),
    path("units/<int:pk>/delete/", views_setup.unit_delete, name="setup_unit_delete"),
]
