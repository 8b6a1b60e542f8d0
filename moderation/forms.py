from django import forms
from django.utils.translation import gettext_lazy as _

from moderation.models import CaseEvent


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


class CaseCloseForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
