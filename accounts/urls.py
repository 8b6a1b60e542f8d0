from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.profile_detail, name="profile"),
    path("edit/", views.profile_edit, name="profile_edit"),
    path("safety-plan/", views.safety_plan, name="safety_plan"),
    path("data/export/", views.data_export, name="data_export"),
    path("delete/", views.account_delete_view, name="account_delete"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:notification_id>/open/", views.notification_open, name="notification_open"),
]
