"""Reads for groups and the forum. They own permission filtering and query shape (no N+1)."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts.permissions import user_is_moderator
from groups.models import (
    CalendarFeed,
    GroupSession,
    Invitation,
    Membership,
    Post,
    Reaction,
    ReaderPreference,
    Rsvp,
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


def _held_opening():
    return Exists(Post.objects.filter(topic=OuterRef("pk"), is_opening=True, held_at__isnull=False))


def topic_list_for_group(*, group: SupportGroup, viewer=None) -> QuerySet[Topic]:
    """Topics of the group; a topic whose opening post waits for approval only for its author
    (given as `viewer`) and moderators."""
    topics = Topic.objects.filter(group=group, deleted_at__isnull=True)
    if viewer is None or not user_is_moderator(viewer):
        mine = Q(author=viewer) if viewer is not None and viewer.is_authenticated else Q(pk__in=[])
        topics = topics.filter(~_held_opening() | mine)
    return topics.select_related("group", "author__profile").order_by("-is_pinned", "-last_activity_at", "-pk")


def topic_list_unanswered(*, group: SupportGroup) -> QuerySet[Topic]:
    return topic_list_for_group(group=group).filter(unanswered_since__isnull=False, reply_count=0).order_by("created_at")


def topic_get_in_group(*, group: SupportGroup, topic_id: int, viewer=None) -> Topic:
    """The topic, or 404. A topic whose opening post waits for approval is 404 for everyone but
    its author and moderators (without a `viewer`, for everyone)."""
    topics = Topic.objects.filter(group=group, pk=topic_id, deleted_at__isnull=True)
    if viewer is None or not user_is_moderator(viewer):
        mine = Q(author=viewer) if viewer is not None and viewer.is_authenticated else Q(pk__in=[])
        topics = topics.filter(~_held_opening() | mine)
    topic = topics.select_related("author__profile").first()
    if topic is None:
        raise Http404("No such topic.")
    return topic


def post_get_in_group(*, group: SupportGroup, post_id: int, viewer=None) -> Post:
    """The post, or 404. Given a `viewer`, a post waiting for approval is 404 unless it is theirs
    or they are a moderator."""
    posts = Post.objects.filter(topic__group=group, pk=post_id, topic__deleted_at__isnull=True)
    if viewer is not None and not user_is_moderator(viewer):
        posts = posts.filter(Q(held_at__isnull=True) | Q(author=viewer))
    post = posts.select_related("topic", "author__profile").first()
    if post is None:
        raise Http404("No such post.")
    return post


def post_list_for_topic(*, topic: Topic, viewer) -> QuerySet[Post]:
    """Posts in order, with reaction totals and the viewer's own reactions, in a fixed number of queries.

    Hidden posts (moderator action) and posts waiting for approval are shown to moderators and to
    their author only.
    """
    posts = Post.objects.filter(topic=topic).select_related("author__profile")
    if not user_is_moderator(viewer):
        mine = Q(author=viewer) if viewer.is_authenticated else Q(pk__in=[])
        posts = posts.filter(Q(hidden_at__isnull=True, held_at__isnull=True) | mine)
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
    topics = topic_list_for_group(group=group).filter(~_held_opening())
    if not query:
        return topics.none()
    visible_posts = Post.objects.filter(
        topic=OuterRef("pk"), deleted_at__isnull=True, hidden_at__isnull=True, held_at__isnull=True
    )
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


# ----------------------------------------------------------------------------- sessions

SESSIONS_LISTED = 50
# Sessions started up to this long ago may still be running (they last at most a few hours).
_STILL_RUNNING = timedelta(hours=12)


def _with_current_state(sessions: list[GroupSession], now: datetime) -> list[GroupSession]:
    # Templates can't pass `now`; each row carries its state at one instant, so a page agrees with itself.
    for session in sessions:
        session.current_status = session.status_at(now)
        session.room_open = session.room_is_open(now)
        if hasattr(session, "going_count"):
            session.places_left = max(0, session.capacity - session.going_count)
    return sessions


def session_list_upcoming_for_group(*, group: SupportGroup, viewer, now: datetime | None = None) -> list[GroupSession]:
    """Sessions not over yet (cancelled ones too, so members see it), soonest first, with the
    number going and the viewer's own RSVP status (`my_rsvp_status`)."""
    now = now or timezone.now()
    mine = Rsvp.objects.filter(session=OuterRef("pk"), user_id=viewer.pk).values("status")[:1]
    sessions = (
        GroupSession.objects.filter(group=group, starts_at__gte=now - _STILL_RUNNING)
        .exclude(status=GroupSession.Status.ENDED)
        .annotate(
            going_count=Count("rsvps", filter=Q(rsvps__status=Rsvp.Status.GOING)),
            my_rsvp_status=Subquery(mine),
        )
        .select_related("group")
        .order_by("starts_at", "pk")
    )
    upcoming = [s for s in sessions[: SESSIONS_LISTED * 2] if s.status_at(now) != GroupSession.Status.ENDED]
    return _with_current_state(upcoming[:SESSIONS_LISTED], now)


