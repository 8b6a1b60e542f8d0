import json

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.forms import AccountDeleteForm, NotificationSettingsForm, ProfileForm, SafetyPlanForm
from accounts.notifications import notification_list_for_user, notifications_mark_read
from accounts.safety_plan import safety_plan_get, safety_plan_update
from accounts.selectors import profile_get_for_user
from accounts.services import (
    account_delete,
    profile_create,
    profile_notification_settings_update,
    profile_update,
    user_data_export,
)


@login_required
def profile_detail(request: HttpRequest) -> HttpResponse:
    profile = profile_get_for_user(user=request.user)
    if profile is None:
        return redirect("accounts:profile_edit")
    return render(request, "accounts/profile_detail.html", {"profile": profile})


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    profile = profile_get_for_user(user=request.user)
    form = ProfileForm(request.POST or None, profile=profile)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if profile is None:
                profile_create(
                    user=request.user,
                    display_name=data["display_name"],
                    time_zone=data["time_zone"],
                    pronouns=data["pronouns"],
                    guidelines_accepted=data["accept_guidelines"],
                )
            else:
                profile_update(
                    profile=profile,
                    display_name=data["display_name"],
                    time_zone=data["time_zone"],
                    pronouns=data["pronouns"],
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("accounts:profile")
    return render(request, "accounts/profile_edit.html", {"form": form, "profile": profile})


# never_cache: the plan is among the most private pages we serve; no browser back-button copy,
# shared-computer cache or proxy may keep it.
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def safety_plan(request: HttpRequest) -> HttpResponse:
    plan = safety_plan_get(user=request.user)
    form = SafetyPlanForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            plan = safety_plan_update(user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if plan.shared_with_moderators:
                messages.success(
                    request, _("Your safety plan is saved. Thaw moderators can read it if they are worried about you.")
                )
            else:
                messages.success(request, _("Your safety plan is saved. Only you can see it."))
            return redirect("accounts:safety_plan")
    return render(request, "accounts/safety_plan.html", {"form": form, "plan": plan})


@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def data_export(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "accounts/data_export.html")
    payload = user_data_export(user=request.user)
    response = HttpResponse(
        json.dumps(payload, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    filename = f"thaw-my-data-{timezone.now():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete_view(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        account_delete(user=user, keep_contributions=form.keep_contributions)
        return render(request, "accounts/account_deleted.html")
    return render(request, "accounts/account_delete.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    profile = profile_get_for_user(user=request.user)
    form = NotificationSettingsForm(request.POST or None, initial={"email_digest": bool(profile and profile.email_digest)})
    if request.method == "POST":
        if request.POST.get("action") == "mark_all_read":
            notifications_mark_read(user=request.user)
            return redirect("accounts:notifications")
        if profile is not None and form.is_valid():
            profile_notification_settings_update(profile=profile, email_digest=form.cleaned_data["email_digest"])
            messages.success(request, _("Your notification settings are saved."))
            return redirect("accounts:notifications")
    page = Paginator(notification_list_for_user(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "accounts/notifications.html", {"page": page, "form": form})


@login_required
@require_http_methods(["POST"])
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = get_object_or_404(notification_list_for_user(user=request.user), pk=notification_id)
    notifications_mark_read(user=request.user, notification_ids=[notification.pk])
    # Stored URLs are our own paths; never follow anything else.
    return redirect(notification.url if url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None) else "accounts:notifications")
