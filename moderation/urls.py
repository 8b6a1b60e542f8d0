from django.urls import path

from moderation import views, views_overview

app_name = "moderation"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("overview/", views_overview.overview, name="overview"),
    path("duty/", views.duty_set, name="duty_set"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path(
        "cases/<int:case_id>/<slug:action>/", views.case_action, name="case_action"
    ),
    path("members/<int:user_id>/safety-plan/", views.member_safety_plan, name="member_safety_plan"),
]
