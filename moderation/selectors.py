from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Min, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from moderation.models import (
    AuditEntry,
    CareMessage,
    ContentKind,
    CrisisCase,
    Flag,
    ModeratorDuty,
    ModeratorNote,
    Report,
    RefusedPost,
    ReviewRequest,
    RiskAssessment,
    Sanction,
    WatchedPhrase,
)
from platform_site.health import worker_is_responsive, worker_last_seen


@dataclass(frozen=True)
class PipelineHealth:
    worker_responsive: bool
    worker_last_seen: datetime | None


def pipeline_health_get() -> PipelineHealth:
    return PipelineHealth(worker_responsive=worker_is_responsive(), worker_last_seen=worker_last_seen())


def sanctions_in_force(*, user, now: datetime | None = None) -> QuerySet[Sanction]:
    now = now or timezone.now()
    return Sanction.objects.filter(user=user, lifted_at__isnull=True, starts_at__lte=now).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    )


def posting_restriction_get(*, user, group=None, holds_posts: bool = False) -> Sanction | None:
    """The suspension or mute that stops `user` from writing in `group` now, if any.

    A member under one can still read; the caller shows them the reason and until when. Posts
    under review restrict too, unless the caller `holds_posts` for approval (the forum does; a live
    room cannot wait for a moderator, so there the member reads along).
    """
    kinds = [Sanction.Kind.SUSPENSION, Sanction.Kind.MUTE]
    if not holds_posts:
        kinds.append(Sanction.Kind.REVIEW)
    restrictions = sanctions_in_force(user=user).filter(kind__in=kinds)
    if group is not None:
        restrictions = restrictions.filter(Q(group__isnull=True) | Q(group=group))
    else:
        restrictions = restrictions.filter(group__isnull=True)
    # A suspension outranks a mute; among equals, tell the one that lasts longest.
    return max(
        restrictions,
        key=lambda sanction: (
            sanction.kind == Sanction.Kind.SUSPENSION,
            sanction.ends_at is None,
            sanction.ends_at or sanction.starts_at,
        ),
        default=None,
    )


def suspension_in_force(*, user, now: datetime | None = None) -> Sanction | None:
    """The suspension that keeps `user` out now (the longest, if several), or None."""
    suspensions = sanctions_in_force(user=user, now=now).filter(kind=Sanction.Kind.SUSPENSION)
    return max(suspensions, key=lambda s: (s.ends_at is None, s.ends_at or s.starts_at), default=None)


def posts_under_review(*, user, group=None) -> bool:
    """Whether `user`'s new posts (in `group`) wait for a moderator's approval."""
    reviews = sanctions_in_force(user=user).filter(kind=Sanction.Kind.REVIEW)
    if group is not None:
        return reviews.filter(Q(group__isnull=True) | Q(group=group)).exists()
    return reviews.filter(group__isnull=True).exists()


def report_list_open() -> QuerySet[Report]:
    return (
        Report.objects.filter(status=Report.Status.OPEN)
        .select_related(
            "post__topic__group", "reporter__profile", "post__author__profile",
            "room_message__session__group", "room_message__author__profile",
        )
        .order_by("created_at")
    )


# ----------------------------------------------------------------------------- the risk pipeline
@dataclass(frozen=True)
class AssessmentBacklog:
    pending: int
    oldest_pending_at: datetime | None

    @property
    def oldest_age_seconds(self) -> float | None:
        if self.oldest_pending_at is None:
            return None
        return max(0.0, (timezone.now() - self.oldest_pending_at).total_seconds())


def assessment_backlog_get() -> AssessmentBacklog:
    pending = RiskAssessment.objects.filter(status=RiskAssessment.Status.PENDING)
    summary = pending.aggregate(count=Count("pk"), oldest=Min("requested_at"))
    return AssessmentBacklog(pending=summary["count"], oldest_pending_at=summary["oldest"])


