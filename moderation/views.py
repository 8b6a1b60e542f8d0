"""Moderators' pages: the queue, its items, members, sanctions, watched phrases, the audit log,
crisis cases and duty; and the facilitators' group-scoped queue. Every view checks who may use it
(moderator_required, or facilitator of the group) and hands the change to one service."""
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import moderator_required
from accounts.safety_plan import safety_plan_for_moderator
from moderation import care_selectors, selectors, services
from moderation.forms import (
    AnswerForm,
    AuditFilterForm,
    BulkDismissForm,
    CaseCloseForm,
    CaseNoteForm,
    CheckInForm,
    FollowUpForm,
    HideForm,
    NoteForm,
    OptionalReasonForm,
    QueueFilterForm,
    ReasonForm,
    ReassignForm,
    ReviewAnswerForm,
    SanctionForm,
    WarnForm,
    WatchedPhraseForm,
)
from moderation.models import Flag, Sanction
from moderation.services.queue import flag_dismiss_many


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Back to where the moderator came from (the queue with its filters), if it is ours."""
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


def _cursor(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 19 else None


def _queue_filters(request: HttpRequest) -> tuple[QueueFilterForm, selectors.QueueFilters]:
    form = QueueFilterForm(request.GET or None, group_choices=selectors.queue_group_choices())
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.QueueFilters(
        level=data.get("level") or "", source=data.get("source") or "", group_id=data.get("group"),
        state=data.get("state") or "open", mine=bool(data.get("mine")),
        after=_cursor(request, "after"), before=_cursor(request, "before"),
    )
    return form, filters


def _dashboard_page(request: HttpRequest, *, status: int = 200, bulk_form: BulkDismissForm | None = None) -> HttpResponse:
    filter_form, filters = _queue_filters(request)
    queue = selectors.flag_queue_for_moderator(moderator=request.user, filters=filters)
    # The fragment's own links and forms (pages, "next" after a claim) lead to the whole page;
    # the page links carry the filters, without the cursor of the page they leave.
    params = request.GET.copy()
    params.pop("fragment", None)
    query = params.urlencode()
    here = f"{reverse('moderation:dashboard')}?{query}" if query else reverse("moderation:dashboard")
    for name in ("after", "before"):
        params.pop(name, None)
    bulk_form = bulk_form or BulkDismissForm()
    context = {
        "queue": queue, "filter_form": filter_form, "query": query, "filters_query": params.urlencode(), "here": here,
        "bulk_form": bulk_form, "selected_ids": bulk_form.selected_ids(),
    }
    if request.GET.get("fragment") == "queue" and request.method == "GET":
        return render(request, "moderation/_queue.html", context)
    if request.GET.get("fragment") == "waiting" and request.method == "GET":
        # The members waiting for an answer: the live feed reloads it when a conversation changes.
        return render(request, "moderation/_waiting.html")
    return render(
        request,
        "moderation/dashboard.html",
        {
            **context,
            "health": selectors.pipeline_health_get(),
            "backlog": selectors.assessment_backlog_get(),
            "cases": selectors.case_list_open(),
            "held_count": selectors.held_post_list().count(),
            "reviews": selectors.review_request_list_open(),
            "on_duty": selectors.moderator_on_duty(moderator=request.user),
        },
        status=status,
    )


@moderator_required
@never_cache
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The queue. With ?fragment=queue, only the list; with ?fragment=waiting, only who waits for an
    answer (the live feed reloads each in place)."""
    return _dashboard_page(request)


