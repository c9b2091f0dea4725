from django.urls import path

from . import views, views_field, views_meetings, views_photos, views_plan
from .views_photos import photo_urls

urlpatterns = [
    path("<int:pk>/report/", views.report_create, name="report_create"),
    path("<int:pk>/replan/", views_plan.replan, name="project_replan"),
    # A page shows the thumbnail and links to the screen size; the original only on request.
    *photo_urls("photos/", views_photos.report_photo, "report_photo"),
    *photo_urls("obstacles/photos/", views_photos.obstacle_photo, "obstacle_photo"),
    *photo_urls("hazards/photos/", views_photos.hazard_photo, "hazard_photo"),
    path("<int:pk>/obstacles/new/", views_field.obstacle_create, name="obstacle_create"),
    path("obstacles/<int:pk>/edit/", views_field.obstacle_update, name="obstacle_update"),
    path("obstacles/<int:pk>/resolve/", views_field.obstacle_resolve, name="obstacle_resolve"),
    path("<int:pk>/hazards/new/", views_field.hazard_create, name="hazard_create"),
    path("hazards/<int:pk>/edit/", views_field.hazard_update, name="hazard_update"),
    path("hazards/<int:pk>/rectify/", views_field.hazard_rectify, name="hazard_rectify"),
    path("meetings/", views_meetings.meeting_list, name="meeting_list"),
    path("meetings/new/", views_meetings.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views_meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views_meetings.meeting_update, name="meeting_update"),
    path("meetings/<int:pk>/items/new/", views_meetings.action_item_create, name="action_item_create"),
    path("items/<int:pk>/edit/", views_meetings.action_item_update, name="action_item_update"),
    path("items/<int:pk>/done/", views_meetings.action_item_complete, name="action_item_complete"),
]
