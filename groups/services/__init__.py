"""Everything that changes groups and the forum, split by sub-domain."""
from groups.services.forum import (  # noqa: F401
    PostingRestricted,
    post_delete,
    post_edit,
    posting_check,
    reaction_toggle,
    reader_preference_update,
    reply_create,
    topic_create,
    topic_set_locked,
    topic_set_pinned,
    topic_subscription_set,
    topics_mark_unanswered,
)
from groups.services.library import library_attachment_add, library_attachment_remove  # noqa: F401
from groups.services.membership import (  # noqa: F401
    INVITATION_LIFETIMES,
    group_create,
    group_update,
    invitation_accept,
    invitation_create,
    invitation_revoke,
    membership_join,
    membership_leave,
    membership_remove,
    membership_request_decide,
    membership_set_role,
)
from groups.services.sessions import (  # noqa: F401
    calendar_feed_get_or_create,
    calendar_feed_ics,
    calendar_feed_reset,
    rsvp_cancel,
    rsvp_create,
    rsvps_cancel_for_departed_member,
    series_create,
    series_occurrence_starts,
    session_cancel,
    session_create,
    session_ics,
    session_reminders_send,
    session_update,
)
