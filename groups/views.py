"""Group and forum pages. Each view: who may act (selectors/permissions), one service, render."""
from functools import wraps
from math import ceil

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import moderator_required
from groups import library, selectors, services
from groups.forms import (
    GroupForm,
    InvitationForm,
    PostEditForm,
    ReaderPreferenceForm,
    ReplyForm,
    ReportForm,
    SearchForm,
    SeriesForm,
    SessionForm,
    TopicForm,
)
from groups.models import GroupSession, Membership, Reaction, Rsvp
from groups.ratelimits import PostingLimitReached, posting_rate_limited
from groups.selectors import GroupContext
from moderation.crisis_panel import CRISIS_PANEL_ANCHOR, crisis_panel_show_if_due
from moderation.models import RefusedPost
from moderation.selectors import posting_restriction_get
from moderation.services import refused_post_assess, report_create
from platform_site.text import markdown_to_safe_html


def with_group(view):
    """Load the group for this viewer; a group they may not see is a 404, never a 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args, **kwargs) -> HttpResponse:
        return view(request, selectors.group_context_get(slug=slug, viewer=request.user), *args, **kwargs)

    return wrapper


def forum_access(view):
    """The forum is for the group's active members (and moderators)."""

    @wraps(view)
    def wrapper(request: HttpRequest, ctx: GroupContext, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not ctx.can_read_forum:
            raise PermissionDenied(_("The forum is for this group's members. Join the group to read it."))
        return view(request, ctx, *args, **kwargs)

    return with_group(wrapper)


def facilitators_only(view):
    @wraps(view)
    def wrapper(request: HttpRequest, ctx: GroupContext, *args, **kwargs) -> HttpResponse:
        if not ctx.can_facilitate:
            raise PermissionDenied(_("Only this group's facilitators can do that."))
        return view(request, ctx, *args, **kwargs)

    return forum_access(wrapper)


def _context(ctx: GroupContext, **extra) -> dict:
    return {"ctx": ctx, "group": ctx.group, **extra}


def _refused_response(
    request: HttpRequest, ctx: GroupContext, template: str, context: dict, *, status: int, reason: str, where: str,
) -> HttpResponse:
    """A post the posting limit or a mute refused: the form comes back with the member's text, and
    if the words sound like a crisis the panel shows here and a moderator is told (not the group)."""
    form = context["form"]
    title = str(form.cleaned_data.get("title") or "") if where == RefusedPost.Where.TOPIC else ""
    in_crisis = refused_post_assess(
        author=request.user, group=ctx.group, reason=reason, where=where, title=title,
        body=str(form.cleaned_data.get("body") or ""),
    )
    return render(
        request, template,
        _context(ctx, show_crisis_panel=in_crisis, crisis_panel_refused=in_crisis, crisis_panel_focus=in_crisis, **context),
        status=status,
    )


def _restricted_response(
    request: HttpRequest, ctx: GroupContext, template: str, context: dict, error: services.PostingRestricted, *, where: str
) -> HttpResponse:
    return _refused_response(
        request, ctx, template, {**context, "restriction": error.sanction},
        status=403, reason=RefusedPost.Reason.RESTRICTED, where=where,
    )


def _rate_limited_response(
    request: HttpRequest, ctx: GroupContext, template: str, context: dict, limit: PostingLimitReached, *, where: str
) -> HttpResponse:
    context["form"].add_error(None, limit.explanation)
    return _refused_response(
        request, ctx, template, context, status=429, reason=RefusedPost.Reason.RATE_LIMITED, where=where,
    )


def _posting_restriction(request: HttpRequest, ctx: GroupContext):
    """The mute or suspension that stops this member posting here, told before they write."""
    return posting_restriction_get(user=request.user, group=ctx.group, holds_posts=True)


def _after_posting(request: HttpRequest, content, url: str) -> HttpResponse:
    """Where the writer lands: the crisis panel, scrolled to and focused, when it is due."""
    if crisis_panel_show_if_due(request, content):
        url = f"{url.split('#')[0]}#{CRISIS_PANEL_ANCHOR}"
    return redirect(url)


# ----------------------------------------------------------------------------- directory


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    return render(request, "groups/directory.html", {"groups": selectors.group_list_directory()})


@login_required
@require_GET
def my_groups(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "groups/my_groups.html",
        {
            "groups": selectors.group_list_for_user(user=request.user),
            "pending": selectors.membership_list_pending(user=request.user),
            "my_sessions": selectors.session_list_for_user(user=request.user),
        },
    )


@moderator_required
@require_http_methods(["GET", "POST"])
def group_new(request: HttpRequest) -> HttpResponse:
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(**form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The group is ready."))
            return redirect(group)
    return render(request, "groups/group_form.html", {"form": form})


@facilitators_only
@require_http_methods(["GET", "POST"])
def group_edit(request: HttpRequest, ctx: GroupContext) -> HttpResponse:
    form = GroupForm(request.POST or None, instance=ctx.group)
    if request.method == "POST" and form.is_valid():
        try:
            services.group_update(group=ctx.group, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(ctx.group)
    return render(request, "groups/group_form.html", _context(ctx, form=form))


# ----------------------------------------------------------------------------- group page


@with_group
@require_GET
def group_detail(request: HttpRequest, ctx: GroupContext) -> HttpResponse:
    page = None
    if ctx.can_read_forum:
        page = Paginator(selectors.topic_list_for_group(group=ctx.group, viewer=request.user), selectors.TOPICS_PER_PAGE).get_page(
            request.GET.get("page")
        )
    return render(
        request,
        "groups/group_detail.html",
        _context(
            ctx,
            page=page,
            member_count=selectors.active_member_count(group=ctx.group),
            unanswered_count=selectors.topic_list_unanswered(group=ctx.group).count() if ctx.can_facilitate else 0,
            search_form=SearchForm(),
            library_attachments=library.library_attachment_list(group=ctx.group),
        ),
    )


@login_required
@with_group
@require_POST
def group_join(request: HttpRequest, ctx: GroupContext) -> HttpResponse:
    try:
        membership = services.membership_join(group=ctx.group, user=request.user)
    except PermissionDenied as error:
        messages.error(request, str(error))
        return redirect(ctx.group)
    notes = {
        Membership.Status.ACTIVE: _("Welcome. You are now a member of this group."),
        Membership.Status.REQUESTED: _("Your request is sent. A facilitator will answer it soon."),
        Membership.Status.WAITLISTED: _("This group is full for now; you are on its waiting list and we will tell you when a place opens."),
    }
    messages.success(request, notes[membership.status])
    return redirect(ctx.group)


@login_required
@with_group
@require_POST
def group_leave(request: HttpRequest, ctx: GroupContext) -> HttpResponse:
    if ctx.membership is None:
        raise Http404
    services.membership_leave(membership=ctx.membership)
    messages.success(request, _("You have left %(group)s. You are welcome back any time.") % {"group": ctx.group.name})
    # A private group is gone from view the moment one leaves it.
    return redirect("groups:mine")


# ----------------------------------------------------------------------------- facilitators


@facilitators_only
@require_GET
def members(request: HttpRequest, ctx: GroupContext) -> HttpResponse:
    return render(
        request,
        "groups/members.html",
        _context(
            ctx,
            active=selectors.membership_list_for_group(group=ctx.group),
            requested=selectors.membership_list_for_group(group=ctx.group, status=Membership.Status.REQUESTED),
            waitlisted=selectors.membership_list_for_group(group=ctx.group, status=Membership.Status.WAITLISTED),
        ),
    )


def _membership_in(ctx: GroupContext, membership_id: int) -> Membership:
    return get_object_or_404(Membership.objects.select_related("user", "group"), pk=membership_id, group=ctx.group)


@facilitators_only
@require_POST
def member_remove(request: HttpRequest, ctx: GroupContext, membership_id: int) -> HttpResponse:
    try:
        services.membership_remove(membership=_membership_in(ctx, membership_id), removed_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The member was removed; they can no longer see the group."))
    return redirect("groups:members", slug=ctx.group.slug)


@facilitators_only
@require_POST
def member_decide(request: HttpRequest, ctx: GroupContext, membership_id: int) -> HttpResponse:
    approve = request.POST.get("decision") == "approve"
    try:
        services.membership_request_decide(membership=_membership_in(ctx, membership_id), approve=approve)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("groups:members", slug=ctx.group.slug)


@facilitators_only
@require_POST
def member_role(request: HttpRequest, ctx: GroupContext, membership_id: int) -> HttpResponse:
    if not ctx.is_moderator:
        raise PermissionDenied(_("Only moderators appoint facilitators."))
    try:
        services.membership_set_role(membership=_membership_in(ctx, membership_id), role=request.POST.get("role", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("groups:members", slug=ctx.group.slug)


@facilitators_only
@require_http_methods(["GET", "POST"])
def invitations(request: HttpRequest, ctx: GroupContext) -> HttpResponse:
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.invitation_create(group=ctx.group, created_by=request.user, lifetime=form.lifetime_delta)
        messages.success(request, _("A new invitation link is ready. Share it privately."))
        return redirect("groups:invitations", slug=ctx.group.slug)
    return render(
        request, "groups/invitations.html", _context(ctx, form=form, invitations=selectors.invitation_list_for_group(group=ctx.group))
    )


@facilitators_only
@require_POST
def invitation_revoke(request: HttpRequest, ctx: GroupContext, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(ctx.group.invitations, pk=invitation_id)
    services.invitation_revoke(invitation=invitation)
    messages.success(request, _("The link no longer works."))
    return redirect("groups:invitations", slug=ctx.group.slug)


@facilitators_only
@require_GET
def unanswered(request: HttpRequest, ctx: GroupContext) -> HttpResponse:
    return render(request, "groups/unanswered.html", _context(ctx, topics=selectors.topic_list_unanswered(group=ctx.group)))


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = selectors.invitation_get_by_token(token=token)
    if invitation is None:
        raise Http404("No such invitation.")
    error = None
    if request.method == "POST":
        try:
            membership = services.invitation_accept(invitation=invitation, user=request.user)
        except (ValidationError, PermissionDenied) as refusal:
            error = " ".join(getattr(refusal, "messages", [str(refusal)]))
        else:
            if membership.is_active:
                messages.success(request, _("Welcome. You are now a member of this group."))
            else:
                messages.success(request, _("This group is full for now; you are on its waiting list."))
            return redirect(invitation.group)
    elif not invitation.is_usable():
        error = _("This invitation has expired or was withdrawn. Ask the facilitator for a new one.")
    return render(request, "groups/invitation_accept.html", {"invitation": invitation, "error": error})


# ----------------------------------------------------------------------------- forum


@forum_access
@require_GET
def search(request: HttpRequest, ctx: GroupContext) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results = None
    if form.is_valid() and form.cleaned_data["q"]:
        results = Paginator(selectors.topic_search(group=ctx.group, query=form.cleaned_data["q"]), 20).get_page(
            request.GET.get("page")
        )
    return render(request, "groups/search.html", _context(ctx, form=form, results=results))


@forum_access
@require_http_methods(["GET", "POST"])
def topic_new(request: HttpRequest, ctx: GroupContext) -> HttpResponse:
    form = TopicForm(request.POST or None)
    page = {"form": form, "restriction": _posting_restriction(request, ctx)}
    if request.method == "POST" and form.is_valid():
        where = RefusedPost.Where.TOPIC
        if limit := posting_rate_limited(request):
            return _rate_limited_response(request, ctx, "groups/topic_form.html", page, limit, where=where)
        try:
            topic = services.topic_create(group=ctx.group, author=request.user, **form.cleaned_data)
        except services.PostingRestricted as error:
            return _restricted_response(request, ctx, "groups/topic_form.html", page, error, where=where)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _after_posting(request, topic, topic.get_absolute_url())
    return render(request, "groups/topic_form.html", _context(ctx, **page))


@forum_access
@require_GET
def topic_detail(request: HttpRequest, ctx: GroupContext, topic_id: int) -> HttpResponse:
    topic = selectors.topic_get_in_group(group=ctx.group, topic_id=topic_id, viewer=request.user)
    page = Paginator(selectors.post_list_for_topic(topic=topic, viewer=request.user), selectors.POSTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    # Links to library entries in the page's posts show as cards: one lookup for the whole page.
    library.library_cards_attach(posts=list(page))
    return render(
        request,
        "groups/topic_detail.html",
        _context(
            ctx,
            topic=topic,
            page=page,
            reply_form=ReplyForm(),
            reaction_kinds=Reaction.Kind.choices,
            subscribed=selectors.topic_is_subscribed(topic=topic, user=request.user),
            unfolded=selectors.reader_unfolded_warnings(user=request.user),
            posts_base=_posts_base_url(ctx.group),
            restriction=_posting_restriction(request, ctx),
        ),
    )


def _posts_base_url(group) -> str:
    """`/groups/<slug>/posts/`: each post's action URLs are this plus `<id>/<action>/`."""
    return reverse("groups:post_edit", kwargs={"slug": group.slug, "post_id": 0}).removesuffix("0/edit/")


def _topic_last_url(topic) -> str:
    last_page = max(1, ceil((topic.reply_count + 1) / selectors.POSTS_PER_PAGE))
    return f"{topic.get_absolute_url()}?page={last_page}#latest"


@forum_access
@require_GET
def topic_last(request: HttpRequest, ctx: GroupContext, topic_id: int) -> HttpResponse:
    topic = selectors.topic_get_in_group(group=ctx.group, topic_id=topic_id, viewer=request.user)
    return redirect(_topic_last_url(topic))


@forum_access
@require_POST
def topic_reply(request: HttpRequest, ctx: GroupContext, topic_id: int) -> HttpResponse:
    topic = selectors.topic_get_in_group(group=ctx.group, topic_id=topic_id, viewer=request.user)
    form = ReplyForm(request.POST)
    page = {"form": form, "topic": topic}
    if form.is_valid():
        where = RefusedPost.Where.REPLY
        if limit := posting_rate_limited(request):
            return _rate_limited_response(request, ctx, "groups/reply_form.html", page, limit, where=where)
        try:
            reply = services.reply_create(topic=topic, author=request.user, can_moderate=ctx.can_facilitate, **form.cleaned_data)
        except services.PostingRestricted as error:
            return _restricted_response(request, ctx, "groups/reply_form.html", page, error, where=where)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            topic.refresh_from_db(fields=["reply_count"])
            return _after_posting(request, reply, _topic_last_url(topic))
    # Nothing typed is lost: the reply comes back in its own page with the message.
    return render(request, "groups/reply_form.html", _context(ctx, **page), status=400)


@facilitators_only
@require_POST
def topic_moderate(request: HttpRequest, ctx: GroupContext, topic_id: int, action: str) -> HttpResponse:
    topic = selectors.topic_get_in_group(group=ctx.group, topic_id=topic_id, viewer=request.user)
    if action in ("pin", "unpin"):
        services.topic_set_pinned(topic=topic, pinned=action == "pin")
    elif action in ("lock", "unlock"):
        services.topic_set_locked(topic=topic, locked=action == "lock")
    else:
        raise Http404
    return redirect(topic)


@forum_access
@require_POST
def topic_subscribe(request: HttpRequest, ctx: GroupContext, topic_id: int) -> HttpResponse:
    topic = selectors.topic_get_in_group(group=ctx.group, topic_id=topic_id, viewer=request.user)
    subscribed = request.POST.get("subscribed") == "1"
    services.topic_subscription_set(topic=topic, user=request.user, subscribed=subscribed)
    messages.success(
        request,
        _("You will be told about new replies.") if subscribed else _("You will no longer be told about new replies."),
    )
    return redirect(topic)


@forum_access
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, ctx: GroupContext, post_id: int) -> HttpResponse:
    post = selectors.post_get_in_group(group=ctx.group, post_id=post_id)
    if post.author_id != request.user.pk:
        raise PermissionDenied(_("Only the author can edit a post."))
    initial = {"body": post.body, "content_warning": post.content_warning, "title": post.topic.title}
    form = PostEditForm(request.POST or None, initial=initial, with_title=post.is_opening)
    page = {"form": form, "post": post, "restriction": _posting_restriction(request, ctx)}
    if request.method == "POST" and form.is_valid():
        try:
            post = services.post_edit(post=post, editor=request.user, **form.cleaned_data)
        except services.PostingRestricted as error:
            return _restricted_response(request, ctx, "groups/post_edit.html", page, error, where=RefusedPost.Where.EDIT)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your post is updated."))
            return _after_posting(request, post, post.topic.get_absolute_url())
    return render(request, "groups/post_edit.html", _context(ctx, **page))


@forum_access
@require_POST
def post_delete(request: HttpRequest, ctx: GroupContext, post_id: int) -> HttpResponse:
    post = selectors.post_get_in_group(group=ctx.group, post_id=post_id)
    services.post_delete(post=post, deleted_by=request.user)
    messages.success(request, _("Your post is removed. It now reads “removed by its author”."))
    return redirect(post.topic)


@forum_access
@require_POST
def post_react(request: HttpRequest, ctx: GroupContext, post_id: int) -> HttpResponse:
    post = selectors.post_get_in_group(group=ctx.group, post_id=post_id, viewer=request.user)
    try:
        services.reaction_toggle(post=post, user=request.user, kind=request.POST.get("kind", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{post.topic.get_absolute_url()}#post-{post.pk}")


@forum_access
@require_http_methods(["GET", "POST"])
def post_report(request: HttpRequest, ctx: GroupContext, post_id: int) -> HttpResponse:
    post = selectors.post_get_in_group(group=ctx.group, post_id=post_id, viewer=request.user)
    form = ReportForm(request.POST or None, initial={"reason": request.GET.get("reason")})
    if request.method == "POST" and form.is_valid():
        try:
            report_create(reporter=request.user, post=post, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, "groups/report_thanks.html", _context(ctx, post=post, reason=form.cleaned_data["reason"]))
    return render(request, "groups/report_form.html", _context(ctx, form=form, post=post))


@login_required
@require_http_methods(["GET", "POST"])
def reader_preferences(request: HttpRequest) -> HttpResponse:
    initial = {"unfolded_warnings": sorted(selectors.reader_unfolded_warnings(user=request.user))}
    form = ReaderPreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.reader_preference_update(user=request.user, unfolded_warnings=form.cleaned_data["unfolded_warnings"])
        messages.success(request, _("Saved."))
        return redirect(reverse("groups:preferences"))
    return render(request, "groups/preferences.html", {"form": form})


# ----------------------------------------------------------------------------- sessions


def _room_url(session: GroupSession) -> str:
    # The live room's page is its own piece of work (groups/views_rooms.py); until its URL is
    # there, the address it will have.
    try:
        return reverse("groups:session_room", kwargs={"slug": session.group.slug, "session_id": session.pk})
    except NoReverseMatch:
        return f"{session.get_absolute_url()}room/"


def _add_service_error(form, error: ValidationError, renamed: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError on the form, beside the field it is about where the form has it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        name = (renamed or {}).get(name, name)
        form.add_error(name if name in form.fields else None, errors)


def _session_in(ctx: GroupContext, session_id: int) -> GroupSession:
    return selectors.session_get_in_group(group=ctx.group, session_id=session_id)


@forum_access
@require_GET
def sessions(request: HttpRequest, ctx: GroupContext) -> HttpResponse:
    return render(
        request,
        "groups/sessions.html",
        _context(ctx, sessions=selectors.session_list_upcoming_for_group(group=ctx.group, viewer=request.user)),
    )


@forum_access
@require_GET
def session_detail(request: HttpRequest, ctx: GroupContext, session_id: int) -> HttpResponse:
    session = _session_in(ctx, session_id)
    return render(
        request,
        "groups/session_detail.html",
        _context(
            ctx,
            session=session,
            agenda_html=markdown_to_safe_html(session.agenda),
            standing=selectors.rsvp_standing_get(session=session, user=request.user),
            room_url=_room_url(session),
            library_attachments=library.library_attachment_list(group=ctx.group, session=session),
        ),
    )


def _session_form_page(request: HttpRequest, ctx: GroupContext, form, *, heading: str, session=None) -> HttpResponse:
    return render(request, "groups/session_form.html", _context(ctx, form=form, heading=heading, session=session))


@facilitators_only
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest, ctx: GroupContext) -> HttpResponse:
    initial = {"facilitators": [request.user.pk]} if ctx.membership and ctx.membership.is_facilitator else {}
    form = SessionForm(request.POST or None, group=ctx.group, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(group=ctx.group, created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(request, _("The session is planned. Members can now sign up."))
            return redirect(session)
    return _session_form_page(request, ctx, form, heading=_("Plan a session"))


@facilitators_only
@require_http_methods(["GET", "POST"])
def series_new(request: HttpRequest, ctx: GroupContext) -> HttpResponse:
    initial = {"facilitators": [request.user.pk]} if ctx.membership and ctx.membership.is_facilitator else {}
    form = SeriesForm(request.POST or None, group=ctx.group, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["first_start"] = data.pop("starts_at")
        try:
            series = services.series_create(group=ctx.group, created_by=request.user, **data)
        except ValidationError as error:
            _add_service_error(form, error, renamed={"first_start": "starts_at"})
        else:
            messages.success(
                request,
                ngettext("%(count)d session is planned.", "%(count)d sessions are planned.", series.occurrences)
                % {"count": series.occurrences},
            )
            return redirect("groups:sessions", slug=ctx.group.slug)
    return _session_form_page(request, ctx, form, heading=_("Plan a series of sessions"))


@facilitators_only
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, ctx: GroupContext, session_id: int) -> HttpResponse:
    session = _session_in(ctx, session_id)
    initial = {
        "title": session.title, "agenda": session.agenda, "starts_at": session.starts_at,
        "duration_minutes": session.duration_minutes, "capacity": session.capacity,
        "facilitators": [user.pk for user in session.facilitators.all()],
    }
    form = SessionForm(request.POST or None, group=ctx.group, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_update(session=session, updated_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(request, _("Saved. Members who signed up were told about a new time, if it changed."))
            return redirect(session)
    return _session_form_page(request, ctx, form, heading=_("Change this session"), session=session)


@facilitators_only
@require_http_methods(["GET", "POST"])
def session_cancel(request: HttpRequest, ctx: GroupContext, session_id: int) -> HttpResponse:
    session = _session_in(ctx, session_id)
    if request.method == "POST":
        try:
            services.session_cancel(session=session, cancelled_by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(session)
        messages.success(request, _("The session is cancelled. Everyone who signed up has been told."))
        return redirect("groups:sessions", slug=ctx.group.slug)
    return render(request, "groups/session_cancel.html", _context(ctx, session=session))


@forum_access
@require_POST
def session_rsvp(request: HttpRequest, ctx: GroupContext, session_id: int) -> HttpResponse:
    session = _session_in(ctx, session_id)
    try:
        rsvp = services.rsvp_create(session=session, user=request.user)
    except (PermissionDenied, ValidationError) as refusal:
        messages.error(request, " ".join(getattr(refusal, "messages", [str(refusal)])))
        return redirect(session)
    if rsvp.status == Rsvp.Status.GOING:
        messages.success(request, _("You're going. We'll remind you the day before and shortly before it starts."))
    else:
        messages.success(request, _("This session is full, so you are on its waiting list. We'll tell you if a place opens."))
    return redirect(session)


@forum_access
@require_POST
def session_rsvp_cancel(request: HttpRequest, ctx: GroupContext, session_id: int) -> HttpResponse:
    session = _session_in(ctx, session_id)
    rsvp = services.rsvp_cancel(session=session, user=request.user)
    if rsvp is not None and rsvp.status == Rsvp.Status.CANCELLED:
        messages.success(request, _("You are no longer signed up. Thank you for making room for someone else."))
    return redirect(session)


@forum_access
@require_GET
def session_ics(request: HttpRequest, ctx: GroupContext, session_id: int) -> HttpResponse:
    session = _session_in(ctx, session_id)
    response = HttpResponse(services.session_ics(session), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="thaw-session-{session.pk}.ics"'
    return response


@login_required
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    feed = services.calendar_feed_get_or_create(request.user)
    feed_path = reverse("groups:calendar_feed", kwargs={"token": feed.token})
    return render(
        request,
        "groups/calendar.html",
        {"feed_url": request.build_absolute_uri(feed_path), "webcal_url": f"webcal://{request.get_host()}{feed_path}"},
    )


@login_required
@require_POST
def calendar_reset(request: HttpRequest) -> HttpResponse:
    services.calendar_feed_reset(request.user)
    messages.success(request, _("Your calendar has a new address. The old one no longer works: add the new one to your calendar app."))
    return redirect("groups:calendar")


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The member's feed, for calendar apps that can't sign in: the secret token is the key."""
    feed = selectors.calendar_feed_get_by_token(token=token)
    if feed is None:
        raise Http404("No such calendar.")
    response = HttpResponse(services.calendar_feed_ics(feed.user), content_type="text/calendar; charset=utf-8")
    # Personal: never kept by a shared cache, never indexed.
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
