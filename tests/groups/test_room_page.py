"""The live room's page (the shell room.js fills) and a member's private check-in trend page."""
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.check_in_trend import check_in_chart_svg, check_in_trend_for_member
from groups.models import CheckIn, GroupSession, Membership
from moderation.models import Report
from tests.factories import UserFactory
from tests.groups.factories import GroupSessionFactory, MembershipFactory, SupportGroupFactory
from tests.groups.helpers import client_for, is_login_redirect, text_of


def _room_url(session: GroupSession) -> str:
    return reverse("groups:session_room", kwargs={"slug": session.group.slug, "session_id": session.pk})


@pytest.fixture
def open_session(group):
    """A session that started five minutes ago: its room is open."""
    return GroupSessionFactory(group=group, title="Tuesday evening", starts_at=timezone.now() - timedelta(minutes=5))


@pytest.fixture
def berlin_member(group):
    member = MembershipFactory(group=group).user
    member.profile.time_zone = "Europe/Berlin"
    member.profile.save(update_fields=["time_zone"])
    return member


def _main(html: str) -> str:
    return html[html.index('<main id="main"'):html.index("</main>")]


# ----------------------------------------------------------------------------- closed room


def test_closed_room_says_when_it_opens_in_the_viewers_time_zone_and_loads_no_client(group, berlin_member):
    starts = (timezone.now() + timedelta(days=2)).replace(hour=17, minute=0, second=0, microsecond=0)
    session = GroupSessionFactory(group=group, starts_at=starts)
    opens_in_berlin = (starts - timedelta(minutes=10)).astimezone(ZoneInfo("Europe/Berlin"))

    response = client_for(berlin_member).get(_room_url(session))

    html = text_of(response)
    assert response.status_code == 200
    assert f"The room opens at {opens_in_berlin:%H:%M}, 10 minutes before the session." in html
    assert "Europe/Berlin" in html
    assert "16:50" not in html  # the UTC time is never what a Berlin member reads
    assert "room.js" not in html and "data-socket-path" not in html and 'role="log"' not in html


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"status": GroupSession.Status.CANCELLED}, "This session was cancelled."),
        ({"status": GroupSession.Status.ENDED}, "This session is over."),
        ({"starts_at_offset": timedelta(hours=-3)}, "This session is over."),  # ended by the clock
    ],
)
def test_room_of_a_session_that_is_over_or_cancelled_says_so_without_a_client(group, member_client, change, says):
    offset = change.pop("starts_at_offset", timedelta(minutes=-5))
    session = GroupSessionFactory(group=group, starts_at=timezone.now() + offset, **change)

    html = text_of(member_client.get(_room_url(session)))

    assert says in html
    assert "room.js" not in html and "data-socket-path" not in html


# ----------------------------------------------------------------------------- open room


def test_open_room_renders_the_client_shell(group, group_member, member_client, open_session):
    response = member_client.get(_room_url(open_session))

    html = text_of(response)
    assert response.status_code == 200
    assert f'data-socket-path="/ws/sessions/{open_session.pk}/"' in html
    assert f'data-user-id="{group_member.pk}"' in html
    assert 'data-role="member"' in html
    assert re.search(r'<ol[^>]*role="log"[^>]*aria-live="polite"', html)
    assert 'id="room-presence"' in html and 'id="room-connection"' in html
    assert re.search(r'<textarea[^>]*id="room-body"[^>]*maxlength="2000"', html)
    assert ">Send</button>" in html
    assert "How much can you feel right now?" in html
    assert "How connected do you feel to others?" in html
    for word in CheckIn.FEELING_WORDS:
        assert f'name="words" value="{word}"' in html
    for reason in Report.Reason.values:
        assert f'name="reason" value="{reason}"' in html
    assert 'id="room-check-out-open"' in html
    assert open_session.get_absolute_url() in html  # the agenda
    assert 'id="room-texts" type="application/json"' in html


