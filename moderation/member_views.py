"""Members' side of the caring path: messages from the team, their conversation with the team,
"talk to a moderator", draft checks."""
import logging
import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import get_usage, is_ratelimited

from moderation import care_selectors, selectors, services
from moderation.forms import MemberMessageForm, ReviewRequestForm, TalkForm

logger = logging.getLogger(__name__)

DRAFT_CHECK_MAX_CHARS = 20000
# What a member may write to the team: enough for any conversation, too slow to flood it.
MEMBER_MESSAGE_RATE = "6/10m"


@login_required
@never_cache
@require_GET
def message_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "moderation/care/message_list.html",
        {
            "conversation": care_selectors.conversation_open_for_member(member=request.user),
            "care_messages": care_selectors.team_messages_for_member(member=request.user),
        },
    )


@login_required
@never_cache
@require_GET
def message_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    message = selectors.care_message_get_for_member(member=request.user, message_id=message_id)
    if message.conversation_id is not None:
        # A check-in, a follow-up or an answer: shown in its conversation, with a reply box.
        return _conversation_page(request, message.conversation, highlighted=message)
    services.care_message_mark_read(message=message)
    return render(
        request, "moderation/care/message_detail.html",
        {"care_message": message, "review_form": ReviewRequestForm(), "review": selectors.review_request_for_message(message=message)},
    )


@login_required
@require_POST
def review_request(request: HttpRequest, message_id: int) -> HttpResponse:
    """Ask the moderators to look again at a decision this message told the member about."""
    message = selectors.care_message_get_for_member(member=request.user, message_id=message_id)
    form = ReviewRequestForm(request.POST)
    if form.is_valid():
        try:
            services.review_request_create(member=request.user, care_message=message, note=form.cleaned_data["note"])
        except (PermissionDenied, ValidationError) as error:
            form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("Thank you. A moderator will look again and you will hear back here."))
            return redirect("care:message_detail", message_id=message.pk)
    return render(
        request, "moderation/care/message_detail.html", {"care_message": message, "review_form": form}, status=400
    )


# ----------------------------------------------------------------------------- the conversation


def _conversation_page(
    request: HttpRequest, conversation, *, highlighted=None, form=None, status: int = 200, wait_minutes: int | None = None
) -> HttpResponse:
    if status == 200:
        services.conversation_read_by_member(conversation=conversation)
    context = {
        "conversation": conversation,
        "thread": care_selectors.conversation_thread(conversation=conversation),
        "highlighted": highlighted,
        "form": form or (MemberMessageForm() if conversation.is_open else TalkForm()),
        "wait_minutes": wait_minutes,
    }
    return render(request, "moderation/care/conversation.html", context, status=status)


@login_required
@never_cache
@require_GET
def conversation_detail(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = care_selectors.conversation_get_for_member(member=request.user, conversation_id=conversation_id)
    return _conversation_page(request, conversation)


def _message_wait_seconds(request: HttpRequest) -> int | None:
    """Count this message; the seconds until the member may write again, or None if they may now.

    If the cache (Redis) is down nothing is counted: a person reaching out must get through, and
    the alerts already merge while they wait.
    """
    try:
        usage = get_usage(
            request, group="care-member-message", key="user", rate=MEMBER_MESSAGE_RATE, method="POST", increment=True
        )
    except Exception:  # redis-py's errors; any of them means the limit cannot be counted now
        logger.warning("member message limit not counted: the cache is unavailable")
        return None
    if usage is None or not usage["should_limit"]:
        return None
    return max(usage["time_left"], 1)


def _sent_notice(outcome: services.MemberWrote) -> str:
    if outcome.alerted_now:
        return _(
            "Thank you. The moderators on duty have been told, and one of them will answer you here. "
            "If you might not be safe before then, please call 988, or 911 in an emergency."
        )
    waited = timesince(outcome.alerted_at, timezone.now()) if outcome.alerted_at else ""
    return _(
        "Thank you. We let the moderators know %(waited)s ago, and your words are with them in the same "
        "conversation: there is no need to ask again. Someone will answer you here. If you might not be safe "
        "before then, please call 988, or 911 in an emergency."
    ) % {"waited": waited}


@login_required
@require_POST
def conversation_reply(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """The member answers the team. In a conversation that has ended, it starts a new one."""
    conversation = care_selectors.conversation_get_for_member(member=request.user, conversation_id=conversation_id)
    form = MemberMessageForm(request.POST)
    if not form.is_valid():
        return _conversation_page(request, conversation, form=form, status=400)
    wait = _message_wait_seconds(request)
    if wait is not None:
        return _conversation_page(request, conversation, form=form, status=429, wait_minutes=math.ceil(wait / 60))
    try:
        outcome = services.member_writes_to_team(member=request.user, body=form.cleaned_data["body"])
    except ValidationError as error:
        form.add_error(None, error)
        return _conversation_page(request, conversation, form=form, status=400)
    messages.success(request, _sent_notice(outcome))
    return redirect("care:conversation_detail", conversation_id=outcome.conversation.pk)


@login_required
@require_POST
def talk_to_moderator(request: HttpRequest) -> HttpResponse:
    """"Talk to a moderator now" (the crisis panel's button, with or without words)."""
    form = TalkForm(request.POST)
    if not form.is_valid():
        return render(request, "moderation/care/talk.html", {"form": form}, status=400)
    body = form.cleaned_data["body"]
    # Asking alone is never refused (repeats merge into one alert); words count towards the limit.
    wait = _message_wait_seconds(request) if body else None
    if wait is not None:
        return render(request, "moderation/care/talk.html", {"form": form, "wait_minutes": math.ceil(wait / 60)}, status=429)
    try:
        outcome = services.member_writes_to_team(member=request.user, body=body, asked_to_talk=True)
    except ValidationError as error:
        form.add_error(None, error)
        return render(request, "moderation/care/talk.html", {"form": form}, status=400)
    messages.success(request, _sent_notice(outcome))
    return redirect("care:conversation_detail", conversation_id=outcome.conversation.pk)


# ----------------------------------------------------------------------------- the draft check


def _draft_check_limited(request: HttpRequest) -> bool:
    try:
        return is_ratelimited(request, group="risk-draft-check", key="user", rate="40/m", method="POST", increment=True)
    except Exception:  # the cache (Redis) is down: the check is a help, so it goes on
        return False


@login_required
@require_POST
def draft_check(request: HttpRequest) -> HttpResponse:
    """Should the crisis panel show beside this draft? JSON; rules only; never blocks a send."""
    text = request.POST.get("text", "")
    if len(text) > DRAFT_CHECK_MAX_CHARS:
        return JsonResponse({"error": {"code": "too_long", "detail": _("The draft is too long to check.")}}, status=413)
    if _draft_check_limited(request):
        return JsonResponse({"error": {"code": "too_fast", "detail": _("Checking too often; try again shortly.")}}, status=429)
    return JsonResponse({"show_panel": services.draft_risk_check(text=text)})
