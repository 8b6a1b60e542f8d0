"""Reads that join groups to the library: attachments, forum-post cards and the groups an entry
page suggests ("talk about this in a group", registered with resources.discussion)."""
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.urls import reverse

from groups.models import GroupSession, Membership, Post, SupportGroup
from groups.resource_links import LibraryAttachment
from resources.discussion import DiscussionPlace
from resources.selectors import entry_list_by_slugs

CARDS_PER_POST = 3
SUGGESTED_GROUPS = 5

# A link to a library entry inside a post: the path, alone or after one of our own host names.
_ENTRY_LINK = re.compile(r"(?P<url>(?:https?://[^\s/<>()\]\"']+)?/library/(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)/?)(?![\w/-])")


def library_attachment_list(*, group: SupportGroup, session: GroupSession | None = None) -> list[LibraryAttachment]:
    """The entries attached to the group itself, or to one of its sessions, oldest first."""
    return list(LibraryAttachment.objects.filter(group=group, session=session).select_related("entry"))


def library_attachment_get(*, group: SupportGroup, attachment_id: int) -> LibraryAttachment:
    """One of `group`'s attachments; Http404 for another group's id."""
    attachment = LibraryAttachment.objects.filter(group=group, pk=attachment_id).select_related("entry", "session").first()
    if attachment is None:
        raise Http404("No such attachment.")
    return attachment


def _our_hosts() -> set[str]:
    hosts = {host.lower() for host in settings.ALLOWED_HOSTS if host and host != "*"}
    hosts.add(settings.SITE_DOMAIN.lower())
    return hosts


def _linked_slugs(body: str) -> list[str]:
    """Slugs of library entries linked in a post body, in order, once each; links to other sites'
    /library/ pages are not ours and make no card."""
    hosts = _our_hosts()
    slugs: list[str] = []
    for match in _ENTRY_LINK.finditer(body or ""):
        url = match.group("url")
        if url.startswith("http") and urlsplit(url).netloc.lower() not in hosts:
            continue
        if match.group("slug") not in slugs:
            slugs.append(match.group("slug"))
    return slugs[:CARDS_PER_POST]


def library_cards_attach(*, posts: list[Post]) -> list[Post]:
    """Give each post `library_cards`: the entries it links to, looked up in one query for the page."""
    linked = {post.pk: _linked_slugs(post.body) for post in posts}
    entries = entry_list_by_slugs(slugs=[slug for slugs in linked.values() for slug in slugs])
    for post in posts:
        post.library_cards = [entries[slug] for slug in linked[post.pk] if slug in entries]
    return posts


def discussion_places_for_entry(*, entry, viewer) -> list[DiscussionPlace]:
    """Groups whose focus matches the entry: listed groups for everyone, and the viewer's own private
    groups for them alone. A private group never appears to anyone outside it."""
    if not entry.group_focuses:
        return []
    visible = Q(visibility=SupportGroup.Visibility.LISTED)
    if viewer.is_authenticated:
        mine = Membership.objects.filter(group=OuterRef("pk"), user=viewer, status=Membership.Status.ACTIVE)
        visible |= Q(Exists(mine))
    groups = (
        SupportGroup.objects.filter(visible, focus__in=entry.group_focuses)
        .annotate(member_count=Count("memberships", filter=Q(memberships__status=Membership.Status.ACTIVE), distinct=True))
        .order_by("-member_count", "name")[:SUGGESTED_GROUPS]
    )
    return [
        DiscussionPlace(
            name=group.name,
            url=reverse("groups:detail", kwargs={"slug": group.slug}),
            description=str(group.get_focus_display()),
        )
        for group in groups
    ]
