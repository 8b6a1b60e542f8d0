"""Our users and their profiles.

The account itself (e-mail, password, MFA) belongs to django-allauth; the profile holds what peers
may see. Real names are not collected at all, and e-mail addresses are never shown to peers:
members appear everywhere by their pseudonymous display name.
"""
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.managers import UserManager


class User(AbstractUser):
    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail address"), unique=True)
    is_moderator = models.BooleanField(
        _("moderator"),
        default=False,
        help_text=_("Staff who work the moderation queue and crisis cases."),
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    def __str__(self) -> str:
        # Never the e-mail address: this string can end up in templates and logs.
        return f"user #{self.pk}"

    @property
    def display_name(self) -> str:
        profile = getattr(self, "profile", None)
        return profile.display_name if profile else _("a member without a name yet")


def user_display(user) -> str:
    """How allauth names a member in its pages and e-mails (ACCOUNT_USER_DISPLAY)."""
    return str(user.display_name)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Choose a time zone from the list."), code="invalid_time_zone")


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(_("display name"), max_length=30)
    # Case-, width- and separator-folded form of the display name; unique, so that "Sam Lee",
    # "sam_lee" and "ＳＡＭ ＬＥＥ" cannot be three different people.
    display_name_key = models.CharField(max_length=60, unique=True, editable=False)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_time_zone])
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    guidelines_accepted_at = models.DateTimeField(_("community guidelines accepted at"), null=True, blank=True)
    email_digest = models.BooleanField(
        _("e-mail me a daily digest of new replies"),
        default=False,
        help_text=_("The e-mail says only that there is something new, never what anyone wrote."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.display_name


class Notification(models.Model):
    """An in-app notification. `message` is shown on the site; `email_message` is what may leave it.

    For private groups `email_message` never names the topic or quotes a post: e-mail can be read
    by others, and being in a group about numbness is itself private.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    verb = models.CharField(max_length=40)
    message = models.CharField(max_length=300)
    email_message = models.CharField(max_length=300)
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"notification #{self.pk} ({self.verb})"


SAFETY_PLAN_FIELD_MAX_LENGTH = 2000


def _safety_plan_text(verbose_name: str) -> models.TextField:
    # TextField's max_length only reaches the form widget, so the limit is also a validator
    # that full_clean() enforces.
    return models.TextField(
        verbose_name,
        max_length=SAFETY_PLAN_FIELD_MAX_LENGTH,
        blank=True,
        validators=[MaxLengthValidator(SAFETY_PLAN_FIELD_MAX_LENGTH)],
    )


class SafetyPlan(models.Model):
    """A member's own safety plan, in their own words: for the hard moments, written in calmer ones.

    Private to the member. Moderators may read it only while `shared_with_moderators` is on (see
    accounts.safety_plan.safety_plan_for_moderator); it is not in the Django admin either.
    """

    # The sections, in the order a member works through them when things get hard.
    TEXT_FIELDS = (
        "warning_signs",
        "coping_strategies",
        "distractions",
        "people_to_ask",
        "professionals",
        "safer_surroundings",
        "reasons_for_living",
    )

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="safety_plan")
    warning_signs = _safety_plan_text(_("warning signs"))
    coping_strategies = _safety_plan_text(_("things I can do on my own to cope"))
    distractions = _safety_plan_text(_("people and places that help distract me"))
    people_to_ask = _safety_plan_text(_("people I can ask for help"))
    professionals = _safety_plan_text(_("professionals and services I can contact"))
    safer_surroundings = _safety_plan_text(_("making my surroundings safer"))
    reasons_for_living = _safety_plan_text(_("my reasons for living, what matters to me"))
    shared_with_moderators = models.BooleanField(
        _("let Thaw moderators see my plan if they are worried about me"), default=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        # Never any of the plan's words: this string can end up in logs.
        return f"safety plan of user #{self.user_id}"
