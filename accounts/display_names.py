"""Rules for pseudonymous display names.

A display name is how peers know a member, so it must not give away who they are (no e-mail
address, phone number or web address) and must not impersonate someone else (no look-alike
letters from another alphabet, no invisible characters, no reserved role names). Uniqueness is
checked on a folded key, so case, full-width forms and separators do not make a new name.
"""
import re
import unicodedata

from confusable_homoglyphs import categories, confusables
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DISPLAY_NAME_MIN_LENGTH = 3
DISPLAY_NAME_MAX_LENGTH = 30
SEPARATORS = " -_.'"

# Role and system words a member could use to pass as staff.
RESERVED_KEYS = {
    "admin", "administrator", "moderator", "mod", "facilitator", "staff", "thaw", "thawteam",
    "system", "support", "aformermember", "formermember", "anonymous", "deleted", "root",
}

_EMAIL_RE = re.compile(r"@|\bat\b\s*\S+\s*\bdot\b\s*\w+", re.IGNORECASE)
_URL_RE = re.compile(
    r"://|\bwww\.|\bhttps?\b|\.(com|net|org|info|io|co|me|app|dev|xyz|uk|us|de|fr|ru|ca|au|tk|"
    r"gg|ly|to|tv|link|site|online|shop|biz)\b",
    re.IGNORECASE,
)
# Scripts that are written together in everyday names (Japanese, Korean).
_SCRIPTS_WRITTEN_TOGETHER = ({"HAN", "HIRAGANA", "KATAKANA"}, {"HAN", "HANGUL"})
_DIGIT_RE = re.compile(r"\d")
_SPACES_RE = re.compile(r"\s+")


def display_name_normalize(raw: str) -> str:
    """NFKC-normalise (full-width and compatibility forms become plain ones) and tidy spaces."""
    return _SPACES_RE.sub(" ", unicodedata.normalize("NFKC", raw or "")).strip()


def display_name_key(name: str) -> str:
    """The folded form used for uniqueness: case-, width- and separator-insensitive."""
    folded = unicodedata.normalize("NFKC", display_name_normalize(name).casefold())
    return "".join(ch for ch in folded if ch not in SEPARATORS)


def _has_disallowed_characters(name: str) -> bool:
    for ch in name:
        category = unicodedata.category(ch)
        if ch in SEPARATORS or category[0] in ("L", "N"):
            continue
        if category[0] == "M":  # combining accents are fine after a letter
            continue
        return True
    return False


def _mixes_look_alike_scripts(name: str) -> bool:
    scripts = categories.unique_aliases(name) - {"COMMON", "INHERITED"}
    if len(scripts) < 2 or any(scripts <= together for together in _SCRIPTS_WRITTEN_TOGETHER):
        return False
    return bool(confusables.is_dangerous(name))


def display_name_validate(name: str) -> str:
    """Return the normalised name, or raise ValidationError with a message that says why."""
    name = display_name_normalize(name)
    if _EMAIL_RE.search(name):
        raise ValidationError(
            _("This looks like an e-mail address. Choose a name that doesn't identify you."),
            code="looks_like_email",
        )
    if _URL_RE.search(name):
        raise ValidationError(
            _("This looks like a web address. Choose a name without links."),
            code="looks_like_url",
        )
    if len(_DIGIT_RE.findall(name)) >= 7:
        raise ValidationError(
            _("This looks like a phone number. Choose a name that doesn't identify you."),
            code="looks_like_phone",
        )
    if any(unicodedata.category(ch) in ("Cf", "Cc", "Co", "Cn") for ch in name):
        raise ValidationError(
            _("This name contains invisible or control characters. Please remove them."),
            code="invisible_characters",
        )
    if _has_disallowed_characters(name):
        raise ValidationError(
            _("Use letters, numbers, spaces and the characters - _ . ' only."),
            code="invalid_characters",
        )
    if len(name) < DISPLAY_NAME_MIN_LENGTH or len(name) > DISPLAY_NAME_MAX_LENGTH:
        raise ValidationError(
            _("A display name is %(min)d to %(max)d characters long."),
            code="length",
            params={"min": DISPLAY_NAME_MIN_LENGTH, "max": DISPLAY_NAME_MAX_LENGTH},
        )
    if not any(unicodedata.category(ch)[0] == "L" for ch in name):
        raise ValidationError(_("A display name needs at least one letter."), code="no_letters")
    if _mixes_look_alike_scripts(name):
        raise ValidationError(
            _("This name mixes look-alike letters from different alphabets. Please use one alphabet."),
            code="mixed_scripts",
        )
    if display_name_key(name) in RESERVED_KEYS:
        raise ValidationError(
            _("This name is kept for the Thaw team. Please choose another."),
            code="reserved",
        )
    return name
