from django.urls import path

from groups import views, views_library, views_rooms

app_name = "groups"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("mine/", views.my_groups, name="mine"),
    path("new/", views.group_new, name="new"),
    path("preferences/", views.reader_preferences, name="preferences"),
    # A member's own check-ins over time (before <slug:slug>/, which would otherwise take it).
    path("check-ins/", views_rooms.check_in_trend, name="check_in_trend"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
    # A member's calendar: the page with its secret address, and the feed itself (no sign-in: the
    # token is the key). Before <slug:slug>/, which would otherwise take "calendar".
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/reset/", views.calendar_reset, name="calendar_reset"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("<slug:slug>/", views.group_detail, name="detail"),
    path("<slug:slug>/edit/", views.group_edit, name="edit"),
    path("<slug:slug>/join/", views.group_join, name="join"),
    path("<slug:slug>/leave/", views.group_leave, name="leave"),
    path("<slug:slug>/members/", views.members, name="members"),
    path("<slug:slug>/members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("<slug:slug>/members/<int:membership_id>/decide/", views.member_decide, name="member_decide"),
    path("<slug:slug>/members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path("<slug:slug>/invitations/", views.invitations, name="invitations"),
    path("<slug:slug>/invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("<slug:slug>/unanswered/", views.unanswered, name="unanswered"),
    path("<slug:slug>/search/", views.search, name="search"),
    path("<slug:slug>/topics/new/", views.topic_new, name="topic_new"),
    path("<slug:slug>/topics/<int:topic_id>/", views.topic_detail, name="topic"),
    path("<slug:slug>/topics/<int:topic_id>/last/", views.topic_last, name="topic_last"),
    path("<slug:slug>/topics/<int:topic_id>/reply/", views.topic_reply, name="topic_reply"),
    path("<slug:slug>/topics/<int:topic_id>/subscription/", views.topic_subscribe, name="topic_subscribe"),
    path("<slug:slug>/topics/<int:topic_id>/<str:action>/", views.topic_moderate, name="topic_moderate"),
    path("<slug:slug>/posts/<int:post_id>/edit/", views.post_edit, name="post_edit"),
    path("<slug:slug>/posts/<int:post_id>/delete/", views.post_delete, name="post_delete"),
    path("<slug:slug>/posts/<int:post_id>/react/", views.post_react, name="post_react"),
    path("<slug:slug>/posts/<int:post_id>/report/", views.post_report, name="post_report"),
    # Scheduled sessions
    path("<slug:slug>/sessions/", views.sessions, name="sessions"),
    path("<slug:slug>/sessions/new/", views.session_new, name="session_new"),
    path("<slug:slug>/sessions/new-series/", views.series_new, name="series_new"),
    path("<slug:slug>/sessions/<int:session_id>/", views.session_detail, name="session_detail"),
    path("<slug:slug>/sessions/<int:session_id>/edit/", views.session_edit, name="session_edit"),
    path("<slug:slug>/sessions/<int:session_id>/cancel/", views.session_cancel, name="session_cancel"),
    path("<slug:slug>/sessions/<int:session_id>/rsvp/", views.session_rsvp, name="session_rsvp"),
    path("<slug:slug>/sessions/<int:session_id>/rsvp/cancel/", views.session_rsvp_cancel, name="session_rsvp_cancel"),
    path("<slug:slug>/sessions/<int:session_id>/session.ics", views.session_ics, name="session_ics"),
    # Library entries attached to the group or to one session (facilitators and moderators)
    path("<slug:slug>/library/", views_library.library_attach, name="library_attach"),
    path("<slug:slug>/library/<int:attachment_id>/remove/", views_library.library_detach, name="library_detach"),
    path(
        "<slug:slug>/sessions/<int:session_id>/library/", views_library.session_library_attach,
        name="session_library_attach",
    ),
    # The live room (page; the socket is /ws/sessions/<id>/)
    path("<slug:slug>/sessions/<int:session_id>/room/", views_rooms.session_room, name="session_room"),
]
