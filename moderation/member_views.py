"""Members' side of the caring path: messages from the team, "talk to a moderator", draft checks."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import is_ratelimited

from moderation import selectors, services
from moderation.forms import ReviewRequestForm

DRAFT_CHECK_MAX_CHARS = 20000


@login_required
@never_cache
@require_GET
def message_list(request: HttpRequest) -> HttpResponse:
    return render(request, "moderation/care/message_list.html", {"care_messages": selectors.care_messages_for_member(member=request.user)})


@login_required
@never_cache
@require_GET
def message_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    message = selectors.care_message_get_for_member(member=request.user, message_id=message_id)
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


@login_required
@require_POST
def talk_to_moderator(request: HttpRequest) -> HttpResponse:
    services.member_asks_to_talk(member=request.user)
    messages.success(
        request,
        _("A moderator has been asked to reach out to you here on Thaw. If you might not be safe before then, "
          "please call 988, or 911 in an emergency."),
    )
    return redirect("care:message_list")


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