def _attach_posts(flags: list[Flag]) -> list[Flag]:
    """Give each flag its post or room message (one query each), for the link on the dashboard."""
    from groups.models import Post, RoomMessage

    def ids(kind: str) -> list[int]:
        return [flag.content_id for flag in flags if flag.content_kind == kind]

    posts = Post.objects.select_related("topic__group").in_bulk(ids(ContentKind.POST))
    room_messages = RoomMessage.objects.select_related("session__group").in_bulk(ids(ContentKind.ROOM_MESSAGE))
    for flag in flags:
        flag.post = posts.get(flag.content_id) if flag.content_kind == ContentKind.POST else None
        flag.room_message = room_messages.get(flag.content_id) if flag.content_kind == ContentKind.ROOM_MESSAGE else None
    return flags


def flag_list_open() -> list[Flag]:
    """Open flags in queue order: crisis, then concern, oldest first within each level."""
    flags = Flag.objects.filter(status=Flag.Status.OPEN).select_related("author__profile", "group", "assessment")
    return _attach_posts(list(flags.order_by("priority", "raised_at")[:200]))


def case_list_open() -> QuerySet[CrisisCase]:
    return (
        CrisisCase.objects.filter(status=CrisisCase.Status.OPEN)
        .select_related("member__profile", "acknowledged_by__profile")
        .order_by("opened_at")
    )


def case_get(*, case_id: int) -> CrisisCase:
    """One case with its timeline, follow-ups and messages. Moderators only (the caller checks)."""
    case = get_object_or_404(
        CrisisCase.objects.select_related("member__profile", "flag", "report__post__topic", "report__room_message__session"),
        pk=case_id,
    )
    case.timeline = list(case.events.select_related("actor__profile"))
    case.follow_up_list = list(case.follow_ups.all())
    if case.flag is not None:
        _attach_posts([case.flag])
    return case


def case_open_count() -> int:
    return CrisisCase.objects.filter(status=CrisisCase.Status.OPEN).count()


def moderator_on_duty(*, moderator) -> bool:
    return ModeratorDuty.objects.filter(moderator=moderator, on_duty=True).exists()


def care_message_get_for_member(*, member, message_id: int) -> CareMessage:
    # Another member's message answers 404, like one that does not exist.
    return get_object_or_404(CareMessage, pk=message_id, recipient=member)


# ----------------------------------------------------------------------------- the moderators' queue
QUEUE_PAGE_SIZE = 25
# How many posts (or room messages) either side of the flagged one an item's own page shows.
CONTEXT_POSTS = 2
CONTEXT_ROOM_MESSAGES = 3
QUEUE_LEVELS = ("crisis", "concern", "report")
QUEUE_STATES = ("open", "unclaimed", "claimed", "decided", "all")
# A queue line shows the first words of what was flagged (the item's page shows all of it): this
# many characters, read from this many in the database so a long post costs the line nothing.
EXCERPT_CHARS = 140
EXCERPT_SOURCE_CHARS = 400
# Each signal on a line (a rule, a report's note, a facilitator's reason) at most this long, and at
# most this many signals; the item's page has them all.
SIGNAL_CHARS = 80
SIGNALS_PER_LINE = 3
LEVEL_OF_PRIORITY = {0: "crisis", 1: "concern", 2: "report"}


@dataclass(frozen=True)
class QueueFilters:
    level: str = ""  # crisis, concern, report (every item raised by a person), or "" for all
    source: str = ""  # a Flag.Source value, or ""
    group_id: int | None = None
    state: str = "open"
    mine: bool = False  # only the items I hold
    # Keyset pages: the items after (or before) the item with this id, in queue order.
    after: int | None = None
    before: int | None = None


@dataclass
class AuthorHistory:
    flags_open: int = 0
    flags_confirmed: int = 0
    flags_dismissed: int = 0
    sanctions: list = None
    open_case: CrisisCase | None = None


@dataclass
class QueuePage:
    items: list[Flag]
    filters: QueueFilters
    now: datetime
    # The ids to pass as ?after= and ?before= for the next and previous pages, None at either end.
    next_after: int | None
    previous_before: int | None
    # Open items by level (crisis, concern, report), whatever the filters: from the flags' index.
    open_counts: dict[str, int]
    # Decided items come latest first; open ones oldest first within each level.
    newest_first: bool = False


