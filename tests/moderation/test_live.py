"""Live queue: changes reach every moderator's socket, the queue list reloads in place, and the
badge with the open crisis items is on every moderator page (and on no one else's)."""
import re

import pytest
from channels.db import database_sync_to_async
from django.urls import reverse

from moderation import services
from moderation.models import Flag, RiskLevel
from tests.factories import UserFactory
from tests.groups.factories import PostFactory
from tests.groups.helpers import client_for, text_of
from tests.moderation.factories import FlagFactory
from tests.support.sockets import open_socket

BADGE = re.compile(r'<span class="badge badge-crisis" data-open-crisis[^>]*>(\d+)</span>')


def _flag(level=RiskLevel.CRISIS) -> Flag:
    return FlagFactory(content=PostFactory(), level=level)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_claim_and_a_decision_reach_every_moderators_socket_with_the_crisis_count():
    first = await database_sync_to_async(UserFactory)(is_moderator=True)
    second = await database_sync_to_async(UserFactory)(is_moderator=True)
    flag = await database_sync_to_async(_flag)()
    watcher = await open_socket("/ws/moderation/", user=second)
    await watcher.connect()
    assert (await watcher.receive_json_from())["type"] == "system"

    await database_sync_to_async(services.flag_claim)(flag_id=flag.pk, moderator=first)
    claimed = await watcher.receive_json_from()
    assert claimed == {
        "type": "flag.changed", "flag_id": flag.pk, "change": "claimed", "status": "open", "claimed_by": first.pk,
        "open_crisis": 1,
    }

    await database_sync_to_async(services.flag_confirm)(flag_id=flag.pk, moderator=first)
    confirmed = await watcher.receive_json_from()
    assert (confirmed["change"], confirmed["status"], confirmed["open_crisis"]) == ("confirmed", "confirmed", 0)
    await watcher.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_new_report_arrives_as_a_new_item():
    moderator = await database_sync_to_async(UserFactory)(is_moderator=True)
    post = await database_sync_to_async(PostFactory)()
    reporter = await database_sync_to_async(UserFactory)()
    watcher = await open_socket("/ws/moderation/", user=moderator)
    await watcher.connect()
    await watcher.receive_json_from()

    report = await database_sync_to_async(services.report_create)(reporter=reporter, post=post, reason="spam")

    frames = [await watcher.receive_json_from() for _ in range(2)]
    raised = next(frame for frame in frames if frame["type"] == "flag.raised")
    assert raised["flag_id"] == report.flag_id and raised["level"] == "report"
    await watcher.disconnect()


@pytest.mark.django_db
def test_the_queue_fragment_is_the_list_alone_with_the_same_filters(moderator_client):
    crisis, concern = _flag(RiskLevel.CRISIS), _flag(RiskLevel.CONCERN)
    response = moderator_client.get(reverse("moderation:dashboard"), {"level": "crisis", "fragment": "queue"})
    html = text_of(response)
    assert response.status_code == 200 and html.startswith('<div id="queue-list"')
    assert f'id="flag-{crisis.pk}"' in html and f'id="flag-{concern.pk}"' not in html
    page = text_of(moderator_client.get(reverse("moderation:dashboard"), {"level": "crisis"}))
    assert 'data-queue-fragment="/moderation/?level=crisis&amp;fragment=queue"' in page


@pytest.mark.django_db
def test_every_moderator_page_shows_the_open_crisis_badge_and_opens_the_feed(moderator_client, moderator):
    _flag(RiskLevel.CRISIS), _flag(RiskLevel.CRISIS), _flag(RiskLevel.CONCERN)
    for url in (reverse("moderation:dashboard"), reverse("moderation:audit_log"), reverse("groups:directory")):
        page = text_of(moderator_client.get(url))
        assert BADGE.search(page).group(1) == "2", url
        assert 'data-moderation-feed="/ws/moderation/"' in page


@pytest.mark.django_db
def test_members_and_facilitators_get_no_badge_and_no_feed(member):
    _flag(RiskLevel.CRISIS)
    page = text_of(client_for(member).get(reverse("groups:directory")))
    assert not BADGE.search(page) and "/ws/moderation/" not in page
