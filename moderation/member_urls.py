from django.urls import path

from moderation import member_views

app_name = "care"

urlpatterns = [
    path("", member_views.message_list, name="message_list"),
    path("<int:message_id>/", member_views.message_detail, name="message_detail"),
    path("<int:message_id>/review/", member_views.review_request, name="review_request"),
    path("conversations/<int:conversation_id>/", member_views.conversation_detail, name="conversation_detail"),
    path("conversations/<int:conversation_id>/reply/", member_views.conversation_reply, name="conversation_reply"),
    path("talk/", member_views.talk_to_moderator, name="talk"),
    path("draft-check/", member_views.draft_check, name="draft_check"),
]
