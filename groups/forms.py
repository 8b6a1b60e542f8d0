import copy

from django import forms
from django.utils.translation import gettext_lazy as _

from groups.models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH, ContentWarning, SupportGroup
from groups.services import INVITATION_LIFETIMES
from moderation.models import Report

CONTENT_WARNING_CHOICES = [("", _("No content warning"))] + list(ContentWarning.choices)


def _body_field(label) -> forms.CharField:
    # Checked here, before the posting rate is counted, so trimming an overlong post costs nothing.
    return forms.CharField(
        label=label,
        max_length=BODY_MAX_LENGTH,
        error_messages={
            "max_length": _("Posts are at most %(limit_value)d characters; this one has %(show_value)d."),
            "required": _("Please write something before posting."),
        },
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": BODY_MAX_LENGTH, "data-risk-check": ""}),
        help_text=_("Markdown: *italic*, **bold**, [links](https://…), lists. At most %(max)d characters.")
        % {"max": BODY_MAX_LENGTH},
    )


def _content_warning_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Content warning"),
        choices=CONTENT_WARNING_CHOICES,
        required=False,
        help_text=_("If you write about self-harm, suicide, trauma or medication, readers can choose when to open it."),
    )


class GroupForm(forms.ModelForm):
    class Meta:
        model = SupportGroup
        fields = ["name", "slug", "description", "house_rules", "focus", "visibility", "join_policy", "size_cap"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5}), "house_rules": forms.Textarea(attrs={"rows": 5})}


class TopicForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_LENGTH,
        error_messages={
            "max_length": _("Titles are at most %(limit_value)d characters; this one has %(show_value)d."),
            "required": _("Please give your topic a title."),
        },
    )
    body = _body_field(_("What would you like to share?"))
    content_warning = _content_warning_field()


class ReplyForm(forms.Form):
    body = _body_field(_("Your reply"))
    content_warning = _content_warning_field()


class PostEditForm(forms.Form):
    body = _body_field(_("Your post"))
    content_warning = _content_warning_field()

    def __init__(self, *args, with_title: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if with_title:
            self.fields["title"] = copy.deepcopy(TopicForm.base_fields["title"])
            self.order_fields(["title", "body", "content_warning"])


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why are you reporting this?"), choices=Report.Reason.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Anything the moderators should know? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InvitationForm(forms.Form):
    lifetime = forms.ChoiceField(
        label=_("The link works for"),
        choices=[("1", _("1 day")), ("7", _("7 days")), ("30", _("30 days"))],
        initial="7",
    )

    @property
    def lifetime_delta(self):
        return INVITATION_LIFETIMES[self.cleaned_data["lifetime"]]


class ReaderPreferenceForm(forms.Form):
    unfolded_warnings = forms.MultipleChoiceField(
        label=_("Show these posts open, without folding them"),
        choices=ContentWarning.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every other content warning stays folded until you open it."),
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search this group's forum"), max_length=200, required=False)
