from django.urls import path

from . import views, views_field, views_meetings, views_plan

urlpatterns = [
    path("<int:pk>/report/", views.report_create, name="report_create"),
    path("<int:pk>/replan/", views_plan.replan, name="project_replan"),
    # A page shows the thumbnail and links to the screen size; the original only on request.
    path("photos/<int:pk>/", views.report_photo, {"size": "screen"}, name="report_photo"),
    path("photos/<int:pk>/thumb/", views.report_photo, {"size": "thumbnail"}, name="report_photo_thumb"),
    path("photos/<int:pk>/original/", views.report_photo, {"size": "image"}, name="report_photo_original"),
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
