"""Every time is shown in the viewer's own time zone."""
import pytest
from django.core.cache import cache
from django.urls import reverse

from platform_site.health import WORKER_HEARTBEAT_CACHE_KEY


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("time_zone", "shown"),
    [("Asia/Tokyo", "2026-01-01T09:00:00+09:00"), ("America/Chicago", "2025-12-31T18:00:00-06:00"), ("UTC", "2026-01-01T00:00:00+00:00")],
)
def test_times_are_shown_in_the_viewers_time_zone(moderator, client_for, time_zone, shown):
    moderator.profile.time_zone = time_zone
    moderator.profile.save(update_fields=["time_zone"])
    cache.set(WORKER_HEARTBEAT_CACHE_KEY, "2026-01-01T00:00:00+00:00")
    html = client_for(moderator).get(reverse("moderation:dashboard")).content.decode()
    assert f'<time datetime="{shown}">' in html