def _queue_queryset(*, moderator, filters: QueueFilters) -> QuerySet[Flag]:
    flags = Flag.objects.all()
    if filters.level in ("crisis", "concern"):
        flags = flags.filter(level=filters.level, priority__lt=Flag.PRIORITY_BY_LEVEL["report"])
    elif filters.level == "report":
        flags = flags.filter(priority=Flag.PRIORITY_BY_LEVEL["report"])
    if filters.source in Flag.Source.values:
        flags = flags.filter(source=filters.source)
    if filters.group_id:
        flags = flags.filter(group_id=filters.group_id)
    if filters.mine:
        flags = flags.filter(claimed_by=moderator)
    state = filters.state if filters.state in QUEUE_STATES else "open"
    if state == "decided":
        return flags.exclude(status=Flag.Status.OPEN)
    if state != "all":
        flags = flags.filter(status=Flag.Status.OPEN)
    if state == "unclaimed":
        flags = flags.filter(claimed_by__isnull=True)
    elif state == "claimed":
        flags = flags.filter(claimed_by__isnull=False)
    return flags


def _queue_order(state: str) -> tuple[tuple[str, ...], bool]:
    """The fields the queue is ordered by in `state` (the last one unique), and whether ascending:
    crisis, concern, reports, oldest first; decided items, the latest decision first."""
    if state == "decided":
        return ("decided_at", "id"), False
    return ("priority", "raised_at", "id"), True


def _keyset(flags: QuerySet[Flag], fields: tuple[str, ...], values: tuple, *, later: bool, ascending: bool) -> QuerySet[Flag]:
    """The rows after (`later`) or before `values` in the order of `fields`, as one row comparison
    ("(priority, raised_at, id) > (1, t, 42)") that the flags' index can start from, so a page deep
    in the queue costs what the first one does: no OFFSET counting through the rows before it."""
    from django.db.models import F
    from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

    lookup = TupleGreaterThan if later == ascending else TupleLessThan
    return flags.filter(lookup(Tuple(*(F(name) for name in fields)), values))


def _keyset_values(flag_id: int | None, fields: tuple[str, ...]) -> tuple | None:
    if flag_id is None:
        return None
    values = Flag.objects.filter(pk=flag_id).values_list(*fields).first()
    # A decided item's decision time is what decided pages are ordered by; an open one has none.
    return values if values is not None and None not in values else None


def _queue_rows(flags: QuerySet[Flag], filters: QueueFilters, state: str) -> tuple[list[Flag], int | None, int | None]:
    """One page of `flags` from the filters' cursor, and the cursors of the pages either side."""
    fields, ascending = _queue_order(state)
    order = [name if ascending else f"-{name}" for name in fields]
    backwards = [name.removeprefix("-") if name.startswith("-") else f"-{name}" for name in order]
    before = _keyset_values(filters.before, fields) if filters.after is None else None
    after = _keyset_values(filters.after, fields)
    if before is not None:
        rows = _queue_load(_keyset(flags, fields, before, later=False, ascending=ascending).order_by(*backwards), order)
        if len(rows) > QUEUE_PAGE_SIZE:
            items = rows[-QUEUE_PAGE_SIZE:]
            return items, items[-1].pk, items[0].pk
        # Back at the start of the queue: the first page, full.
        after = None
    rows = _queue_load(_keyset(flags, fields, after, later=True, ascending=ascending) if after else flags.order_by(*order), order)
    items = rows[:QUEUE_PAGE_SIZE]
    next_after = items[-1].pk if len(rows) > QUEUE_PAGE_SIZE else None
    previous_before = None
    if after is not None and items:
        first = tuple(getattr(items[0], name) for name in fields)
        if _keyset(flags, fields, first, later=False, ascending=ascending).exists():
            previous_before = items[0].pk
    return items, next_after, previous_before


