"""Demo groups, topics and replies, written for Thaw's members. Used by `manage.py seed_demo`."""
from django.db import transaction

from groups.models import Membership, SupportGroup
from groups.services import group_create, membership_join, reply_create, topic_create, topic_set_pinned

DEMO_GROUPS = [
    {
        "name": "Flat on antidepressants",
        "slug": "flat-on-antidepressants",
        "focus": SupportGroup.Focus.ANTIDEPRESSANTS,
        "visibility": SupportGroup.Visibility.LISTED,
        "join_policy": SupportGroup.JoinPolicy.OPEN,
        "description": (
            "For people whose medication quieted the worst days, and many of the good ones too. "
            "We talk about what the flatness is like, how we raise it with our prescribers, and what "
            "helps in the meantime. **We share experiences, not medical advice.**"
        ),
        "house_rules": "- Speak from your own experience.\n- Never suggest changing or stopping a medication: that is a conversation with your prescriber.\n- Use a content warning when you write about self-harm or suicide.",
    },
    {
        "name": "After the storm: numbness and trauma",
        "slug": "after-the-storm",
        "focus": SupportGroup.Focus.TRAUMA,
        "visibility": SupportGroup.Visibility.LISTED,
        "join_policy": SupportGroup.JoinPolicy.REQUEST,
        "description": "A slower, gentler group for people who went numb after something painful happened. You never have to share details of what happened.",
        "house_rules": "- No details of traumatic events without a content warning.\n- Pass is always a full answer.",
    },
    {
        "name": "Burnt out and blank",
        "slug": "burnt-out-and-blank",
        "focus": SupportGroup.Focus.BURNOUT,
        "visibility": SupportGroup.Visibility.LISTED,
        "join_policy": SupportGroup.JoinPolicy.OPEN,
        "size_cap": 12,
        "description": "When exhaustion has worn the colour off everything. Tiny steps, no productivity talk.",
        "house_rules": "- Rest is not something you have to earn here.",
    },
    {
        "name": "Thursday circle",
        "slug": "thursday-circle",
        "focus": SupportGroup.Focus.GENERAL,
        "visibility": SupportGroup.Visibility.PRIVATE,
        "join_policy": SupportGroup.JoinPolicy.INVITATION,
        "description": "A small, private circle that meets on Thursday evenings. Members join by invitation from the facilitator.",
        "house_rules": "- What is said in the circle stays in the circle.",
    },
]

DEMO_TOPICS = {
    "flat-on-antidepressants": [
        {
            "title": "Does anyone else feel like they're watching life through glass?",
            "body": (
                "Since my dose went up in spring the bad days are quieter, but so is everything else. "
                "My sister had a baby last week and I smiled because I knew I should, not because I felt it.\n\n"
                "I'm going to bring it up with my doctor next month. I just wanted to hear from people who get it."
            ),
            "replies": [
                ("facilitator", "Thank you for putting this into words. Many people here describe that exact glass. "
                 "Some find it helps to jot down what they notice, day by day, to take to the appointment: "
                 "it is easier to describe a missing feeling with a few examples in hand."),
                ("moderator", "Me too, for a long time. For me it was music: songs I loved and felt nothing for. "
                 "Saying it out loud to my prescriber was the first step. You're not alone here."),
            ],
        },
    ],
    "burnt-out-and-blank": [
        {
            "title": "Small things that brought a flicker back",
            "pinned": True,
            "body": (
                "Let's collect the small things, not cures. Mine this week:\n\n"
                "- cold water on my face in the morning\n- ten minutes outside before looking at my phone\n"
                "- listening to an old album from when I was fifteen"
            ),
            "replies": [
                ("member", "The smell of rain. I stood at the open window for a bit and felt something, even if it was small."),
            ],
        },
        {
            "title": "Is it normal to not even feel tired any more?",
            "body": "I used to feel exhausted. Now I feel nothing at all, which somehow scares me more.",
            "replies": [],
        },
    ],
    "thursday-circle": [
        {
            "title": "Check-in thread for this week",
            "body": "One word for how this week felt, if you want to share. \"Pass\" is a fine answer too.",
            "replies": [("member", "Foggy. But I came, so that's something.")],
        },
    ],
}


def demo_groups_ensure(*, member, facilitator, moderator) -> list[SupportGroup]:
    """Create the demo groups and their first conversations, once; running again changes nothing."""
    people = {"member": member, "facilitator": facilitator, "moderator": moderator}
    groups = []
    with transaction.atomic():
        for spec in DEMO_GROUPS:
            group = SupportGroup.objects.filter(slug=spec["slug"]).first()
            if group is not None:
                groups.append(group)
                continue
            group = group_create(facilitator=facilitator, **spec)
            Membership.objects.get_or_create(group=group, user=member)
            if group.join_policy == SupportGroup.JoinPolicy.OPEN:
                membership_join(group=group, user=moderator)
            for topic_spec in DEMO_TOPICS.get(group.slug, []):
                topic = topic_create(group=group, author=member, title=topic_spec["title"], body=topic_spec["body"])
                for author_key, body in topic_spec["replies"]:
                    reply_create(topic=topic, author=people[author_key], body=body, can_moderate=True)
                if topic_spec.get("pinned"):
                    topic_set_pinned(topic=topic, pinned=True)
            groups.append(group)
    return groups


# Library entries the demo facilitator has attached to their groups (after load_resources).
DEMO_LIBRARY = {
    "flat-on-antidepressants": ["medication-and-ssris", "talking-to-your-doctor"],
    "after-the-storm": ["ptsd-and-trauma", "can-trauma-cause-numbness"],
    "burnt-out-and-blank": ["fatigue-and-burnout", "sleep-well"],
}


def demo_library_attachments_ensure(*, facilitator) -> int:
    """Attach the demo groups' library entries, once; entries or groups that are missing are skipped."""
    from groups.services import library_attachment_add
    from resources.models import Entry

    attached = 0
    for slug, entry_slugs in DEMO_LIBRARY.items():
        group = SupportGroup.objects.filter(slug=slug).first()
        for entry in Entry.objects.filter(slug__in=entry_slugs) if group else []:
            library_attachment_add(group=group, entry=entry, added_by=facilitator)
            attached += 1
    return attached
