"""Every URL of moderation/urls.py, how to call it, and who may use it.

test_access.py checks the table against the views, role by role. A URL added to moderation/urls.py
without a row here fails test_every_moderation_url_declares_its_access.
"""
from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from tests.groups.helpers import is_login_redirect
from tests.support.roles import (
    ANONYMOUS,
    FACILITATOR_ELSEWHERE,
    FACILITATOR_HERE,
    MEMBER,
    MODERATOR,
    MODERATOR_WITHOUT_MFA,
)
from tests.support.worlds.moderation import ModerationWorld

OK = "ok"  # the row's own success status
LOGIN = "login"  # 302 to the sign-in page
MFA = "mfa"  # 302 to set up or give the second factor

MFA_PAGES = (reverse("mfa_activate_totp"), reverse("mfa_reauthenticate"), reverse("account_reauthenticate"))


def answer_of(response):
    """A response in the table's words: LOGIN, MFA, or its status code."""
    if is_login_redirect(response):
        return LOGIN
    if response.status_code == 302 and response["Location"].startswith(MFA_PAGES):
        return MFA
    return response.status_code

RULES = {
    "moderator": {
        ANONYMOUS: LOGIN, MEMBER: 403, FACILITATOR_ELSEWHERE: 403, FACILITATOR_HERE: 403, MODERATOR_WITHOUT_MFA: MFA,
        MODERATOR: OK,
    },
    # The facilitators' own queue: any group's facilitator (scoped to their groups, tested apart).
    "facilitator": {
        ANONYMOUS: LOGIN, MEMBER: 403, FACILITATOR_ELSEWHERE: OK, FACILITATOR_HERE: OK, MODERATOR_WITHOUT_MFA: 403,
        MODERATOR: 403,
    },
    # A post in the (private) group: only its facilitators; for anyone else it does not exist.
    "facilitator_here": {
        ANONYMOUS: LOGIN, MEMBER: 404, FACILITATOR_ELSEWHERE: 404, FACILITATOR_HERE: OK, MODERATOR_WITHOUT_MFA: 404,
        MODERATOR: 404,
    },
}


def _none(world: ModerationWorld) -> dict:
    return {}


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    access: str
    ok: int
    kwargs: Callable[[ModerationWorld], dict] = _none
    data: Callable[[ModerationWorld], dict] = field(default=lambda world: {})
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.name}-{self.method.upper()}{'-' + self.label if self.label else ''}"

    def expected(self, role: str):
        outcome = RULES[self.access][role]
        return self.ok if outcome == OK else outcome


def _flag(world):
    return {"flag_id": world.flag.pk}


def _flag_action(action):
    return lambda world: {"flag_id": world.flag.pk, "action": action}


def _member(world):
    return {"user_id": world.author.pk}


CASES = [
    Case("dashboard", "get", "moderator", 200),
    Case("overview", "get", "moderator", 200),
    Case("duty_set", "post", "moderator", 302, data=lambda w: {"on_duty": "1"}),
    # The world's item is a report, which is decided on its own page: refused, the queue shown again (400).
    Case("flag_bulk_dismiss", "post", "moderator", 400, data=lambda w: {"flag_ids": [w.flag.pk], "reason": "Fine."},
         label="refused-report"),
    Case("flag_detail", "get", "moderator", 200, kwargs=_flag),
    Case("flag_claim", "post", "moderator", 302, kwargs=_flag),
    Case("flag_release", "post", "moderator", 302, kwargs=_flag),
    Case("flag_reassign", "post", "moderator", 302, kwargs=_flag, data=lambda w: {"to": w.users[MODERATOR].pk}),
    Case("flag_action", "post", "moderator", 302, kwargs=_flag_action("dismiss"), data=lambda w: {"reason": "Fine."},
         label="dismiss"),
    Case("flag_action", "post", "moderator", 302, kwargs=_flag_action("confirm"), label="confirm"),
    Case("flag_action", "post", "moderator", 302, kwargs=_flag_action("hide"), data=lambda w: {"reason": "Unkind."},
         label="hide"),
    Case("flag_action", "post", "moderator", 302, kwargs=_flag_action("case"), label="case"),
    Case("held_list", "get", "moderator", 200),
    Case("held_decide", "post", "moderator", 302, kwargs=lambda w: {"post_id": w.held_post.pk, "decision": "approve"},
         label="approve"),
    Case("held_decide", "post", "moderator", 302, kwargs=lambda w: {"post_id": w.held_post.pk, "decision": "reject"},
         data=lambda w: {"reason": "Not here."}, label="reject"),
    Case("member_detail", "get", "moderator", 200, kwargs=_member),
    Case("member_safety_plan", "get", "moderator", 200, kwargs=_member),
    Case("member_action", "post", "moderator", 302, kwargs=lambda w: {"user_id": w.author.pk, "action": "warn"},
         data=lambda w: {"reason": "Please be kind."}, label="warn"),
    Case("member_action", "post", "moderator", 302, kwargs=lambda w: {"user_id": w.author.pk, "action": "sanction"},
         data=lambda w: {"kind": "suspension", "days": "3", "reason": "A break."}, label="suspend"),
    Case("member_action", "post", "moderator", 302, kwargs=lambda w: {"user_id": w.author.pk, "action": "note"},
         data=lambda w: {"body": "Context for next time."}, label="note"),
    Case("sanction_lift", "post", "moderator", 302, kwargs=lambda w: {"sanction_id": w.sanction.pk},
         data=lambda w: {"reason": "Talked it through."}),
    Case("review_decide", "post", "moderator", 302, kwargs=lambda w: {"review_id": w.review.pk},
         data=lambda w: {"decision": "keep", "answer": "It stands."}),
    Case("phrase_list", "get", "moderator", 200),
    Case("phrase_list", "post", "moderator", 302, data=lambda w: {"phrase": "free money", "action": "flag", "is_active": "on"}),
    Case("phrase_edit", "post", "moderator", 302, kwargs=lambda w: {"phrase_id": w.phrase.pk},
         data=lambda w: {"phrase": "buy cheap pills", "action": "hold", "message": "", "is_active": "on"}),
    Case("audit_log", "get", "moderator", 200),
    Case("case_detail", "get", "moderator", 200, kwargs=lambda w: {"case_id": w.case.pk}),
    Case("case_action", "post", "moderator", 302, kwargs=lambda w: {"case_id": w.case.pk, "action": "acknowledge"}),
    Case("facilitator_queue", "get", "facilitator", 200),
    Case("facilitator_hide", "get", "facilitator_here", 200, kwargs=lambda w: {"post_id": w.post.pk}),
    Case("facilitator_hide", "post", "facilitator_here", 302, kwargs=lambda w: {"post_id": w.post.pk},
         data=lambda w: {"reason": "Unkind to another member."}),
]
