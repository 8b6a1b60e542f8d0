"""Reads for groups and the forum. They own permission filtering and query shape (no N+1)."""
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.permissions import user_is_moderator
from groups.models import (
    Invitation,
    Membership,
    Post,
    Reaction,
    ReaderPreference,
    SupportGroup,
    Topic,
    TopicSubscription,
)
from groups.permissions import can_facilitate, can_read_forum, can_see_group, membership_of

TOPICS_PER_PAGE = 30
POSTS_PER_PAGE = 25


@dataclass(frozen=True)
class GroupContext:
    """A group as one viewer may see it, with what they may do there."""

    group: SupportGroup
    membership: Membership | None
    can_read_forum: bool
    can_facilitate: bool
    is_moderator: bool

    @property
    def is_member(self) -> bool:
        return bool(self.membership and self.membership.is_active)


def group_context_get(*, slug: str, viewer) -> GroupContext:
    """The group at `slug` for `viewer`, or Http404 when it must stay hidden from them."""
    group = SupportGroup.objects.filter(slug=slug).first()
    if group is None:
        raise Http404("No such group.")
    membership = membership_of(viewer, group)
    if not can_see_group(viewer, group, membership):
        raise Http404("No such group.")
    return GroupContext(
        group=group,
        membership=membership,
        can_read_forum=can_read_forum(viewer, membership),
        can_facilitate=can_facilitate(viewer, membership),
        is_moderator=user_is_moderator(viewer),
    )


def _with_member_counts(groups: QuerySet[SupportGroup]) -> QuerySet[SupportGroup]:
    return groups.annotate(
        member_count=Count("memberships", filter=Q(memberships__status=Membership.Status.ACTIVE), distinct=True)
    )


def group_list_directory() -> QuerySet[SupportGroup]:
    """Listed groups only: a private group never appears in the directory, even to its members."""
    return _with_member_counts(SupportGroup.objects.filter(visibility=SupportGroup.Visibility.LISTED)).order_by("name")


def group_list_for_user(*, user) -> QuerySet[SupportGroup]:
    return _with_member_counts(
        SupportGroup.objects.filter(memberships__user=user, memberships__status=Membership.Status.ACTIVE)
    ).order_by("name")


def membership_list_pending(*, user) -> QuerySet[Membership]:
    return Membership.objects.filter(
        user=user, status__in=[Membership.Status.REQUESTED, Membership.Status.WAITLISTED]
    ).select_related("group")


def active_member_count(*, group: SupportGroup) -> int:
    return group.memberships.filter(status=Membership.Status.ACTIVE).count()


def membership_list_for_group(*, group: SupportGroup, status: str = Membership.Status.ACTIVE) -> QuerySet[Membership]:
    return (
        group.memberships.filter(status=status)
        .select_related("user__profile")
        .order_by("-role", "created_at")
    )


def invitation_list_for_group(*, group: SupportGroup) -> QuerySet[Invitation]:
    return group.invitations.filter(revoked_at__isnull=True).order_by("-created_at")


def invitation_get_by_token(*, token: str) -> Invitation | None:
    return Invitation.objects.select_related("group").filter(token=token).first()


def topic_list_for_group(*, group: SupportGroup) -> QuerySet[Topic]:
    return (
        Topic.objects.filter(group=group, deleted_at__isnull=True)
        .select_related("group", "author__profile")
        .order_by("-is_pinned", "-last_activity_at", "-pk")
    )


def topic_list_unanswered(*, group: SupportGroup) -> QuerySet[Topic]:
    return topic_list_for_group(group=group).filter(unanswered_since__isnull=False, reply_count=0).order_by("created_at")


def topic_get_in_group(*, group: SupportGroup, topic_id: int) -> Topic:
    topic = Topic.objects.filter(group=group, pk=topic_id, deleted_at__isnull=True).select_related("author__profile").first()
    if topic is None:
        raise Http404("No such topic.")
    return topic


def post_get_in_group(*, group: SupportGroup, post_id: int) -> Post:
    post = Post.objects.filter(topic__group=group, pk=post_id, topic__deleted_at__isnull=True).select_related("topic", "author__profile").first()
    if post is None:
        raise Http404("No such post.")
    return post


def post_list_for_topic(*, topic: Topic, viewer) -> QuerySet[Post]:
    """Posts in order, with reaction totals and the viewer's own reactions, in a fixed number of queries.

    Hidden posts (moderator action) are shown to moderators and to their author only.
    """
    posts = Post.objects.filter(topic=topic).select_related("author__profile")
    if not user_is_moderator(viewer):
        posts = posts.filter(Q(hidden_at__isnull=True) | Q(author=viewer))
    # One small subquery per kind and row: counts only the posts on the page being shown.
    annotations = {
        f"reactions_{kind}": Coalesce(
            Subquery(
                Reaction.objects.filter(post=OuterRef("pk"), kind=kind)
                .order_by()
                .values("post")
                .annotate(total=Count("pk"))
                .values("total")
            ),
            0,
        )
        for kind in Reaction.Kind.values
    }
    mine = Reaction.objects.filter(user=viewer) if viewer.is_authenticated else Reaction.objects.none()
    return (
        posts.annotate(**annotations)
        .prefetch_related(Prefetch("reactions", queryset=mine, to_attr="my_reactions"))
        .order_by("created_at", "pk")
    )


def topic_is_subscribed(*, topic: Topic, user) -> bool:
    return user.is_authenticated and TopicSubscription.objects.filter(topic=topic, user=user).exists()


def topic_search(*, group: SupportGroup, query: str) -> QuerySet[Topic]:
    """Topics of `group` whose title or visible posts match `query`, best first.

    PostgreSQL: full-text search with ranking (title weighted above bodies). SQLite: every word
    must appear in the title or a post, newest first. Deleted and hidden posts never match.
    """
    query = " ".join(query.split())[:200]
    topics = topic_list_for_group(group=group)
    if not query:
        return topics.none()
    visible_posts = Post.objects.filter(topic=OuterRef("pk"), deleted_at__isnull=True, hidden_at__isnull=True)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        search_query = SearchQuery(query, search_type="websearch", config="english")
        matching_posts = visible_posts.annotate(document=SearchVector("body", config="english")).filter(document=search_query)
        title_document = SearchVector("title", weight="A", config="english")
        return (
            topics.annotate(title_document=title_document, rank=SearchRank(title_document, search_query))
            .filter(Q(title_document=search_query) | Exists(matching_posts))
            .order_by("-rank", "-last_activity_at")
        )
    matches = topics
    for word in query.split()[:8]:
        matches = matches.filter(Q(title__icontains=word) | Exists(visible_posts.filter(body__icontains=word)))
    return matches.order_by("-last_activity_at")



def reader_unfolded_warnings(*, user) -> set[str]:
    """Content-warning kinds this reader chose to see open; every other kind stays folded."""
    return set(ReaderPreference.objects.filter(user=user).values_list("unfolded_warnings", flat=True).first() or [])
