import copy
import zoneinfo

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import time_zone_choices
from groups.models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH, ContentWarning, Membership, SessionSeries, SupportGroup
from groups.services import INVITATION_LIFETIMES
from groups.services.sessions import MAX_CAPACITY, MAX_DURATION_MINUTES, MAX_OCCURRENCES, MIN_DURATION_MINUTES
from groups.session_models import DEFAULT_CAPACITY
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


# Addresses under /groups/ that are pages of their own, not groups: a group with one of these
# slugs could never be opened.
RESERVED_SLUGS = frozenset({"mine", "new", "preferences", "invite", "calendar", "check-ins"})


class GroupForm(forms.ModelForm):
    class Meta:
        model = SupportGroup
        fields = ["name", "slug", "description", "house_rules", "focus", "visibility", "join_policy", "size_cap"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5}), "house_rules": forms.Textarea(attrs={"rows": 5})}

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("This address is taken by a page of the site. Please choose another."))
        return slug


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


# ----------------------------------------------------------------------------- sessions


class _FacilitatorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user) -> str:
        # Display names only: e-mail addresses are never shown to peers.
        return user.display_name


class SessionForm(forms.Form):
    """One session; the start is read in the viewer's own time zone (accounts.middleware)."""

    title = forms.CharField(label=_("Title"), max_length=140)
    agenda = forms.CharField(
        label=_("Agenda"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Markdown. Shown to the group's members on the session page, never in calendars or e-mails."),
    )
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=MIN_DURATION_MINUTES, max_value=MAX_DURATION_MINUTES, initial=60
    )
    capacity = forms.IntegerField(
        label=_("Places"), min_value=1, max_value=MAX_CAPACITY, initial=DEFAULT_CAPACITY,
        help_text=_("Small groups work best. When the places are taken, members join a waiting list."),
    )
    facilitators = _FacilitatorChoiceField(
        label=_("Facilitators"), queryset=get_user_model().objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, group: SupportGroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitators"].queryset = (
            get_user_model()
            .objects.filter(
                memberships__group=group, memberships__status=Membership.Status.ACTIVE,
                memberships__role=Membership.Role.FACILITATOR,
            )
            .select_related("profile")
            .order_by("profile__display_name")
        )
        time_zone = timezone.get_current_timezone_name()
        self.fields["starts_at"].help_text = _("In your time zone (%(zone)s).") % {"zone": time_zone}


class SeriesForm(SessionForm):
    """A recurring session. The start is read in the series' time zone, whose wall clock it keeps."""

    frequency = forms.ChoiceField(label=_("Repeats"), choices=SessionSeries.Frequency.choices)
    occurrences = forms.IntegerField(label=_("Number of sessions"), min_value=1, max_value=MAX_OCCURRENCES, initial=8)
    time_zone = forms.ChoiceField(
        label=_("Time zone of the series"), choices=time_zone_choices,
        help_text=_("The sessions keep their local time in this zone, also when the clocks change."),
    )

    field_order = ["title", "agenda", "starts_at", "time_zone", "frequency", "occurrences", "duration_minutes", "capacity", "facilitators"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].label = _("First session starts")
        self.fields["starts_at"].help_text = _("In the series' time zone, chosen below.")
        self.fields["time_zone"].initial = timezone.get_current_timezone_name()

    def clean(self) -> dict:
        cleaned = super().clean()
        starts_at, time_zone = cleaned.get("starts_at"), cleaned.get("time_zone")
        if starts_at is not None and time_zone:
            # The field read the wall-clock time in the viewer's zone; it belongs to the series' zone.
            wall = timezone.make_naive(starts_at)
            cleaned["starts_at"] = wall.replace(tzinfo=zoneinfo.ZoneInfo(time_zone))
        return cleaned


# ----------------------------------------------------------------------------- library


class LibraryAttachForm(forms.Form):
    entry = forms.ModelChoiceField(
        label=_("Library entry"),
        queryset=None,
        to_field_name="slug",
        empty_label=_("Choose an entry"),
        error_messages={
            "required": _("Choose an entry to attach."),
            "invalid_choice": _("That entry is not in the library (any more). Choose one from the list."),
        },
    )

    def __init__(self, *args, **kwargs):
        from resources.selectors import entry_list_for_choice

        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = entry_list_for_choice()
        self.fields["entry"].label_from_instance = lambda entry: f"{entry.get_topic_display()}: {entry.title}"
