"""Who may use every URL outside groups/ and moderation/ (those two have tables of their own:
tests/groups/url_table.py and tests/moderation/url_table.py). test_site_access.py checks each row
role by role, and fails for any URL in Django's resolver that none of the three tables declares.
"""
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.support.roles import (
    ANONYMOUS,
    FACILITATOR_A,
    FACILITATOR_B,
    LEFT_A,
    MEMBER_A,
    MEMBER_B,
    MODERATOR,
    MODERATOR_WITHOUT_MFA,
    REMOVED_A,
    SUSPENDED,
)
from tests.support.worlds.site import SiteWorld

OK = "ok"  # one of the row's own success answers
LOGIN = "login"  # 302 to the sign-in page
ELSEWHERE = "elsewhere"  # 302 somewhere other than the sign-in page
ADMIN_LOGIN = "admin_login"  # 302 to the admin's sign-in (which sends people on to ours)

SIGNED_IN = (MEMBER_A, MEMBER_B, REMOVED_A, LEFT_A, FACILITATOR_A, FACILITATOR_B, MODERATOR, MODERATOR_WITHOUT_MFA)

RULES = {
    # Anyone, signed in or not: the crisis page and the library above all.
    "public": {role: OK for role in (ANONYMOUS, SUSPENDED, *SIGNED_IN)},
    # Pages for people who are not signed in; someone signed in is sent on. A suspended member's
    # sessions ended with the suspension: to the site they are a visitor.
    "visitors": {ANONYMOUS: OK, SUSPENDED: OK} | {role: ELSEWHERE for role in SIGNED_IN},
    "signed_in": {ANONYMOUS: LOGIN, SUSPENDED: LOGIN} | {role: OK for role in SIGNED_IN},
    # Member A's own notification and private message: for anyone else they do not exist.
    "recipient_a": {ANONYMOUS: LOGIN, SUSPENDED: LOGIN, MEMBER_A: OK}
    | {role: 404 for role in SIGNED_IN if role != MEMBER_A},
    # Nobody in the world is staff: Django's admin stays shut to members and moderators alike.
    "staff": {role: ADMIN_LOGIN for role in (ANONYMOUS, SUSPENDED, *SIGNED_IN)},
}


def _none(world: SiteWorld) -> dict:
    return {}


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    access: str
    ok: frozenset = frozenset({200})
    kwargs: Callable[[SiteWorld], dict] = _none
    data: Callable[[SiteWorld], dict] = field(default=lambda world: {})

    @property
    def id(self) -> str:
        return f"{self.name}-{self.method.upper()}"

    def expected(self, role: str):
        return RULES[self.access][role]


def _case(name, method, access, ok=(200,), **extra) -> Case:
    return Case(name=name, method=method, access=access, ok=frozenset(ok), **extra)


def _notification(world: SiteWorld) -> dict:
    return {"notification_id": world.notification_a.pk}


def _care_message(world: SiteWorld) -> dict:
    return {"message_id": world.care_message_a.pk}


def _conversation(world: SiteWorld) -> dict:
    # Member A's check-in is in their conversation with the team.
    return {"conversation_id": world.care_message_a.conversation_id}


# 200 or a redirect onwards (allauth's own steps: reauthenticate, "already set up", and so on).
FLOW = (200, ELSEWHERE)

CASES = [
    _case("home", "get", "public"),
    _case("guidelines", "get", "public"),
    _case("healthz", "get", "public"),
    _case("resources:crisis", "get", "public"),
    _case("resources:library", "get", "public"),
    _case("resources:search", "get", "public"),
    _case("resources:coping_card", "get", "public"),
    _case("resources:entry", "get", "public", kwargs=lambda world: {"slug": world.entry.slug}),
    # allauth's pages.
    _case("account_login", "get", "visitors"),
    _case("account_signup", "get", "visitors"),
    _case("account_logout", "get", "public", ok=(200, ELSEWHERE)),
    _case("account_inactive", "get", "public"),
    _case("account_email_verification_sent", "get", "public"),
    _case("account_reset_password", "get", "public"),
    _case("account_reset_password_done", "get", "public"),
    _case("account_reset_password_from_key_done", "get", "public"),
    # A made-up key: the page says the link is not valid (200), for anyone.
    _case("account_confirm_email", "get", "public", kwargs=lambda world: {"key": "not-a-real-key"}),
    _case("account_reset_password_from_key", "get", "public", kwargs=lambda world: {"uidb36": "1", "key": "not-a-real-key"}),
    # Steps of a sign-in in progress: without one, back to the sign-in page.
    _case("account_confirm_login_code", "get", "public", ok=(ELSEWHERE, LOGIN)),
    _case("mfa_authenticate", "get", "public", ok=(ELSEWHERE, LOGIN)),
    _case("account_reauthenticate", "get", "signed_in"),
    _case("account_email", "get", "signed_in"),
    _case("account_change_password", "get", "signed_in", ok=FLOW),
    _case("account_set_password", "get", "signed_in", ok=FLOW),
    _case("mfa_index", "get", "signed_in"),
    _case("mfa_reauthenticate", "get", "signed_in", ok=FLOW),
    _case("mfa_activate_totp", "get", "signed_in", ok=FLOW),
    _case("mfa_deactivate_totp", "get", "signed_in", ok=FLOW + (404,)),  # 404: no app to turn off
    _case("mfa_view_recovery_codes", "get", "signed_in", ok=FLOW + (404,)),
    _case("mfa_generate_recovery_codes", "get", "signed_in", ok=FLOW + (404,)),
    _case("mfa_download_recovery_codes", "get", "signed_in", ok=FLOW + (404,)),
    # Our account pages.
    _case("accounts:profile", "get", "signed_in"),
    _case("accounts:profile_edit", "get", "signed_in"),
    _case("accounts:safety_plan", "get", "signed_in"),
    # The export asks for the password again first (reauthentication), for everyone.
    _case("accounts:data_export", "get", "signed_in", ok=(ELSEWHERE,)),
    _case("accounts:account_delete", "get", "signed_in"),
    _case("accounts:notifications", "get", "signed_in"),
    _case("accounts:notification_open", "post", "recipient_a", ok=(ELSEWHERE,), kwargs=_notification),
    # Private messages from the team.
    _case("care:message_list", "get", "signed_in"),
    _case("care:message_detail", "get", "recipient_a", kwargs=_care_message),
    # An empty request for a review: the form answers with what is missing.
    _case("care:review_request", "post", "recipient_a", ok=(400,), kwargs=_care_message),
    _case("care:conversation_detail", "get", "recipient_a", kwargs=_conversation),
    # An empty answer: the form says what is missing.
    _case("care:conversation_reply", "post", "recipient_a", ok=(400,), kwargs=_conversation),
    _case("care:talk", "post", "signed_in", ok=(200, ELSEWHERE)),
    _case("care:draft_check", "post", "signed_in", ok=(200, 400), data=lambda world: {"text": "A quiet day."}),
    # Django's admin (one row per kind of page; every model's pages are built the same way).
    _case("admin:index", "get", "staff"),
    _case("admin:app_list", "get", "staff", kwargs=lambda world: {"app_label": "moderation"}),
    _case("admin:accounts_user_changelist", "get", "staff"),
    _case("admin:accounts_user_change", "get", "staff", kwargs=lambda world: {"object_id": world.users[MEMBER_A].pk}),
    _case("admin:moderation_auditentry_changelist", "get", "staff"),
]

# Admin URLs are generated per model and all answer as the rows above (a sample of every kind of
# page is tested); the meta-test accepts them by prefix rather than one row each.
ADMIN_PREFIX = "admin:"
