from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import moderator_required
from moderation.selectors import pipeline_health_get, report_list_open


@moderator_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request, "moderation/dashboard.html", {"health": pipeline_health_get(), "reports": report_list_open()}
    )
