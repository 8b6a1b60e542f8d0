import copy
import zoneinfo
from functools import cache

from allauth.account.adapter import get_adapter
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.display_names import DISPLAY_NAME_MAX_LENGTH, DISPLAY_NAME_MIN_LENGTH
from accounts.models import SAFETY_PLAN_FIELD_MAX_LENGTH, Profile, SafetyPlan
from accounts.services import display_name_clean, profile_create


@cache
@cache
def time_zone_choices() -> tuple[tuple[str, str], ...]:
    # Read once per process: the list of zones walks the tz database's files on every call.
    names = sorted(zone for zone in zoneinfo.available_timezones() if "/" in zone or zone == "UTC")
    return tuple((name, name.replace("_", " ")) for name in names)


class DisplayNameField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Display name"))
        kwargs.setdefault(
            "help_text",
            _(
                "How other members will know you: %(min)d to %(max)d characters. Not your real "
                "name, e-mail or phone number."
            )
            % {"min": DISPLAY_NAME_MIN_LENGTH, "max": DISPLAY_NAME_MAX_LENGTH},
        )
        # Longer raw input is allowed through so that the length message comes from our rules,
        # after normalisation (full-width letters count once).
        kwargs.setdefault("max_length", DISPLAY_NAME_MAX_LENGTH * 4)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "nickname"}))
        super().__init__(**kwargs)


class ProfileFieldsMixin:
    """Display name, time zone and pronouns, validated the same way at sign-up and on edit."""

    profile_being_edited: Profile | None = None

    def clean_display_name(self) -> str:
        name, _key = display_name_clean(display_name=self.cleaned_data["display_name"], profile=self.profile_being_edited)
        return name


def _time_zone_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        initial="UTC",
        help_text=_("Session times are shown in this time zone."),
        widget=forms.Select(attrs={"data-detect-time-zone": "true"}),
    )


def _pronouns_field() -> forms.CharField:
    return forms.CharField(label=_("Pronouns (optional)"), max_length=40, required=False)


def _link_guidelines(field: forms.Field) -> None:
    # Built per form, not at import: reversing a URL while the URLconf loads is circular.
    field.label = format_html(
        _('I have read and accept the <a href="{}">community guidelines</a>.'), reverse("guidelines")
    )