def _queue_load(ordered: QuerySet[Flag], order: list[str]) -> list[Flag]:
    """The first page and one row more (to know whether another page follows) of `ordered`,
    loaded in queue `order`.

    Two queries: the rows are chosen from the flags table alone (its index, for the open queue),
    then loaded by id with what each line shows. In one query PostgreSQL joined every flag to its
    assessment and author before keeping 26 of them, whether as a sort or as a semi-join."""
    if not ordered.query.order_by:
        ordered = ordered.order_by(*order)
    chosen = list(ordered.values_list("pk", flat=True)[: QUEUE_PAGE_SIZE + 1])
    reports = Prefetch(
        "reports", queryset=Report.objects.only("flag_id", "reason", "note", "created_at").order_by("created_at"),
        to_attr="report_list",
    )
    rows = (
        Flag.objects.filter(pk__in=chosen)
        .select_related("author__profile", "group", "assessment", "claimed_by__profile", "decided_by__profile")
        .prefetch_related(reports)
        .order_by(*order)
    )
    return list(rows)


def queue_open_counts() -> dict[str, int]:
    """Open items by level, counted in the (status, priority, raised_at) index alone."""
    rows = Flag.objects.filter(status=Flag.Status.OPEN).order_by().values_list("priority").annotate(count=Count("pk"))
    counts = dict.fromkeys(LEVEL_OF_PRIORITY.values(), 0)
    for priority, count in rows:
        counts[LEVEL_OF_PRIORITY.get(priority, "report")] += count
    return counts


def _short(text: str, length: int) -> str:
    """The start of `text` on one line. Only line breaks are replaced: the page's own layout runs
    the other spaces together, and the words stay exactly as written."""
    from django.utils.text import Truncator

    return Truncator(" ".join((text or "").strip().splitlines())).chars(length)


def _attach_excerpts(flags: list[Flag]) -> None:
    """The first words of what each flag is about, the version that raised it, and what became of
    it (hidden, removed, waiting for approval): one query per kind of content on the page, reading
    only the start of each text."""
    from django.db.models.functions import Substr

    from groups.models import Post, PostRevision, RoomMessage

    def ids(kind: str) -> list[int]:
        return [flag.content_id for flag in flags if flag.content_kind == kind]

    head = Substr("body", 1, EXCERPT_SOURCE_CHARS)
    posts = {
        row["pk"]: row for row in Post.objects.filter(pk__in=ids(ContentKind.POST)).values(
            "pk", "is_opening", "version", "hidden_at", "deleted_at", "held_at", head=head, title=F("topic__title"),
        )
    } if ids(ContentKind.POST) else {}
    # A post edited since it was flagged: the words of the flagged version, kept as a revision.
    earlier = [
        (flag.content_id, flag.assessment.content_version) for flag in flags
        if flag.content_kind == ContentKind.POST and flag.assessment is not None and flag.content_id in posts
        and posts[flag.content_id]["version"] != flag.assessment.content_version
    ]
    revisions = {}
    if earlier:
        wanted = Q(pk__in=[])
        for post_id, version in earlier:
            wanted |= Q(post_id=post_id, version=version)
        revisions = {
            (row["post_id"], row["version"]): row
            for row in PostRevision.objects.filter(wanted).values("post_id", "version", "title", head=head)
        }
    messages = {
        row["pk"]: row for row in RoomMessage.objects.filter(pk__in=ids(ContentKind.ROOM_MESSAGE)).values(
            "pk", "hidden_at", head=head,
        )
    } if ids(ContentKind.ROOM_MESSAGE) else {}
    refused = {
        row["pk"]: row for row in RefusedPost.objects.filter(pk__in=ids(ContentKind.REFUSED_POST)).values(
            "pk", "title", head=head,
        )
    } if ids(ContentKind.REFUSED_POST) else {}
    for flag in flags:
        flag.excerpt, flag.content_state = "", []
        if flag.content_kind == ContentKind.POST and flag.content_id in posts:
            post = posts[flag.content_id]
            version = flag.assessment.content_version if flag.assessment is not None else post["version"]
            revision = revisions.get((flag.content_id, version))
            title, text = post["title"], post["head"]
            if revision is not None:
                title, text = revision["title"] or title, revision["head"]
                flag.content_state.append("edited")
            # An opening post's title is part of what its author said.
            flag.excerpt = _short(f"{title} — {text}" if post["is_opening"] else text, EXCERPT_CHARS)
            flag.content_state += [name for name in ("hidden", "deleted", "held") if post[f"{name}_at"]]
        elif flag.content_kind == ContentKind.ROOM_MESSAGE and flag.content_id in messages:
            message = messages[flag.content_id]
            flag.excerpt = _short(message["head"], EXCERPT_CHARS)
            flag.content_state += ["hidden"] if message["hidden_at"] else []
        elif flag.content_kind == ContentKind.REFUSED_POST and flag.content_id in refused:
            row = refused[flag.content_id]
            flag.excerpt = _short(f"{row['title']} — {row['head']}" if row["title"] else row["head"], EXCERPT_CHARS)
            flag.content_state.append("refused")
        else:
            flag.content_state.append("gone")