def test_room_page_loads_its_script_with_the_nonce_and_has_no_inline_script_or_style(member_client, open_session):
    response = member_client.get(_room_url(open_session))
    html = text_of(response)
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)

    scripts = re.findall(r"<script\b[^>]*>", html)
    executable = [tag for tag in scripts if 'type="application/json"' not in tag]
    assert any("/static/groups/room.js" in tag for tag in executable)
    assert all(f'nonce="{nonce}"' in tag and "src=" in tag for tag in executable)
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_members_see_no_facilitator_controls(member_client, open_session):
    html = text_of(member_client.get(_room_url(open_session)))

    assert "Facilitator controls" not in html
    assert 'data-command="lock"' not in html and 'data-command="end"' not in html
    assert 'id="room-summary"' not in html


@pytest.mark.parametrize("who", ["group_facilitator", "session_facilitator", "moderator"])
def test_facilitators_and_moderators_get_the_controls_and_the_summary(group, open_session, who, request):
    if who == "group_facilitator":
        user, role = request.getfixturevalue("group_facilitator"), "facilitator"
    elif who == "session_facilitator":
        user, role = MembershipFactory(group=group).user, "facilitator"
        open_session.facilitators.add(user)
    else:
        user, role = UserFactory(is_moderator=True), "moderator"

    html = text_of(client_for(user).get(_room_url(open_session)))

    assert f'data-role="{role}"' in html
    assert "Facilitator controls" in html
    for command in ("lock", "unlock", "round_start", "round_next", "extend", "end", "unpin"):
        assert f'data-command="{command}"' in html
    assert 'data-minutes="15"' in html
    assert 'id="room-slow-mode-seconds"' in html
    assert 'id="room-summary"' in html


def test_summary_shows_the_rooms_averages_without_names(group, open_session, facilitator_client):
    first, second = MembershipFactory(group=group).user, MembershipFactory(group=group).user
    CheckIn.objects.create(session=open_session, user=first, phase="in", feel=2, connected=3, words=["flat", "numb"])
    CheckIn.objects.create(session=open_session, user=second, phase="in", feel=5, connected=6, words=["flat"])

    html = text_of(facilitator_client.get(_room_url(open_session)))

    summary = html[html.index('id="room-summary"'):html.index("</section>", html.index('id="room-summary"'))]
    assert "2 answered · can feel 3.5 · connected 4.5" in summary
    assert "flat ×2" in summary and "numb ×1" in summary
    assert first.display_name not in summary and second.display_name not in summary


@pytest.mark.parametrize("room_open", [True, False], ids=["open", "closed"])
def test_room_page_links_to_crisis_help(group, member_client, room_open):
    starts = timezone.now() - timedelta(minutes=5) if room_open else timezone.now() + timedelta(days=1)
    session = GroupSessionFactory(group=group, starts_at=starts)

    main = _main(text_of(member_client.get(_room_url(session))))

    assert f'href="{reverse("resources:crisis")}">Need help now?</a>' in main
    assert 'href="tel:988"' in main and 'href="tel:911"' in main


def test_a_session_of_another_group_is_not_found_under_this_groups_address(group, member_client):
    other = GroupSessionFactory(group=SupportGroupFactory(), starts_at=timezone.now() - timedelta(minutes=5))

    response = member_client.get(reverse("groups:session_room", kwargs={"slug": group.slug, "session_id": other.pk}))

    assert response.status_code == 404


def test_private_groups_room_is_not_found_for_outsiders(db):
    private = SupportGroupFactory(private=True)
    session = GroupSessionFactory(group=private, starts_at=timezone.now() - timedelta(minutes=5))

    response = client_for(UserFactory()).get(_room_url(session))

    assert response.status_code == 404


def test_former_member_cannot_open_the_room(group, open_session):
    former = MembershipFactory(group=group, status=Membership.Status.LEFT).user

    assert client_for(former).get(_room_url(open_session)).status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in_for_the_room(client, open_session):
    assert is_login_redirect(client.get(_room_url(open_session)))


# ----------------------------------------------------------------------------- check-in trend


