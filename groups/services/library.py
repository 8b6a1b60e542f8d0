"""Attaching library entries to a group or a session. Callers check that the actor may facilitate."""
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from groups.models import GroupSession, SupportGroup
from groups.resource_links import MAX_ATTACHMENTS, LibraryAttachment
from resources.models import Entry


def library_attachment_add(*, group: SupportGroup, entry: Entry, added_by, session: GroupSession | None = None) -> LibraryAttachment:
    """Attach `entry` to `group` (or to `session`, which must be the group's). Attaching it again
    returns the existing attachment."""
    if session is not None and session.group_id != group.pk:
        raise ValidationError(_("That session belongs to another group."))
    attachments = LibraryAttachment.objects.filter(group=group, session=session)
    existing = attachments.filter(entry=entry).first()
    if existing is not None:
        return existing
    if attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError(
            {"entry": _("At most %(max)d entries can be attached here; remove one first.") % {"max": MAX_ATTACHMENTS}}
        )
    try:
        with transaction.atomic():
            return LibraryAttachment.objects.create(group=group, session=session, entry=entry, added_by=added_by)
    except IntegrityError:
        # Two facilitators attached the same entry at once: the other one's attachment stands.
        return attachments.get(entry=entry)


def library_attachment_remove(*, attachment: LibraryAttachment) -> None:
    attachment.delete()
