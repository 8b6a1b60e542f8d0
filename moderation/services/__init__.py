"""Moderation's services, by sub-domain; the rest of the site imports them from here."""
from moderation.services.care import (
    MemberWrote,
    care_message_mark_read,
    care_message_send,
    case_answer_send,
    case_check_in_send,
    case_messages_read_by_team,
    conversation_read_by_member,
    follow_ups_send_due,
    member_asks_to_talk,
    member_writes_to_team,
    worried_report_care_open,
)
from moderation.services.cases import (
    case_acknowledge,
    case_close,
    case_member_left,
    case_note_add,
    crisis_alert_emails_send,
    crisis_case_open_or_join,
    follow_up_schedule,
    moderator_duty_set,
)
from moderation.services.audit import audit_record
from moderation.services.casework import (
    case_action_acknowledge,
    case_action_answer,
    case_action_check_in,
    case_action_close,
    case_action_follow_up,
    case_action_note,
)
from moderation.services.held import held_post_approve, held_post_reject, post_held_notify, post_screen
from moderation.services.members import (
    facilitator_post_hide,
    member_record_viewed,
    moderator_note_add,
    review_request_create,
    review_request_decide,
)
from moderation.services.phrases import content_screen, watched_phrase_save, watched_phrases_active
from moderation.services.queue import (
    ClaimConflict,
    content_hide,
    content_restore,
    flag_case_open,
    flag_claim,
    flag_confirm,
    flag_dismiss,
    flag_reassign,
    flag_release,
    open_crisis_count,
)
from moderation.services.reports import report_create
from moderation.services.sanctions import member_warn, sanction_create, sanction_lift
from moderation.services.risk import (
    content_risk_assessment_request,
    content_text_loader_register,
    crisis_panel_due,
    draft_risk_check,
    flag_raise,
    post_risk_assessment_request,
    post_risk_text,
    refused_post_assess,
    risk_assessment_complete,
    risk_assessment_enqueue,
    risk_pending_assess_inline,
    risk_pending_requeue,
    text_risk_level,
)
from moderation.services.risk_models import active_model, risk_model_train

__all__ = [
    "ClaimConflict", "MemberWrote", "audit_record", "case_action_acknowledge", "case_action_answer",
    "case_action_check_in", "case_action_close", "case_answer_send", "case_member_left", "case_messages_read_by_team",
    "conversation_read_by_member", "member_writes_to_team",
    "case_action_follow_up", "case_action_note", "content_hide", "content_restore", "content_screen",
    "facilitator_post_hide", "flag_case_open", "flag_claim", "flag_confirm", "flag_dismiss", "flag_reassign",
    "flag_release", "held_post_approve", "held_post_reject", "member_record_viewed", "member_warn",
    "moderator_note_add", "open_crisis_count", "post_held_notify", "post_screen", "review_request_create",
    "review_request_decide", "sanction_create", "sanction_lift", "watched_phrase_save", "watched_phrases_active",
    "active_model", "care_message_mark_read", "care_message_send", "case_acknowledge", "case_check_in_send",
    "case_close", "case_note_add", "content_risk_assessment_request", "content_text_loader_register",
    "crisis_alert_emails_send", "crisis_case_open_or_join", "crisis_panel_due", "draft_risk_check", "flag_raise",
    "follow_up_schedule", "follow_ups_send_due", "member_asks_to_talk", "moderator_duty_set",
    "post_risk_assessment_request", "post_risk_text", "refused_post_assess", "report_create", "risk_assessment_complete", "risk_assessment_enqueue",
    "risk_model_train", "risk_pending_assess_inline", "risk_pending_requeue", "text_risk_level", "worried_report_care_open",
]
