"""设置 of a campaign's projects, under /setup/."""

from django.urls import path

from . import views_setup

urlpatterns = [
    path("campaigns/<int:pk>/projects/", views_setup.project_list, name="setup_projects"),
    path("campaigns/<int:pk>/projects/new/", views_setup.project_new, name="setup_project_new"),
    path("projects/<int:pk>/", views_setup.project_edit, name="setup_project_edit"),
    path("projects/<int:pk>/suspend/", views_setup.project_suspend, name="setup_project_suspend"),
    path("projects/<int:pk>/resume/", views_setup.project_resume, name="setup_project_resume"),
    path("projects/<int:pk>/complete/", views_setup.project_complete,
         name="setup_project_complete"),
    path("campaigns/<int:pk>/import/", views_setup.import_upload, name="setup_import"),
    path("campaigns/<int:pk>/import/template.xlsx", views_setup.import_template,
         name="setup_import_template"),
    path("campaigns/<int:pk>/import/confirm/", views_setup.import_confirm,
         name="setup_import_confirm"),
]
