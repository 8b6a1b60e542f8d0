"""Requests refused for their size or shape, with a page that says why (handler400 in urls.py).

Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields and any file (Thaw takes
no uploads) before a view runs; its default page says only "Bad Request". Someone who pasted a
long text deserves to know what happened and that nothing was saved.
"""
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def request_refused(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    status = 400
    if isinstance(exception, RequestDataTooBig):
        status = 413
        reason = _(
            "That was too much to send at once: a page accepts at most %(size)d KB. Nothing was saved. "
            "If it was a post, shorten it or split it into a few replies."
        ) % {"size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1000}
    elif isinstance(exception, TooManyFieldsSent):
        reason = _("That form sent more fields than any page here has. Nothing was saved; reload the page and try again.")
    elif isinstance(exception, TooManyFilesSent):
        reason = _("Thaw does not accept file uploads. Nothing was saved.")
    else:
        reason = _("Your browser sent a request this site could not understand. Nothing was saved; reload the page and try again.")
    return render(request, "platform_site/request_refused.html", {"reason": reason}, status=status)