def session_get_in_group(*, group: SupportGroup, session_id: int, now: datetime | None = None) -> GroupSession:
    """One session of `group` with its facilitators (and their profiles); Http404 for another group's id."""
    facilitators = get_user_model().objects.select_related("profile").order_by("profile__display_name")
    session = (
        GroupSession.objects.filter(group=group, pk=session_id)
        .annotate(going_count=Count("rsvps", filter=Q(rsvps__status=Rsvp.Status.GOING)))
        .select_related("group", "series")
        .prefetch_related(Prefetch("facilitators", queryset=facilitators))
        .first()
    )
    if session is None:
        raise Http404("No such session.")
    return _with_current_state([session], now or timezone.now())[0]


@dataclass(frozen=True)
class RsvpStanding:
    """The viewer's place for one session: going, waiting (with their position) or neither."""

    rsvp: Rsvp | None
    waiting_position: int | None
    waiting_count: int

    @property
    def status(self) -> str | None:
        return self.rsvp.status if self.rsvp else None


def rsvp_standing_get(*, session: GroupSession, user) -> RsvpStanding:
    rsvp = Rsvp.objects.filter(session=session, user_id=user.pk).first() if user.is_authenticated else None
    waiting = session.rsvps.filter(status=Rsvp.Status.WAITING)
    position = None
    if rsvp is not None and rsvp.status == Rsvp.Status.WAITING:
        # Same order as promotion: first asked, first served.
        ahead = waiting.filter(Q(requested_at__lt=rsvp.requested_at) | Q(requested_at=rsvp.requested_at, pk__lt=rsvp.pk))
        position = ahead.count() + 1
    return RsvpStanding(rsvp=rsvp, waiting_position=position, waiting_count=waiting.count())


def session_list_for_user(*, user, now: datetime | None = None) -> list[Rsvp]:
    """The member's coming sessions (going or waiting), in groups they are still in, soonest first."""
    now = now or timezone.now()
    active_here = Membership.objects.filter(group=OuterRef("session__group"), user=user, status=Membership.Status.ACTIVE)
    rsvps = list(
        Rsvp.objects.filter(
            user=user, status__in=[Rsvp.Status.GOING, Rsvp.Status.WAITING], session__starts_at__gte=now - _STILL_RUNNING
        )
        .exclude(session__status=GroupSession.Status.ENDED)
        .filter(Exists(active_here))
        .select_related("session__group")
        .order_by("session__starts_at", "pk")[:SESSIONS_LISTED]
    )
    rsvps = [rsvp for rsvp in rsvps if rsvp.session.status_at(now) != GroupSession.Status.ENDED]
    _with_current_state([rsvp.session for rsvp in rsvps], now)
    return rsvps


def rsvp_list_for_calendar_feed(*, user, since: datetime) -> QuerySet[Rsvp]:
    """What a member's calendar feed holds: sessions since `since` that they are going to or waiting
    for, cancelled ones included (so calendars mark them), in groups they are still in: someone who
    left a private group stops hearing about it."""
    active_here = Membership.objects.filter(group=OuterRef("session__group"), user=user, status=Membership.Status.ACTIVE)
    return (
        Rsvp.objects.filter(user=user, status__in=[Rsvp.Status.GOING, Rsvp.Status.WAITING], session__starts_at__gte=since)
        .filter(Exists(active_here))
        .select_related("session__group")
        .order_by("session__starts_at", "pk")
    )


def calendar_feed_get_by_token(*, token: str) -> CalendarFeed | None:
    """The feed at a secret address, or None (an unknown or reset token, or a closed account)."""
    return CalendarFeed.objects.select_related("user").filter(token=token, user__is_active=True).first()
