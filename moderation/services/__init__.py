"""Moderation's services, by sub-domain; the rest of the site imports them from here."""
from moderation.services.care import (
    care_message_mark_read,
    care_message_send,
    case_check_in_send,
    follow_ups_send_due,
    member_asks_to_talk,
    worried_report_care_open,
)
from moderation.services.cases import (
    case_acknowledge,
    case_close,
    case_note_add,
    crisis_alert_emails_send,
    crisis_case_open_or_join,
    follow_up_schedule,
    moderator_duty_set,
)
from moderation.services.reports import report_create
from moderation.services.risk import (
    content_risk_assessment_request,
    content_text_loader_register,
    crisis_panel_due,
    draft_risk_check,
    flag_raise,
    post_risk_assessment_request,
    risk_assessment_complete,
    risk_assessment_enqueue,
    risk_pending_assess_inline,
    risk_pending_requeue,
)
from moderation.services.risk_models import active_model, risk_model_train

__all__ = [
    "active_model", "care_message_mark_read", "care_message_send", "case_acknowledge", "case_check_in_send",
    "case_close", "case_note_add", "content_risk_assessment_request", "content_text_loader_register",
    "crisis_alert_emails_send", "crisis_case_open_or_join", "crisis_panel_due", "draft_risk_check", "flag_raise",
    "follow_up_schedule", "follow_ups_send_due", "member_asks_to_talk", "moderator_duty_set",
    "post_risk_assessment_request", "report_create", "risk_assessment_complete", "risk_assessment_enqueue",
    "risk_model_train", "risk_pending_assess_inline", "risk_pending_requeue", "worried_report_care_open",
]
