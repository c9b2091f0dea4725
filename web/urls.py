"""The site's own pages: the dashboard, the wall, the export, the project pages, health."""

from django.urls import path

from . import health, views, views_projects, views_ranking, views_todo, views_wall

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("robots.txt", health.robots_txt, name="robots_txt"),
    path("projects/mine/", views_projects.my_projects, name="my_projects"),
    path("projects/<int:pk>/", views_projects.project_detail, name="project_detail"),
    path("projects/<int:pk>/reports/", views_projects.project_reports, name="project_reports"),
    path("projects/<int:pk>/changes/", views_projects.project_changes, name="project_changes"),
    path("wall/", views.wall, name="dashboard_wall"),
    path("wall/links/", views_wall.wall_links, name="wall_links"),
    path("wall/links/<int:pk>/revoke/", views_wall.wall_link_revoke, name="wall_link_revoke"),
    path("wall/t/<str:token>/", views_wall.wall_by_link, name="wall_by_link"),
    path("export.xlsx", views.dashboard_export, name="dashboard_export"),
    path("ranking/", views_ranking.ranking, name="ranking"),
    path("ranking.xlsx", views_ranking.ranking_export, name="ranking_export"),
    path("todo/", views_todo.todo, name="todo"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("", views_todo.home, name="home"),
]
