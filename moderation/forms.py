from django import forms
from django.utils.translation import gettext_lazy as _

from moderation.models import AuditEntry, CaseEvent, Flag, Sanction, WatchedPhrase
from moderation.services.care import MESSAGE_MAX_CHARS
from moderation.services.queue import BULK_DISMISS_MAX


class CaseNoteForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is this?"),
        choices=[(CaseEvent.Kind.CONTACT, _("Contact made")), (CaseEvent.Kind.NOTE, _("Note"))],
    )
    note = forms.CharField(label=_("What happened"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class FollowUpForm(forms.Form):
    due_at = forms.DateTimeField(
        label=_("Send a check-in at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("In your time zone."),
    )


class CheckInForm(forms.Form):
    note = forms.CharField(
        label=_("A personal line (optional)"), max_length=1500, required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Added to the kind check-in message, which always carries the crisis lines."),
    )

    def __init__(self, *args, **kwargs):
        # On the case page beside CaseNoteForm, whose field is also "note": ids of their own, so
        # each label names its own box.
        kwargs.setdefault("auto_id", "id_check_in_%s")
        super().__init__(*args, **kwargs)


# ----------------------------------------------------------------------------- conversations with the team
MESSAGE_TOO_LONG = _(
    "A message is at most %(limit_value)d characters (this one has %(show_value)d). Nothing was sent: "
    "shorten it or send it in two parts."
)


def _message_field(*, label: str, required: bool, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=MESSAGE_MAX_CHARS, help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 4}), error_messages={"max_length": MESSAGE_TOO_LONG},
    )


class MemberMessageForm(forms.Form):
    """What a member writes back to the team, in their conversation."""

    body = _message_field(label=_("Your message"), required=True)


class TalkForm(forms.Form):
    """"Talk to a moderator now": the words are optional; asking is enough."""

    body = _message_field(
        label=_("What would you like to say? (optional)"), required=False,
        help_text=_("Only the Thaw team reads this. You can also just ask, and write later."),
    )


class AnswerForm(forms.Form):
    """A moderator answers the member, from the case page."""

    body = _message_field(
        label=_("Your answer (the member reads this, privately)"), required=True,
        help_text=_("Shown to the member as from the Thaw team, with the crisis lines beside it."),
    )

    def __init__(self, *args, **kwargs):
        # On the case page beside the other forms: ids of its own.
        kwargs.setdefault("auto_id", "id_answer_%s")
        super().__init__(*args, **kwargs)


class CaseCloseForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


# ----------------------------------------------------------------------------- the queue and its tools
REASON_WIDGET = forms.Textarea(attrs={"rows": 2})


class QueueFilterForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Level"), required=False,
        choices=[("", _("All")), ("crisis", _("Crisis")), ("concern", _("Concern")), ("report", _("Raised by people"))],
    )
    source = forms.ChoiceField(label=_("Source"), required=False, choices=[("", _("All")), *Flag.Source.choices])
    group = forms.TypedChoiceField(label=_("Group"), required=False, coerce=int, empty_value=None, choices=[])
    state = forms.ChoiceField(
        label=_("State"), required=False,
        choices=[("open", _("Open")), ("unclaimed", _("Open, unclaimed")), ("claimed", _("Open, claimed")),
                 ("decided", _("Decided")), ("all", _("All"))],
    )
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)

    def __init__(self, *args, group_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("All groups")), *group_choices]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=REASON_WIDGET)


class FlagIdsField(forms.Field):
    """The queue items ticked on the queue page: whole numbers, each once."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Tick the items to dismiss in the queue first."),
        "invalid": _("Those are not queue items."),
        "too_many": _("At most %(max)d items at once."),
    }

    def __init__(self, *, max_count: int, **kwargs):
        self.max_count = max_count
        super().__init__(**kwargs)

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        if not isinstance(value, (list, tuple)):
            value = [value]
        values = [str(item).strip() for item in value]
        if any(not item.isdigit() or len(item) > 18 for item in values):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return sorted({int(item) for item in values})

    def validate(self, value) -> None:
        super().validate(value)
        if len(value) > self.max_count:
            raise forms.ValidationError(self.error_messages["too_many"], code="too_many", params={"max": self.max_count})


class BulkDismissForm(forms.Form):
    """Open concern items dismissed together, with one reason (the queue's checkboxes)."""

    flag_ids = FlagIdsField(max_count=BULK_DISMISS_MAX)
    reason = forms.CharField(
        label=_("Why they need nothing from us (one reason for all of them)"), max_length=2000, widget=REASON_WIDGET,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_bulk_%s")
        super().__init__(*args, **kwargs)

    def selected_ids(self) -> set[int]:
        """The items ticked when the form was sent, to tick them again on a refusal."""
        if not self.is_bound:
            return set()
        return {int(item) for item in self.data.getlist("flag_ids") if item.isdigit() and len(item) <= 18}


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("Note (optional)"), max_length=2000, required=False, widget=REASON_WIDGET)


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (the author reads this, privately)"), max_length=2000, widget=REASON_WIDGET,
        help_text=_("The message also carries the crisis lines and how to ask for a review."),
    )


class ReassignForm(forms.Form):
    to = forms.TypedChoiceField(label=_("Hand to"), coerce=int, choices=[])
    reason = forms.CharField(label=_("Note (optional)"), max_length=2000, required=False, widget=REASON_WIDGET)

    def __init__(self, *args, moderators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(m.pk, m.display_name) for m in moderators]


class WarnForm(forms.Form):
    reason = forms.CharField(
        label=_("The warning (the member reads this, privately)"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Sanction"),
        choices=[(Sanction.Kind.MUTE, _("Mute")), (Sanction.Kind.REVIEW, _("Posts under review")),
                 (Sanction.Kind.SUSPENSION, _("Suspend the account"))],
    )
    group = forms.TypedChoiceField(
        label=_("Where"), required=False, coerce=int, empty_value=None, choices=[],
        help_text=_("Mute and review: one group, or everywhere. A suspension is always everywhere."),
    )
    days = forms.IntegerField(
        label=_("For how many days"), min_value=1, max_value=365, required=False,
        help_text=_("Empty: until a moderator lifts it."),
    )
    reason = forms.CharField(
        label=_("Why (the member reads this, privately)"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, group_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("Everywhere")), *group_choices]


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Private note (moderators only)"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class WatchedPhraseForm(forms.Form):
    phrase = forms.CharField(label=_("Phrase"), max_length=200)
    action = forms.ChoiceField(
        label=_("When it is used"), choices=WatchedPhrase.Action.choices,
        help_text=_("“Treat as a crisis” is for words that mean someone may not be safe: the post still appears, "
                    "the writer sees the crisis lines (988, 911) at once, and the moderators on duty are alerted."),
    )
    message = forms.CharField(
        label=_("Message to the writer (for block)"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", _("All")), *AuditEntry.Action.choices])
    actor = forms.TypedChoiceField(label=_("Moderator"), required=False, coerce=int, empty_value=None, choices=[])
    member = forms.IntegerField(label=_("Member id"), required=False, min_value=1)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, moderators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].choices = [("", _("Anyone")), *[(m.pk, m.display_name) for m in moderators]]


class ReviewAnswerForm(forms.Form):
    decision = forms.ChoiceField(choices=[("keep", _("Keep the decision")), ("reverse", _("Reverse it"))])
    answer = forms.CharField(label=_("Answer (the member reads this)"), max_length=2000, widget=REASON_WIDGET)


class ReviewRequestForm(forms.Form):
    note = forms.CharField(
        label=_("Anything you want the moderators to know (optional)"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
