"""Watched phrases: moderators' own list, read from the database by the rule layer (no deploy).

The list is cached for a short while and dropped from the cache whenever it changes, so a new or
changed phrase applies to the very next post on every web node and worker (the cache is Redis in
production). If the cache is down the list is read from the database.
"""
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from moderation.models import AuditEntry, WatchedPhrase
from moderation.risk.rules import CATEGORY_WATCHED_PHRASE, LEVEL_CONCERN, LEVEL_CRISIS, rules_check, text_normalise
from moderation.services import audit
from moderation.services.queue import _require_moderator

logger = logging.getLogger(__name__)

CACHE_KEY = "moderation:watched-phrases:v1"
CACHE_SECONDS = 60
PHRASE_MAX_LENGTH = 200


@dataclass(frozen=True)
class ActivePhrase:
    id: int
    phrase: str
    action: str
    message: str


def watched_phrases_active() -> tuple[ActivePhrase, ...]:
    try:
        cached = cache.get(CACHE_KEY)
    except Exception:  # the cache (Redis) is down: the database still answers
        cached = None
    if cached is not None:
        return cached
    phrases = tuple(
        ActivePhrase(id=row.pk, phrase=row.phrase, action=row.action, message=row.message)
        for row in WatchedPhrase.objects.filter(is_active=True).order_by("pk")
    )
    try:
        cache.set(CACHE_KEY, phrases, CACHE_SECONDS)
    except Exception:
        pass
    return phrases


def _forget_cached_phrases() -> None:
    try:
        cache.delete(CACHE_KEY)
    except Exception:
        logger.warning("watched phrases cache not cleared; the change applies within %s s", CACHE_SECONDS)


# The level a phrase gives what it is found in. "crisis" phrases take the crisis path: the writer
# sees the crisis lines at once, and the assessment ends in a crisis flag, a case and an alert.
# Hold and block phrases stop a post before it is saved; in the assessment they are informational
# signals, shown to the moderator beside the held post.
_LEVEL_OF_ACTION = {WatchedPhrase.Action.FLAG: LEVEL_CONCERN, WatchedPhrase.Action.CRISIS: LEVEL_CRISIS}


def risk_extra_phrases() -> tuple[tuple[str, str, str], ...]:
    """What the rule layer takes as `extra_phrases`: (phrase, level, id)."""
    return tuple((p.phrase, _LEVEL_OF_ACTION.get(p.action, ""), str(p.id)) for p in watched_phrases_active())


@dataclass(frozen=True)
class Screening:
    blocked_message: str | None = None
    hold: bool = False


def content_screen(*, text: str) -> Screening:
    """Hold or block phrases in `text`, before it is saved. Matched as the rule layer matches.

    Flag and crisis phrases never stop a post: people in crisis must not be shut out."""
    stopping = (WatchedPhrase.Action.HOLD, WatchedPhrase.Action.BLOCK)
    phrases = [p for p in watched_phrases_active() if p.action in stopping]
    if not phrases or not text:
        return Screening()
    verdict = rules_check(text, extra_phrases=[(p.phrase, "", str(p.id)) for p in phrases])
    matched = {s.rule_id.removeprefix("watched_phrase.") for s in verdict.signals if s.category == CATEGORY_WATCHED_PHRASE}
    hits = [p for p in phrases if str(p.id) in matched]
    for phrase in hits:
        if phrase.action == WatchedPhrase.Action.BLOCK:
            return Screening(blocked_message=phrase.message or _("This can't be posted here. Please reword it."))
    return Screening(hold=bool(hits))


def _clean(phrase: str, action: str, message: str) -> tuple[str, str, str]:
    phrase = " ".join((phrase or "").split())
    # As the rule layer matches: case, spacing and apostrophes ("don’t" / "dont") make no difference.
    key = " ".join(text_normalise(phrase).replace("'", "").split())
    if not key:
        raise ValidationError({"phrase": _("Write the phrase to watch for.")})
    if len(phrase) > PHRASE_MAX_LENGTH:
        raise ValidationError({"phrase": _("Phrases are at most %(max)d characters.") % {"max": PHRASE_MAX_LENGTH}})
    if action not in WatchedPhrase.Action.values:
        raise ValidationError({"action": _("Choose what happens when the phrase is used.")})
    message = (message or "").strip()
    if action == WatchedPhrase.Action.BLOCK and not message:
        raise ValidationError({"message": _("A blocked post needs a message telling the writer why.")})
    return phrase, key, message


def watched_phrase_save(
    *, moderator, phrase: str, action: str, message: str = "", is_active: bool = True, watched_phrase_id: int | None = None
) -> WatchedPhrase:
    """Add a phrase, or change one. Applies to the next post, everywhere."""
    _require_moderator(moderator)
    phrase, key, message = _clean(phrase, action, message)
    try:
        with transaction.atomic():
            if watched_phrase_id is None:
                row = WatchedPhrase.objects.create(
                    phrase=phrase, phrase_key=key, action=action, message=message, is_active=is_active, created_by=moderator
                )
                audit_action = AuditEntry.Action.PHRASE_ADDED
            else:
                row = WatchedPhrase.objects.select_for_update().filter(pk=watched_phrase_id).first()
                if row is None:
                    raise ValidationError(_("This phrase no longer exists."))
                row.phrase, row.phrase_key, row.action, row.message = phrase, key, action, message
                row.is_active, row.updated_at = is_active, timezone.now()
                row.save()
                audit_action = AuditEntry.Action.PHRASE_CHANGED
            audit.audit_record(
                actor=moderator, action=audit_action, subject=row,
                details={"phrase": phrase, "action": action, "active": is_active},
            )
            transaction.on_commit(_forget_cached_phrases)
    except IntegrityError:
        raise ValidationError({"phrase": _("This phrase is already on the list.")}) from None
    return row
