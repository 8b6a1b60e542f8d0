"""What the groups app holds about a member, for the export and for account deletion."""
from django.db.models import Exists, OuterRef
from django.utils import timezone

from groups.models import Membership, Post, PostRevision, ReaderPreference, Reaction, Rsvp, Topic, TopicSubscription


def groups_data_export(user) -> dict:
    posts = Post.objects.filter(author=user).select_related("topic__group").order_by("created_at")
    return {
        "memberships": [
            {"group": m.group.name, "role": m.role, "status": m.status, "since": m.created_at.isoformat()}
            for m in Membership.objects.filter(user=user).select_related("group")
        ],
        "posts": [
            {
                "group": post.topic.group.name,
                "topic": post.topic.title,
                "opens_topic": post.is_opening,
                "body": post.body,
                "content_warning": post.content_warning,
                "created_at": post.created_at.isoformat(),
                "edited_at": post.edited_at.isoformat() if post.edited_at else None,
                "removed_at": post.deleted_at.isoformat() if post.deleted_at else None,
            }
            for post in posts
        ],
        "reactions": [
            {"post_id": r.post_id, "kind": r.kind, "at": r.created_at.isoformat()}
            for r in Reaction.objects.filter(user=user)
        ],
        "session_rsvps": [
            {"group": r.session.group.name, "session": r.session.title, "starts_at": r.session.starts_at.isoformat(),
             "status": r.status, "asked_at": r.requested_at.isoformat()}
            for r in Rsvp.objects.filter(user=user).select_related("session__group").order_by("requested_at")
        ],
        "subscribed_topics": list(TopicSubscription.objects.filter(user=user).values_list("topic__title", flat=True)),
        "unfolded_content_warnings": list(
            ReaderPreference.objects.filter(user=user).values_list("unfolded_warnings", flat=True).first() or []
        ),
    }


def groups_data_erase(user, keep_contributions: bool) -> None:
    """Keep: posts stay and show "a former member" once the user row is gone (author SET_NULL).
    Remove: bodies and earlier versions are erased; a topic nobody else answered disappears.
    Either way the member first leaves their groups, so a full group's waiting list moves on."""
    from groups.services import membership_leave

    for membership in Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).select_related("group"):
        membership_leave(membership=membership)
    if keep_contributions:
        return
    now = timezone.now()
    posts = Post.objects.filter(author=user)
    PostRevision.objects.filter(post__in=posts).delete()
    posts.update(body="", body_html="", deleted_at=now)
    # The member's own follow-ups are not answers: only someone else's visible post keeps a topic.
    answered_by_others = Post.objects.filter(topic=OuterRef("pk"), deleted_at__isnull=True).exclude(author=user)
    Topic.objects.filter(author=user).exclude(Exists(answered_by_others)).update(deleted_at=now)


def register() -> None:
    from accounts.personal_data import personal_data_register

    personal_data_register(name="groups", export=groups_data_export, erase=groups_data_erase)