class SignupProfileForm(ProfileFieldsMixin, forms.Form):
    """Added to allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    field_order = ["email", "password1", "password2", "display_name", "pronouns", "time_zone", "accept_guidelines"]

    display_name = DisplayNameField()
    time_zone = _time_zone_field()
    pronouns = _pronouns_field()
    accept_guidelines = forms.BooleanField(
        label=_("I have read and accept the community guidelines."),
        error_messages={"required": _("Please read and accept the community guidelines to join.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _link_guidelines(self.fields["accept_guidelines"])

    def signup(self, request, user) -> None:
        profile_create(
            user=user,
            display_name=self.cleaned_data["display_name"],
            time_zone=self.cleaned_data["time_zone"],
            pronouns=self.cleaned_data.get("pronouns", ""),
            guidelines_accepted=self.cleaned_data["accept_guidelines"],
        )


class ProfileForm(ProfileFieldsMixin, forms.Form):
    display_name = DisplayNameField()
    time_zone = _time_zone_field()
    pronouns = _pronouns_field()

    def __init__(self, *args, profile: Profile | None = None, **kwargs):
        self.profile_being_edited = profile
        if profile is not None:
            kwargs.setdefault(
                "initial",
                {"display_name": profile.display_name, "time_zone": profile.time_zone, "pronouns": profile.pronouns},
            )
        super().__init__(*args, **kwargs)
        if profile is None:
            # A member who joined before profiles (or through the admin) accepts the
            # guidelines when first choosing a name.
            self.fields["accept_guidelines"] = copy.deepcopy(SignupProfileForm.base_fields["accept_guidelines"])
            _link_guidelines(self.fields["accept_guidelines"])


class AccountDeleteForm(forms.Form):
    KEEP = "keep"
    REMOVE = "remove"
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    contributions = forms.ChoiceField(
        label=_("What should happen to what you wrote in groups?"),
        choices=[
            (REMOVE, _("Remove my posts and messages")),
            (KEEP, _('Keep them, shown as written by "a former member"')),
        ],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        # Through allauth, so that repeated wrong passwords meet the same rate limit as sign-in.
        if not get_adapter().reauthenticate(self.user, password):
            raise ValidationError(_("That password is not right. Nothing has been deleted."), code="wrong_password")
        return password

    @property
    def keep_contributions(self) -> bool:
        return self.cleaned_data["contributions"] == self.KEEP



class NotificationSettingsForm(forms.Form):
    email_digest = forms.BooleanField(
        # The one e-mail switch: it also covers session reminders, cancellations and freed places,
        # so the label says so (a member must know what they agree to receive).
        label=_("E-mail me a daily digest of new replies, and my session reminders and changes"),
        required=False,
        help_text=_(
            "The e-mail says only that there is something new, never what anyone wrote in a private group "
            "nor which private group or session it is about."
        ),
    )


class SafetyPlanSectionField(forms.CharField):
    """A free-text section of the safety plan, as long as the model allows and no longer."""

    def __init__(self, *, label, help_text, **kwargs):
        super().__init__(
            label=label,
            help_text=help_text,
            max_length=SAFETY_PLAN_FIELD_MAX_LENGTH,
            required=False,
            widget=forms.Textarea(attrs={"rows": 4}),
            error_messages={
                "max_length": _(
                    "Please keep this part to %(limit_value)d characters or fewer (it has %(show_value)d now). "
                    "Your words are still here for you to shorten."
                )
            },
            **kwargs,
        )

    def to_python(self, value):
        # Browsers send each line break as "\r\n" but count it as one character against the
        # textarea's maxlength; count it once here too, so a plan that fitted in the page fits.
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")


class SafetyPlanForm(forms.Form):
    warning_signs = SafetyPlanSectionField(
        label=_("My warning signs"),
        help_text=_(
            "Thoughts, feelings, situations or things you do that tell you a hard time may be coming: "
            "for example, not sleeping, pulling away from people, or feeling even more numb or far away than usual."
        ),
    )
    coping_strategies = SafetyPlanSectionField(
        label=_("Things I can do on my own to cope"),
        help_text=_(
            "Small things that help, even a little, without needing anyone else: a walk, music, a shower, "
            "a familiar film, something to do with your hands."
        ),
    )
    distractions = SafetyPlanSectionField(
        label=_("People and places that help take my mind off things"),
        help_text=_(
            "People to be around, or places to go, that help you think about something else for a while: "
            "a friend, a café, a park, a library."
        ),
    )
    people_to_ask = SafetyPlanSectionField(
        label=_("People I can ask for help"),
        help_text=_("People you could tell that you are struggling, and how to reach them."),
    )
    professionals = SafetyPlanSectionField(
        label=_("Professionals and services I can contact"),
        help_text=_(
            "Your therapist, doctor, or a service you trust, and how and when to reach them."
        ),
    )
    safer_surroundings = SafetyPlanSectionField(
        label=_("Making my surroundings safer"),
        help_text=_(
            "Steps that make where you are safer during a hard time, such as asking someone you trust "
            "to keep hold of things you could use to hurt yourself."
        ),
    )
    reasons_for_living = SafetyPlanSectionField(
        label=_("My reasons for living, and what matters to me"),
        help_text=_(
            "People, animals, plans, places, small things. If you feel very little right now, what you "
            "cared about before counts too. It is all right to leave this and come back to it."
        ),
    )
    shared_with_moderators = forms.BooleanField(
        label=_("Let Thaw moderators see my plan if they are worried about me"),
        required=False,
        help_text=_(
            "Off unless you switch it on. When it is on, a Thaw moderator who is worried about your "
            "safety can read this plan, to understand what helps you. Other members can never see it. "
            "You can switch it off at any time."
        ),
    )

    def __init__(self, *args, plan: SafetyPlan | None = None, **kwargs):
        if plan is not None:
            kwargs.setdefault("initial", {name: getattr(plan, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)

    @property
    def plan_sections(self) -> list[forms.BoundField]:
        return [self[name] for name in SafetyPlan.TEXT_FIELDS]
