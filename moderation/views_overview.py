"""The moderators' overview page: the last 7 and 30 days at a glance. Moderators only."""
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.permissions import moderator_required
from moderation.overview import flags_per_day_chart, moderation_overview_get, share_within_limit_chart


@moderator_required
@never_cache
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    figures = moderation_overview_get()
    return render(
        request,
        "moderation/overview.html",
        {
            "overview": figures,
            "charts": [flags_per_day_chart(figures.days), share_within_limit_chart(figures.windows)],
        },
    )