def _signal_lines(flag: Flag) -> list[tuple[str, str]]:
    """Why the item is in the queue, short: (kind, text) with kind rule, model, report or facilitator."""
    lines = []
    for signal in (flag.assessment.signals if flag.assessment is not None else []) or []:
        if signal.get("kind") == "rule":
            lines.append(("rule", _short(signal.get("description", ""), SIGNAL_CHARS)))
        elif signal.get("kind") == "model":
            crisis, concern = float(signal.get("crisis") or 0), float(signal.get("concern") or 0)
            lines.append(("model", f"crisis {crisis:.2f}, concern {concern:.2f}"))
    for report in getattr(flag, "report_list", []):
        note = f": “{_short(report.note, SIGNAL_CHARS)}”" if report.note else ""
        lines.append(("report", f"{report.get_reason_display()}{note}"))
    if flag.raised_note:
        lines.append(("facilitator", _short(flag.raised_note, SIGNAL_CHARS)))
    return lines


def _timing(flags: list[Flag], now: datetime) -> None:
    for flag in flags:
        flag.overdue = flag.is_overdue(now)


def flag_queue_for_moderator(*, moderator, filters: QueueFilters) -> QueuePage:
    """One page of the queue, one line per item: level, time waiting, group, the first words of
    what was flagged, short signals, who holds it. The same number of queries for any number of
    flags and any page (keyset pages, counts from the index). Moderators only (the caller checks)."""
    state = filters.state if filters.state in QUEUE_STATES else "open"
    flags = _queue_queryset(moderator=moderator, filters=filters)
    items, next_after, previous_before = _queue_rows(flags, filters, state)
    _attach_excerpts(items)
    now = timezone.now()
    _timing(items, now)
    for flag in items:
        flag.signal_lines = _signal_lines(flag)
        flag.more_signals = max(0, len(flag.signal_lines) - SIGNALS_PER_LINE)
        flag.signal_lines = flag.signal_lines[:SIGNALS_PER_LINE]
    return QueuePage(
        items=items, filters=filters, now=now, next_after=next_after, previous_before=previous_before,
        open_counts=queue_open_counts(), newest_first=not _queue_order(state)[1],
    )


def flag_detail_get(*, flag_id: int) -> Flag:
    """One queue item with everything about it: the thread around the content, every signal and
    report (with who reported), the author's history, its waiting time. Moderators only."""
    reports = Prefetch(
        "reports", queryset=Report.objects.select_related("reporter__profile").order_by("created_at"), to_attr="report_list"
    )
    flag = get_object_or_404(
        Flag.objects.select_related("author__profile", "group", "assessment", "claimed_by__profile", "decided_by__profile")
        .prefetch_related(reports),
        pk=flag_id,
    )
    _attach_context([flag])
    _attach_author_history([flag])
    _attach_excerpts([flag])
    _timing([flag], timezone.now())
    flag.signal_lines = _signal_lines(flag)
    flag.refused_post = (
        RefusedPost.objects.filter(pk=flag.content_id).first() if flag.content_kind == ContentKind.REFUSED_POST else None
    )
    return flag


