"""Moderators' pages: the dashboard, crisis cases, duty. Every view is moderators only."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import moderator_required
from accounts.safety_plan import safety_plan_for_moderator
from moderation import selectors, services
from moderation.forms import CaseCloseForm, CaseNoteForm, CheckInForm, FollowUpForm


@moderator_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "moderation/dashboard.html",
        {
            "health": selectors.pipeline_health_get(),
            "backlog": selectors.assessment_backlog_get(),
            "flags": selectors.flag_list_open(),
            "cases": selectors.case_list_open(),
            "reports": selectors.report_list_open(),
            "on_duty": selectors.moderator_on_duty(moderator=request.user),
        },
    )


@moderator_required
@require_POST
def duty_set(request: HttpRequest) -> HttpResponse:
    on_duty = request.POST.get("on_duty") == "1"
    services.moderator_duty_set(moderator=request.user, on_duty=on_duty)
    messages.success(request, _("You are on duty: crisis alerts come to you.") if on_duty else _("You are off duty."))
    return redirect("moderation:dashboard")


def _case_page(request: HttpRequest, case, status: int = 200, **forms) -> HttpResponse:
    context = {
        "case": case,
        "note_form": forms.get("note_form") or CaseNoteForm(),
        "follow_up_form": forms.get("follow_up_form") or FollowUpForm(),
        "check_in_form": forms.get("check_in_form") or CheckInForm(),
        "close_form": forms.get("close_form") or CaseCloseForm(),
    }
    return render(request, "moderation/case_detail.html", context, status=status)


@moderator_required
@never_cache
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_page(request, selectors.case_get(case_id=case_id))


@moderator_required
@require_POST
def case_action(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    case = selectors.case_get(case_id=case_id)
    forms_by_action = {"note": CaseNoteForm, "follow-up": FollowUpForm, "check-in": CheckInForm, "close": CaseCloseForm}
    if action == "acknowledge":
        services.case_acknowledge(case=case, moderator=request.user)
        return redirect("moderation:case_detail", case_id=case.pk)
    if action not in forms_by_action:
        raise Http404
    form = forms_by_action[action](request.POST)
    form_name = {"note": "note_form", "follow-up": "follow_up_form", "check-in": "check_in_form", "close": "close_form"}[action]
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "note":
                services.case_note_add(case=case, moderator=request.user, kind=data["kind"], note=data["note"])
            elif action == "follow-up":
                if data["due_at"] <= timezone.now():
                    raise ValidationError({"due_at": _("Choose a time in the future.")})
                services.follow_up_schedule(case=case, due_at=data["due_at"], moderator=request.user)
            elif action == "check-in":
                services.case_check_in_send(case=case, moderator=request.user, note=data["note"])
            else:
                services.case_close(case=case, moderator=request.user, outcome=data["outcome"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Recorded on the case's timeline."))
            return redirect("moderation:case_detail", case_id=case.pk)
    # What the moderator typed comes back with the message.
    return _case_page(request, selectors.case_get(case_id=case_id), status=400, **{form_name: form})


@moderator_required
@never_cache
@require_GET
def member_safety_plan(request: HttpRequest, user_id: int) -> HttpResponse:
    from accounts.models import User

    member = get_object_or_404(User, pk=user_id)
    plan = safety_plan_for_moderator(moderator=request.user, member=member)
    sections = [(plan._meta.get_field(name).verbose_name, getattr(plan, name)) for name in plan.TEXT_FIELDS] if plan else []
    return render(request, "moderation/safety_plan.html", {"member": member, "plan": plan, "sections": sections})