@moderator_required
@require_POST
def flag_bulk_dismiss(request: HttpRequest) -> HttpResponse:
    """Several open concern items dismissed with one reason. The form posts to an address that
    carries the queue's filters and page, so a refusal shows the same queue again, with the reason
    and the ticked items as they were."""
    form = BulkDismissForm(request.POST)
    if form.is_valid():
        try:
            outcome = flag_dismiss_many(
                flag_ids=form.cleaned_data["flag_ids"], moderator=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            count = len(outcome.dismissed)
            messages.success(request, ngettext(
                "Dismissed %(count)d item, with your reason.", "Dismissed %(count)d items, with your reason.", count
            ) % {"count": count})
            for flag_id, why in outcome.skipped:
                messages.warning(request, _("Item #%(number)d was left as it is: %(why)s") % {"number": flag_id, "why": why})
            return _back(request, reverse("moderation:dashboard"))
    return _dashboard_page(request, status=400, bulk_form=form)


@moderator_required
@require_POST
def duty_set(request: HttpRequest) -> HttpResponse:
    on_duty = request.POST.get("on_duty") == "1"
    services.moderator_duty_set(moderator=request.user, on_duty=on_duty)
    messages.success(request, _("You are on duty: crisis alerts come to you.") if on_duty else _("You are off duty."))
    return redirect("moderation:dashboard")


# ----------------------------------------------------------------------------- one queue item


def _flag_page(request: HttpRequest, flag_id: int, status: int = 200, **forms) -> HttpResponse:
    flag = selectors.flag_detail_get(flag_id=flag_id)
    context = {
        "flag": flag,
        "now": timezone.now(),
        "dismiss_form": forms.get("dismiss_form") or ReasonForm(),
        "confirm_form": forms.get("confirm_form") or OptionalReasonForm(),
        "hide_form": forms.get("hide_form") or HideForm(),
        "restore_form": forms.get("restore_form") or OptionalReasonForm(),
        "reassign_form": forms.get("reassign_form") or ReassignForm(moderators=selectors.moderator_list()),
    }
    return render(request, "moderation/flag_detail.html", context, status=status)


@moderator_required
@never_cache
@require_GET
def flag_detail(request: HttpRequest, flag_id: int) -> HttpResponse:
    return _flag_page(request, flag_id)


@moderator_required
@require_POST
def flag_claim(request: HttpRequest, flag_id: int) -> HttpResponse:
    try:
        services.flag_claim(flag_id=flag_id, moderator=request.user)
    except services.ClaimConflict as conflict:
        messages.error(request, str(conflict))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("It is yours now: the others see that you are on it."))
    return _back(request, reverse("moderation:flag_detail", kwargs={"flag_id": flag_id}))


@moderator_required
@require_POST
def flag_release(request: HttpRequest, flag_id: int) -> HttpResponse:
    try:
        services.flag_release(flag_id=flag_id, moderator=request.user)
    except (services.ClaimConflict, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("Released: it is back in the queue for anyone."))
    return _back(request, reverse("moderation:dashboard"))


