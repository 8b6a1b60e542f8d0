"""Facilitators attach library entries to their group or to one of its sessions.

Who may: the group's facilitators and site moderators (`facilitators_only`); a member gets 403, and
a private group stays a 404 for anyone outside it. Members see the attached entries on the group
and session pages.
"""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from groups import library, selectors, services
from groups.forms import LibraryAttachForm
from groups.models import GroupSession
from groups.selectors import GroupContext
from groups.views import _context, facilitators_only


def _page_url(ctx: GroupContext, session: GroupSession | None) -> str:
    if session is None:
        return reverse("groups:library_attach", kwargs={"slug": ctx.group.slug})
    return reverse("groups:session_library_attach", kwargs={"slug": ctx.group.slug, "session_id": session.pk})


def _attach_page(request: HttpRequest, ctx: GroupContext, session: GroupSession | None) -> HttpResponse:
    form = LibraryAttachForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.library_attachment_add(
                group=ctx.group, session=session, entry=form.cleaned_data["entry"], added_by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("“%(title)s” is attached.") % {"title": form.cleaned_data["entry"].title})
            return redirect(_page_url(ctx, session))
    attachments = library.library_attachment_list(group=ctx.group, session=session)
    return render(
        request,
        "groups/library_attach.html",
        _context(ctx, form=form, session=session, attachments=attachments),
        status=400 if form.errors else 200,
    )


@facilitators_only
@require_http_methods(["GET", "POST"])
def library_attach(request: HttpRequest, ctx: GroupContext) -> HttpResponse:
    return _attach_page(request, ctx, session=None)


@facilitators_only
@require_http_methods(["GET", "POST"])
def session_library_attach(request: HttpRequest, ctx: GroupContext, session_id: int) -> HttpResponse:
    return _attach_page(request, ctx, session=selectors.session_get_in_group(group=ctx.group, session_id=session_id))


@facilitators_only
@require_POST
def library_detach(request: HttpRequest, ctx: GroupContext, attachment_id: int) -> HttpResponse:
    attachment = library.library_attachment_get(group=ctx.group, attachment_id=attachment_id)
    services.library_attachment_remove(attachment=attachment)
    messages.success(request, _("“%(title)s” is no longer attached.") % {"title": attachment.entry.title})
    return redirect(_page_url(ctx, attachment.session))
