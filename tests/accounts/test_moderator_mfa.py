"""Moderator tools need two-factor authentication, used in the current session."""
import pytest
from allauth.mfa.models import Authenticator
from channels.db import database_sync_to_async
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from moderation.models import ModeratorDuty
from platform_site.consumers import CLOSE_FORBIDDEN
from tests.accounts.helpers import login_post
from tests.factories import DEFAULT_PASSWORD, UserFactory, sign_in, totp_activate, totp_code
from tests.support.sockets import open_socket

DASHBOARD = reverse("moderation:dashboard")
OVERVIEW = reverse("moderation:overview")
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def moderator_with_known_secret(db):
    user = UserFactory(is_moderator=True, totp=False)
    totp_activate(user, SECRET)
    return user


@pytest.mark.parametrize("url", [DASHBOARD, OVERVIEW])
def test_moderator_without_an_app_is_sent_to_set_one_up_with_a_message(url, moderator_without_mfa):
    client = sign_in(Client(), moderator_without_mfa)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    assert any("Moderator tools need two-factor authentication" in text for text in _messages(response))


def test_moderator_without_an_app_cannot_act_either(moderator_without_mfa):
    client = sign_in(Client(), moderator_without_mfa)

    response = client.post(reverse("moderation:duty_set"), {"on_duty": "1"})

    assert response["Location"] == reverse("mfa_activate_totp")
    assert not ModeratorDuty.objects.filter(moderator=moderator_without_mfa, on_duty=True).exists()


# allauth announces the new app after commit: a transactional test, so commit happens as in production.
@pytest.mark.django_db(transaction=True)
def test_moderator_sets_up_the_app_and_goes_straight_back_to_work(client, moderator_without_mfa):
    login_post(client, moderator_without_mfa.email, DEFAULT_PASSWORD)
    # allauth asks for the password again before any security setting; the message waits there.
    reauthenticate = client.get(client.get(DASHBOARD)["Location"], follow=True)
    assert "Moderator tools need two-factor authentication" in reauthenticate.content.decode()
    setup = client.post(reauthenticate.redirect_chain[-1][0], {"password": DEFAULT_PASSWORD}, follow=True)
    assert setup.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    secret = setup.context["form"].secret

    client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

    assert Authenticator.objects.filter(user=moderator_without_mfa, type=Authenticator.Type.TOTP).exists()
    # Typing a code from the app to activate it counts as using it in this session.
    assert client.get(DASHBOARD).status_code == 200


def test_password_only_session_must_give_a_code_first(moderator_with_known_secret):
    # For example: signed in here before the app was added in another browser.
    client = sign_in(Client(), moderator_with_known_secret, with_mfa=False)

    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('mfa_reauthenticate')}?{urlencode({'next': DASHBOARD})}"
    assert any("enter a code from your authenticator app" in text for text in _messages(response))

    wrong = client.post(response["Location"], {"code": "000000" if totp_code(SECRET) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert client.get(DASHBOARD).status_code == 302

    right = client.post(response["Location"], {"code": totp_code(SECRET)})
    assert right["Location"] == DASHBOARD
    assert client.get(DASHBOARD).status_code == 200


def test_a_post_held_for_the_code_is_carried_out_after_it(moderator_with_known_secret):
    client = sign_in(Client(), moderator_with_known_secret, with_mfa=False)
    duty_url = reverse("moderation:duty_set")

    held = client.post(duty_url, {"on_duty": "1"})
    assert not ModeratorDuty.objects.filter(moderator=moderator_with_known_secret, on_duty=True).exists()

    client.post(held["Location"], {"code": totp_code(SECRET)})

    assert ModeratorDuty.objects.get(moderator=moderator_with_known_secret).on_duty


def test_two_step_sign_in_opens_moderator_tools(client, moderator_with_known_secret):
    assert login_post(client, moderator_with_known_secret.email, DEFAULT_PASSWORD)["Location"] == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": totp_code(SECRET)})

    assert client.get(DASHBOARD).status_code == 200
    assert client.get(OVERVIEW).status_code == 200


def test_a_code_given_by_someone_else_in_another_session_does_not_count(moderator, other_member):
    # allauth ties the record of what was used to the user id.
    client = sign_in(Client(), other_member)
    sign_in(client, moderator, with_mfa=False)

    assert client.get(DASHBOARD).status_code == 302


@pytest.mark.parametrize("url", [DASHBOARD, OVERVIEW])
def test_members_get_403_even_with_an_app(url, member):
    totp_activate(member)
    assert sign_in(Client(), member).get(url).status_code == 403


def _reauthenticated(client: Client) -> Client:
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    return client


def test_moderators_cannot_turn_their_app_off(moderator_client, moderator):
    response = _reauthenticated(moderator_client).post(reverse("mfa_deactivate_totp"))

    assert "Moderators keep two-factor authentication on" in response.content.decode()
    assert Authenticator.objects.filter(user=moderator, type=Authenticator.Type.TOTP).exists()


def test_members_can_turn_their_app_off(client, member):
    totp_activate(member)
    _reauthenticated(sign_in(client, member)).post(reverse("mfa_deactivate_totp"))

    assert not Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).exists()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("has_app", [False, True], ids=["no-app", "password-only-session"])
async def test_moderation_socket_is_refused_without_two_factor_in_the_session(has_app):
    moderator = await database_sync_to_async(UserFactory)(is_moderator=True, totp=has_app)
    socket = await open_socket("/ws/moderation/", user=moderator, with_mfa=False)

    await socket.connect()

    frame = await socket.receive_json_from()
    assert frame["code"] == "mfa_required"
    assert "two-factor" in frame["detail"]
    assert (await socket.receive_output())["code"] == CLOSE_FORBIDDEN


# ----------------------------------------------------------------------------- powers outside the tools


@pytest.fixture
def private_group_topic(db):
    from tests.groups.factories import SupportGroupFactory, TopicFactory

    return TopicFactory(group=SupportGroupFactory(private=True), title="Only for this circle")


def _topic_url(topic) -> str:
    return reverse("groups:topic", kwargs={"slug": topic.group.slug, "topic_id": topic.pk})


def test_a_moderator_reads_any_groups_forum_only_with_two_factor_in_the_session(moderator_with_known_secret, private_group_topic):
    password_only = sign_in(Client(), moderator_with_known_secret, with_mfa=False)
    with_code = sign_in(Client(), moderator_with_known_secret)

    # Without the code they are just a member, and a private group they are not in does not exist.
    hidden = password_only.get(_topic_url(private_group_topic))
    assert hidden.status_code == 404
    assert "Only for this circle" not in hidden.content.decode()
    assert with_code.get(_topic_url(private_group_topic)).status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_moderator_enters_any_room_only_with_two_factor_in_the_session():
    from datetime import timedelta

    from django.utils import timezone

    from tests.groups.factories import GroupSessionFactory, SupportGroupFactory

    @database_sync_to_async
    def make():
        session = GroupSessionFactory(group=SupportGroupFactory(private=True), starts_at=timezone.now() + timedelta(minutes=5))
        moderator = UserFactory(is_moderator=True, totp=False)
        totp_activate(moderator, SECRET)
        return session, moderator

    session, moderator = await make()
    answers = {}
    for with_mfa in (False, True):
        socket = await open_socket(f"/ws/sessions/{session.pk}/", user=moderator, with_mfa=with_mfa)
        assert (await socket.connect())[0]
        answers[with_mfa] = (await socket.receive_json_from())["type"]
        await socket.disconnect()
    assert answers == {False: "error", True: "welcome"}