@moderator_required
@require_POST
def flag_reassign(request: HttpRequest, flag_id: int) -> HttpResponse:
    from accounts.models import User

    get_object_or_404(Flag, pk=flag_id)
    form = ReassignForm(request.POST, moderators=selectors.moderator_list())
    if form.is_valid():
        to = User.objects.filter(pk=form.cleaned_data["to"]).first()
        try:
            services.flag_reassign(flag_id=flag_id, moderator=request.user, to=to, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Handed over to %(name)s.") % {"name": to.display_name})
            return redirect("moderation:flag_detail", flag_id=flag_id)
    return _flag_page(request, flag_id, status=400, reassign_form=form)


FLAG_ACTIONS = {
    "dismiss": ("dismiss_form", ReasonForm),
    "confirm": ("confirm_form", OptionalReasonForm),
    "hide": ("hide_form", HideForm),
    "restore": ("restore_form", OptionalReasonForm),
    "case": (None, None),
}


def _run_flag_action(request: HttpRequest, flag: Flag, action: str, data: dict):
    moderator = request.user
    if action == "dismiss":
        services.flag_dismiss(flag_id=flag.pk, moderator=moderator, reason=data["reason"])
        return _("Dismissed, with your reason.")
    if action == "confirm":
        services.flag_confirm(flag_id=flag.pk, moderator=moderator, note=data["reason"])
        return _("Confirmed.")
    if action == "hide":
        services.content_hide(
            kind=flag.content_kind, content_id=flag.content_id, moderator=moderator, reason=data["reason"], flag_id=flag.pk
        )
        return _("Hidden. The author was told why, privately, with the crisis lines and how to ask for a review.")
    if action == "restore":
        services.content_restore(kind=flag.content_kind, content_id=flag.content_id, moderator=moderator,
                                 reason=data["reason"], flag_id=flag.pk)
        return _("Restored: everyone who may read it sees it again.")
    case = services.flag_case_open(flag_id=flag.pk, moderator=moderator)
    return redirect("moderation:case_detail", case_id=case.pk)


@moderator_required
@require_POST
def flag_action(request: HttpRequest, flag_id: int, action: str) -> HttpResponse:
    if action not in FLAG_ACTIONS:
        raise Http404
    flag = get_object_or_404(Flag, pk=flag_id)
    form_name, form_class = FLAG_ACTIONS[action]
    form = form_class(request.POST) if form_class else None
    if form is None or form.is_valid():
        try:
            outcome = _run_flag_action(request, flag, action, form.cleaned_data if form else {})
        except services.ClaimConflict as conflict:
            messages.error(request, str(conflict))
            return redirect("moderation:flag_detail", flag_id=flag.pk)
        except ValidationError as error:
            if form is None:
                messages.error(request, " ".join(error.messages))
                return redirect("moderation:flag_detail", flag_id=flag.pk)
            form.add_error(None, error)
        else:
            if isinstance(outcome, HttpResponse):
                return outcome
            messages.success(request, outcome)
            return _back(request, reverse("moderation:dashboard"))
    # What the moderator typed comes back with the message.
    return _flag_page(request, flag.pk, status=400, **{form_name: form})


# ----------------------------------------------------------------------------- posts held for approval


@moderator_required
@never_cache
@require_GET
def held_list(request: HttpRequest) -> HttpResponse:
    return render(request, "moderation/held_list.html", {"posts": selectors.held_post_list()[:100], "reject_form": HideForm()})


@moderator_required
@require_POST
def held_decide(request: HttpRequest, post_id: int, decision: str) -> HttpResponse:
    if decision == "approve":
        try:
            services.held_post_approve(post_id=post_id, moderator=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Approved: the post is visible now."))
        return redirect("moderation:held_list")
    if decision != "reject":
        raise Http404
    form = HideForm(request.POST)
    if form.is_valid():
        try:
            services.held_post_reject(post_id=post_id, moderator=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Kept hidden; the author was told why."))
            return redirect("moderation:held_list")
    posts = selectors.held_post_list()[:100]
    return render(
        request, "moderation/held_list.html",
        {"posts": posts, "reject_form": HideForm(), "failed_post_id": post_id, "failed_form": form}, status=400,
    )


# ----------------------------------------------------------------------------- members


def _member_page(request: HttpRequest, user_id: int, status: int = 200, **forms) -> HttpResponse:
    record = selectors.member_record_get(member_id=user_id)
    if status == 200:
        services.member_record_viewed(member=record.member, moderator=request.user, what="member")
    group_choices = selectors.queue_group_choices()
    return render(
        request, "moderation/member_detail.html",
        {
            "record": record,
            "now": timezone.now(),
            "warn_form": forms.get("warn_form") or WarnForm(),
            "sanction_form": forms.get("sanction_form") or SanctionForm(group_choices=group_choices),
            "note_form": forms.get("note_form") or NoteForm(),
            "lift_form": ReasonForm(),
        },
        status=status,
    )


@moderator_required
@never_cache
@require_GET
def member_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    return _member_page(request, user_id)


@moderator_required
@require_POST
def member_action(request: HttpRequest, user_id: int, action: str) -> HttpResponse:
    from groups.models import SupportGroup

    record = selectors.member_record_get(member_id=user_id)
    member = record.member
    if action == "warn":
        form, form_name = WarnForm(request.POST), "warn_form"
    elif action == "sanction":
        form, form_name = SanctionForm(request.POST, group_choices=selectors.queue_group_choices()), "sanction_form"
    elif action == "note":
        form, form_name = NoteForm(request.POST), "note_form"
    else:
        raise Http404
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "warn":
                services.member_warn(member=member, moderator=request.user, reason=data["reason"])
                done = _("Warning sent, privately.")
            elif action == "sanction":
                days = data["days"]
                services.sanction_create(
                    member=member, moderator=request.user, kind=data["kind"], reason=data["reason"],
                    ends_at=timezone.now() + timedelta(days=days) if days else None,
                    group=SupportGroup.objects.filter(pk=data["group"]).first() if data["group"] else None,
                )
                done = _("Sanction in force; the member was told why, privately.")
            else:
                services.moderator_note_add(member=member, moderator=request.user, body=data["body"])
                done = _("Note saved. Only moderators see it.")
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done)
            return redirect("moderation:member_detail", user_id=member.pk)
    return _member_page(request, user_id, status=400, **{form_name: form})


@moderator_required
@require_POST
def sanction_lift(request: HttpRequest, sanction_id: int) -> HttpResponse:
    sanction = get_object_or_404(Sanction, pk=sanction_id)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.sanction_lift(sanction_id=sanction.pk, moderator=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Lifted."))
    else:
        messages.error(request, _("Say why the sanction is lifted."))
    return redirect("moderation:member_detail", user_id=sanction.user_id)


@moderator_required
@never_cache
@require_GET
def member_safety_plan(request: HttpRequest, user_id: int) -> HttpResponse:
    from accounts.models import User

    member = get_object_or_404(User, pk=user_id)
    plan = safety_plan_for_moderator(moderator=request.user, member=member)
    services.member_record_viewed(member=member, moderator=request.user, what="safety_plan")
    sections = [(plan._meta.get_field(name).verbose_name, getattr(plan, name)) for name in plan.TEXT_FIELDS] if plan else []
    return render(request, "moderation/safety_plan.html", {"member": member, "plan": plan, "sections": sections})


# ----------------------------------------------------------------------------- review requests


@moderator_required
@require_POST
def review_decide(request: HttpRequest, review_id: int) -> HttpResponse:
    form = ReviewAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.review_request_decide(
                review_id=review_id, moderator=request.user, reverse=form.cleaned_data["decision"] == "reverse",
                answer=form.cleaned_data["answer"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Answered; the member was told."))
    else:
        messages.error(request, _("Write an answer for the member."))
    return redirect("moderation:dashboard")


# ----------------------------------------------------------------------------- watched phrases


@moderator_required
@never_cache
@require_http_methods(["GET", "POST"])
def phrase_list(request: HttpRequest) -> HttpResponse:
    form = WatchedPhraseForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        try:
            services.watched_phrase_save(moderator=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved. It applies to the next post, everywhere."))
            return redirect("moderation:phrase_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "moderation/phrase_list.html", {"form": form, "phrases": selectors.watched_phrase_list()}, status=status)


@moderator_required
@require_POST
def phrase_edit(request: HttpRequest, phrase_id: int) -> HttpResponse:
    form = WatchedPhraseForm(request.POST)
    if form.is_valid():
        try:
            services.watched_phrase_save(moderator=request.user, watched_phrase_id=phrase_id, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved. It applies to the next post, everywhere."))
            return redirect("moderation:phrase_list")
    return render(
        request, "moderation/phrase_list.html",
        {"form": form, "phrases": selectors.watched_phrase_list(), "editing_id": phrase_id}, status=400,
    )


# ----------------------------------------------------------------------------- the audit log


@moderator_required
@never_cache
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None, moderators=selectors.moderator_list())
    data = form.cleaned_data if form.is_valid() else {}

    def day_start(day):
        return timezone.make_aware(datetime.combine(day, time.min)) if day else None

    try:
        page = int(request.GET.get("page", 1))
    except ValueError:
        page = 1
    until = data.get("until")
    filters = selectors.AuditFilters(
        action=data.get("action") or "", actor_id=data.get("actor"), target_user_id=data.get("member"),
        since=day_start(data.get("since")), until=day_start(until + timedelta(days=1)) if until else None, page=page,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "moderation/audit_log.html",
        {"form": form, "page": selectors.audit_entry_page(filters=filters), "query": query.urlencode()},
    )


# ----------------------------------------------------------------------------- crisis cases


# Each form on a case's page, by the action that posts it: (its name on the page, the form).
CASE_FORMS = {
    "answer": ("answer_form", AnswerForm),
    "note": ("note_form", CaseNoteForm),
    "check-in": ("check_in_form", CheckInForm),
    "follow-up": ("follow_up_form", FollowUpForm),
    "close": ("close_form", CaseCloseForm),
}


def _case_page(request: HttpRequest, case, status: int = 200, **forms) -> HttpResponse:
    context = {"case": case, **{name: forms.get(name) or form_class() for name, form_class in CASE_FORMS.values()}}
    return render(request, "moderation/case_detail.html", context, status=status)


@moderator_required
@never_cache
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = care_selectors.case_page_get(case_id=case_id)
    # The timeline holds what the member wrote and what was done for them: each look is recorded.
    services.member_record_viewed(member=case.member, moderator=request.user, what="case", subject=case)
    response = _case_page(request, case)
    # Read once the page is drawn (it marks what was new): the member sees "Read by the team".
    services.case_messages_read_by_team(case=case)
    return response


def _run_case_action(case, moderator, action: str, data: dict) -> str:
    if action == "answer":
        services.case_action_answer(case=case, moderator=moderator, body=data["body"])
        return _("Sent. The member is told there is a message for them, and it is on the timeline.")
    if action == "note":
        services.case_action_note(case=case, moderator=moderator, kind=data["kind"], note=data["note"])
    elif action == "follow-up":
        services.case_action_follow_up(case=case, moderator=moderator, due_at=data["due_at"])
    elif action == "check-in":
        services.case_action_check_in(case=case, moderator=moderator, note=data["note"])
    else:
        services.case_action_close(case=case, moderator=moderator, outcome=data["outcome"])
    return _("Recorded on the case's timeline.")


@moderator_required
@require_POST
def case_action(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    case = selectors.case_get(case_id=case_id)
    if action == "acknowledge":
        services.case_action_acknowledge(case=case, moderator=request.user)
        return redirect("moderation:case_detail", case_id=case.pk)
    if action not in CASE_FORMS:
        raise Http404
    form_name, form_class = CASE_FORMS[action]
    form = form_class(request.POST)
    if form.is_valid():
        try:
            done = _run_case_action(case, request.user, action, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done)
            return redirect("moderation:case_detail", case_id=case.pk)
    # What the moderator typed comes back with the message.
    return _case_page(request, care_selectors.case_page_get(case_id=case_id), status=400, **{form_name: form})


# ----------------------------------------------------------------------------- facilitators


@login_required
@never_cache
@require_GET
def facilitator_queue(request: HttpRequest) -> HttpResponse:
    """Reports from the groups this person facilitates, and nowhere else."""
    group_ids = selectors.facilitated_group_ids(user=request.user)
    if not group_ids:
        raise PermissionDenied(_("This page is for the facilitators of a group."))
    from groups.models import SupportGroup

    return render(
        request, "moderation/facilitator_queue.html",
        {
            "reports": selectors.facilitator_report_list(facilitator=request.user)[:200],
            "groups": SupportGroup.objects.filter(pk__in=group_ids).order_by("name"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def facilitator_hide(request: HttpRequest, post_id: int) -> HttpResponse:
    """A facilitator hides a post in their own group until a moderator looks. Anyone else: 404,
    as for a post that does not exist (it may be in a private group)."""
    from groups.models import Post

    group_ids = selectors.facilitated_group_ids(user=request.user)
    post = get_object_or_404(
        Post.objects.select_related("topic__group", "author__profile"),
        pk=post_id, topic__group_id__in=group_ids, deleted_at__isnull=True, topic__deleted_at__isnull=True,
    )
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.facilitator_post_hide(post=post, facilitator=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Hidden until a moderator looks at it; they will confirm or restore it."))
            return redirect(post.topic)
    status = 400 if request.method == "POST" else 200
    return render(request, "moderation/facilitator_hide.html", {"post": post, "form": form}, status=status)
