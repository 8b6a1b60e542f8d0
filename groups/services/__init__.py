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
