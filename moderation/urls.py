from django.urls import path

from moderation import views, views_overview

app_name = "moderation"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("overview/", views_overview.overview, name="overview"),
    path("duty/", views.duty_set, name="duty_set"),
    path("flags/dismiss/", views.flag_bulk_dismiss, name="flag_bulk_dismiss"),
    path("flags/<int:flag_id>/", views.flag_detail, name="flag_detail"),
    path("flags/<int:flag_id>/claim/", views.flag_claim, name="flag_claim"),
    path("flags/<int:flag_id>/release/", views.flag_release, name="flag_release"),
    path("flags/<int:flag_id>/reassign/", views.flag_reassign, name="flag_reassign"),
    path("flags/<int:flag_id>/<slug:action>/", views.flag_action, name="flag_action"),
    path("held/", views.held_list, name="held_list"),
    path("held/<int:post_id>/<slug:decision>/", views.held_decide, name="held_decide"),
    path("members/<int:user_id>/", views.member_detail, name="member_detail"),
    path("members/<int:user_id>/safety-plan/", views.member_safety_plan, name="member_safety_plan"),
    path("members/<int:user_id>/<slug:action>/", views.member_action, name="member_action"),
    path("sanctions/<int:sanction_id>/lift/", views.sanction_lift, name="sanction_lift"),
    path("reviews/<int:review_id>/", views.review_decide, name="review_decide"),
    path("phrases/", views.phrase_list, name="phrase_list"),
    path("phrases/<int:phrase_id>/", views.phrase_edit, name="phrase_edit"),
    path("audit/", views.audit_log, name="audit_log"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/<slug:action>/", views.case_action, name="case_action"),
    # Facilitators (not moderators): reports from their own groups, hiding a post there.
    path("facilitate/", views.facilitator_queue, name="facilitator_queue"),
    path("facilitate/posts/<int:post_id>/hide/", views.facilitator_hide, name="facilitator_hide"),
]