def _attach_context(flags: list[Flag]) -> None:
    """Each flag's content and what surrounds it: a fixed number of queries for any number of flags."""
    from django.db.models import OuterRef, Subquery, Window
    from django.db.models.functions import Coalesce, RowNumber

    from groups.models import Post, RoomMessage

    _attach_posts(flags)
    # Room messages: the few either side by seq, all in one query.
    around_messages = Q(pk__in=[])
    for flag in flags:
        message = flag.room_message
        if message is not None:
            around_messages |= Q(
                session_id=message.session_id,
                seq__gte=message.seq - CONTEXT_ROOM_MESSAGES, seq__lte=message.seq + CONTEXT_ROOM_MESSAGES,
            )
    messages_by_session: dict[int, list] = {}
    if any(flag.room_message for flag in flags):
        for message in RoomMessage.objects.filter(around_messages).select_related("author__profile").order_by("seq"):
            messages_by_session.setdefault(message.session_id, []).append(message)
    # Posts: numbered within their topic, then the few either side of each flagged one.
    flagged_posts = [flag.post for flag in flags if flag.post is not None]
    posts_by_topic: dict[int, list] = {}
    positions: dict[int, int] = {}
    if flagged_posts:
        topic_ids = {post.topic_id for post in flagged_posts}
        numbered = Post.objects.filter(topic_id__in=topic_ids).annotate(
            position=Window(RowNumber(), partition_by=[F("topic_id")], order_by=[F("created_at").asc(), F("pk").asc()])
        )
        # The flagged posts' own positions: counted, not windowed, since filtering a windowed query
        # by pk would number only the rows that are left.
        earlier = (
            Post.objects.filter(topic_id=OuterRef("topic_id"))
            .filter(Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk")))
            .order_by().values("topic_id").annotate(count=Count("pk")).values("count")
        )
        positions = dict(
            Post.objects.filter(pk__in=[post.pk for post in flagged_posts])
            .annotate(position=Coalesce(Subquery(earlier), 0) + 1).values_list("pk", "position")
        )
        around_posts = Q(pk__in=[])
        for post in flagged_posts:
            position = positions.get(post.pk, 1)
            around_posts |= Q(topic_id=post.topic_id, position__gte=position - CONTEXT_POSTS, position__lte=position + CONTEXT_POSTS)
        for post in numbered.filter(around_posts).select_related("author__profile").order_by("topic_id", "position"):
            posts_by_topic.setdefault(post.topic_id, []).append(post)
    for flag in flags:
        if flag.post is not None:
            target_position = positions.get(flag.post.pk, 1)
            # (item, is the flagged one): rows are shared between flags on the same topic.
            flag.context = [
                (p, p.pk == flag.post.pk) for p in posts_by_topic.get(flag.post.topic_id, [])
                if abs(p.position - target_position) <= CONTEXT_POSTS
            ]
        elif flag.room_message is not None:
            target = flag.room_message
            flag.context = [
                (m, m.pk == target.pk) for m in messages_by_session.get(target.session_id, [])
                if abs(m.seq - target.seq) <= CONTEXT_ROOM_MESSAGES
            ]
        else:
            flag.context = []


def _attach_author_history(flags: list[Flag]) -> None:
    """Earlier flags, sanctions and an open case for each author: three queries."""
    author_ids = {flag.author_id for flag in flags if flag.author_id is not None}
    histories = {author_id: AuthorHistory(sanctions=[]) for author_id in author_ids}
    if author_ids:
        for row in Flag.objects.filter(author_id__in=author_ids).values("author_id", "status").annotate(count=Count("pk")):
            history = histories[row["author_id"]]
            attribute = {"open": "flags_open", "confirmed": "flags_confirmed", "dismissed": "flags_dismissed"}[row["status"]]
            setattr(history, attribute, row["count"])
        for sanction in Sanction.objects.filter(user_id__in=author_ids).order_by("-starts_at"):
            if len(histories[sanction.user_id].sanctions) < 5:
                histories[sanction.user_id].sanctions.append(sanction)
        for case in CrisisCase.objects.filter(member_id__in=author_ids, status=CrisisCase.Status.OPEN):
            histories[case.member_id].open_case = case
    for flag in flags:
        flag.history = histories.get(flag.author_id)


def queue_group_choices() -> list[tuple[int, str]]:
    from groups.models import SupportGroup

    return list(SupportGroup.objects.order_by("name").values_list("pk", "name"))


def held_post_list() -> QuerySet:
    """Posts waiting for a moderator's approval, oldest first."""
    from groups.models import Post

    return Post.objects.filter(held_at__isnull=False).select_related("topic__group", "author__profile").order_by("held_at", "pk")


def review_request_for_message(*, message: CareMessage) -> ReviewRequest | None:
    """The member's latest review request about this message, to show where it stands."""
    return ReviewRequest.objects.filter(care_message=message).order_by("-created_at").first()


def review_request_list_open() -> QuerySet[ReviewRequest]:
    return (
        ReviewRequest.objects.filter(status=ReviewRequest.Status.OPEN)
        .select_related("member__profile", "care_message__sanction")
        .order_by("created_at")
    )


def moderator_list() -> QuerySet:
    from accounts.models import User

    return User.objects.filter(Q(is_moderator=True) | Q(is_superuser=True), is_active=True).select_related("profile").order_by("pk")


@dataclass
class MemberRecord:
    member: object
    sanctions: list
    notes: list
    flags: list
    open_case: CrisisCase | None
    review_requests: list


def member_record_get(*, member_id: int) -> MemberRecord:
    """What moderators know about one member: sanctions, notes, recent flags, an open case."""
    from accounts.models import User

    member = get_object_or_404(User.objects.select_related("profile"), pk=member_id)
    sanctions = list(
        Sanction.objects.filter(user=member).select_related("group", "created_by__profile", "lifted_by__profile").order_by("-starts_at")
    )
    now = timezone.now()
    for sanction in sanctions:
        sanction.active = sanction.kind != Sanction.Kind.WARNING and sanction.in_force(now)
    return MemberRecord(
        member=member,
        sanctions=sanctions,
        notes=list(ModeratorNote.objects.filter(member=member).select_related("author__profile")),
        flags=list(Flag.objects.filter(author=member).select_related("group").order_by("-raised_at")[:20]),
        open_case=CrisisCase.objects.filter(member=member, status=CrisisCase.Status.OPEN).first(),
        review_requests=list(ReviewRequest.objects.filter(member=member).order_by("-created_at")[:10]),
    )


def watched_phrase_list() -> QuerySet[WatchedPhrase]:
    return WatchedPhrase.objects.select_related("created_by__profile").order_by("-is_active", "phrase_key")


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor_id: int | None = None
    target_user_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    page: int = 1


AUDIT_PAGE_SIZE = 50


def audit_entry_page(*, filters: AuditFilters):
    from django.core.paginator import Paginator

    entries = AuditEntry.objects.select_related("actor__profile", "target_user__profile", "group")
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.actor_id:
        entries = entries.filter(actor_id=filters.actor_id)
    if filters.target_user_id:
        entries = entries.filter(target_user_id=filters.target_user_id)
    if filters.since:
        entries = entries.filter(created_at__gte=filters.since)
    if filters.until:
        entries = entries.filter(created_at__lt=filters.until)
    return Paginator(entries.order_by("-created_at", "-pk"), AUDIT_PAGE_SIZE).get_page(filters.page)


# ----------------------------------------------------------------------------- facilitators


def facilitated_group_ids(*, user) -> list[int]:
    from groups.models import Membership

    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(user=user, role=Membership.Role.FACILITATOR, status=Membership.Status.ACTIVE)
        .values_list("group_id", flat=True)
    )


def facilitator_report_list(*, facilitator, group_id: int | None = None) -> QuerySet[Report]:
    """Open reports on posts and room messages in the groups `facilitator` runs, and nowhere else.

    Only the report itself: no reporter (only moderators see who reported) and nothing about
    crisis cases.
    """
    group_ids = facilitated_group_ids(user=facilitator)
    if group_id is not None:
        group_ids = [g for g in group_ids if g == group_id]
    return (
        Report.objects.filter(status=Report.Status.OPEN)
        .filter(Q(post__topic__group_id__in=group_ids) | Q(room_message__session__group_id__in=group_ids))
        .select_related(
            "post__topic__group", "post__author__profile", "room_message__session__group", "room_message__author__profile"
        )
        .order_by("created_at")
    )