@pytest.fixture
def two_members_check_ins(group):
    me, someone = MembershipFactory(group=group).user, MembershipFactory(group=group).user
    earlier = GroupSessionFactory(group=group, title="First evening", starts_at=timezone.now() - timedelta(days=7))
    later = GroupSessionFactory(group=group, title="Second evening", starts_at=timezone.now() - timedelta(days=1))
    theirs = GroupSessionFactory(group=group, title="Someone else's evening", starts_at=timezone.now() - timedelta(days=3))
    CheckIn.objects.create(session=later, user=me, phase="in", feel=4, connected=5, words=["calm"])
    CheckIn.objects.create(session=earlier, user=me, phase="out", feel=3, connected=4, words=["numb", "tired"])
    CheckIn.objects.create(session=earlier, user=me, phase="in", feel=1, connected=2, words=["flat"])
    CheckIn.objects.create(session=theirs, user=someone, phase="in", feel=9, connected=9, words=["grateful"])
    CheckIn.objects.create(session=later, user=someone, phase="in", feel=8, connected=8, words=["warm"])
    return me, someone


def test_trend_lists_only_the_members_own_check_ins_in_order(two_members_check_ins):
    me, _someone = two_members_check_ins

    points = check_in_trend_for_member(user=me)

    assert [(p.session_title, p.phase, p.feel, p.connected) for p in points] == [
        ("First evening", "in", 1, 2), ("First evening", "out", 3, 4), ("Second evening", "in", 4, 5),
    ]


def test_trend_page_shows_the_members_own_points_as_an_svg_chart_and_a_table(two_members_check_ins):
    me, _someone = two_members_check_ins

    response = client_for(me).get(reverse("groups:check_in_trend"))

    html = text_of(response)
    assert response.status_code == 200
    assert '<svg class="trend-chart"' in html
    assert html.count("<polyline") == 2  # one line per scale
    assert html.count("<circle") == 6  # three check-ins, two scales
    assert "First evening" in html and "Second evening" in html and "numb, tired" in html
    assert "Someone else&#x27;s evening" not in html and "grateful" not in html and "warm" not in html


def test_trend_table_shows_times_in_the_viewers_time_zone(group):
    me = MembershipFactory(group=group).user
    me.profile.time_zone = "America/New_York"
    me.profile.save(update_fields=["time_zone"])
    session = GroupSessionFactory(group=group, starts_at=timezone.now() - timedelta(days=2))
    moment = timezone.now().replace(hour=23, minute=30, second=0, microsecond=0) - timedelta(days=2)
    CheckIn.objects.create(session=session, user=me, phase="in", feel=2, connected=2, created_at=moment)

    html = text_of(client_for(me).get(reverse("groups:check_in_trend")))

    assert f"{moment.astimezone(ZoneInfo('America/New_York')):%H:%M}" in html
    assert "America/New_York" in html


def test_trend_page_without_check_ins_explains_itself(member_client):
    html = text_of(member_client.get(reverse("groups:check_in_trend")))

    assert "No check-ins yet." in html and "<svg" not in html


def test_trend_page_needs_sign_in(client, db):
    assert is_login_redirect(client.get(reverse("groups:check_in_trend")))


def test_chart_escapes_session_titles(group):
    me = MembershipFactory(group=group).user
    session = GroupSessionFactory(group=group, title='<script>alert("x")</script>', starts_at=timezone.now())
    CheckIn.objects.create(session=session, user=me, phase="in", feel=0, connected=10)

    svg = str(check_in_chart_svg(check_in_trend_for_member(user=me)))

    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "style=" not in svg


def test_chart_draws_points_on_the_zero_to_ten_scale(group):
    me = MembershipFactory(group=group).user
    low = GroupSessionFactory(group=group, starts_at=timezone.now() - timedelta(days=2))
    high = GroupSessionFactory(group=group, starts_at=timezone.now() - timedelta(days=1))
    CheckIn.objects.create(session=low, user=me, phase="in", feel=0, connected=0)
    CheckIn.objects.create(session=high, user=me, phase="in", feel=10, connected=10)

    svg = str(check_in_chart_svg(check_in_trend_for_member(user=me)))

    feel_line = re.search(r'<polyline points="([^"]+)"', svg).group(1)
    (x0, y0), (x1, y1) = (tuple(map(float, pair.split(","))) for pair in feel_line.split())
    assert x0 < x1 and y0 > y1  # later to the right, higher values higher up
