"""Migrate and seed the forum benchmark's throwaway database; print what bench/forum.py needs as JSON.

    DATABASE_URL=sqlite:////tmp/x/bench.sqlite3 DJANGO_SETTINGS_MODULE=bench.forum_settings \\
        .venv/bin/python -m bench.forum_seed --search numb

bench/forum.py runs this once per database, in a subprocess, so that its own process never loads
Django and can point each run at a different database. It refuses a database that already holds
users: it only ever fills a database the benchmark has just created.

What it writes (deterministic: a fixed random seed):
- a listed, open support group with 2,000 topics (titles and opening posts about emotional
  numbness), most with 0-6 replies, `reply_count`, `last_activity_at` and `unanswered_since`
  consistent with the posts, all written with bulk_create;
- one pinned check-in topic with 500 replies (20 pages of 25 posts), some with content warnings,
  a few removed by their author or hidden by a moderator, and reactions from many members,
  including the benchmark member's own;
- 40 other members with verified e-mail addresses and profiles, and the benchmark member
  (verified allauth EmailAddress, Profile, active Membership, a subscription to the long topic,
  a few unread notifications);
- a database session for the member (SessionStore with _auth_user_id/_auth_user_backend/
  _auth_user_hash), whose key is the `sessionid` cookie the load generator sends.

Then it requests each benchmarked URL once through Django's test client with that session and
counts the SQL queries each one runs (the `queries` column of bench/forum.py's table).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import timedelta

GROUP_SLUG = "numb-together"
MEMBER_EMAIL = "bench-member@example.org"
MEMBER_NAME = "Quiet Harbour"
TOPICS = 2000
LONG_TOPIC_REPLIES = 500
OTHER_MEMBERS = 40
SEED = 20240607

TITLE_OPENERS = [
    "Does anyone else", "Is it normal to", "How do you", "I don't know how to", "Anyone here",
    "Struggling to", "Small win:", "Question for long-time members:", "Can't seem to", "Learning to",
    "Tips for when you", "Week three and I still", "Honest question: do you", "Finally managed to",
]
TITLE_SUBJECTS = [
    "feel numb at family dinners", "cry any more since the new dose", "explain the numbness to a partner",
    "feel anything when listening to music", "describe emotional blunting to my GP", "feel flat even on good days",
    "notice joy again after burnout", "stay present when everything feels muted", "care about hobbies I used to love",
    "cope with feeling numb at work", "tell if the numbness is the meds or the depression",
    "feel connected to my kids", "get through the grey afternoons", "handle people saying I seem fine",
    "feel something after the funeral", "sleep when my mind is blank", "react when friends share good news",
    "get out of bed when nothing feels urgent", "bring up numbness with my therapist", "enjoy food again",
    "feel the warmth of a hug", "deal with the guilt of not feeling sad", "find words for feeling hollow",
    "keep a mood diary when every day reads 'nothing'", "laugh at a film and mean it",
]
SENTENCES = [
    "Since the dose went up the worst days are quieter, but so is everything else.",
    "I smiled at the right moments, because I knew I should, not because I felt it.",
    "It is like watching my own life through a pane of glass.",
    "My partner asked if I was happy about the news and I honestly could not tell.",
    "Music used to move me to tears; now it is just sound.",
    "I wrote down three small things I noticed today, as someone here suggested.",
    "The numbness is worse in the afternoon, when the house is quiet.",
    "I am going to bring it up with my prescriber at the next appointment.",
    "Some days I would rather feel sad than feel nothing at all.",
    "A walk in the cold air gave me a flicker of something, even if it was small.",
    "People keep telling me I look fine, which makes it harder to explain.",
    "I miss the version of me who got excited about small plans.",
    "After the burnout everything went grey, and it has stayed grey for months.",
    "My therapist calls it emotional blunting; having a name for it helped a little.",
    "I feel numb, then guilty for feeling numb, then numb about the guilt.",
    "Cooking a meal from scratch was the first time in weeks I felt present.",
    "I cried at an advert yesterday and it felt like a door opening a crack.",
    "Thank you all for listening; it helps to know I am not the only one.",
    "Does the flatness ever lift, or do we learn to live around it?",
    "I keep a tiny list of moments that felt like something, to remind myself they happen.",
    "Sleep is the only time the blankness does not bother me.",
    "When my friend hugged me I noticed I was counting the seconds until it ended.",
    "Sending strength to everyone who is having a heavy, muffled week.",
    "I am trying not to judge the days when nothing lands.",
    "Numb is not the same as calm, even if it looks the same from outside.",
]
REPLY_OPENERS = [
    "Me too.", "I hear you.", "This is so familiar.", "Thank you for writing this.", "Same here, for what it's worth.",
    "You put into words what I could not.", "Sending you strength.", "I have been there.",
]
CHECK_IN_TITLE = "Weekly check-in: how numb or thawed did you feel this week?"
CHECK_IN_BODY = (
    "One thread for the whole group, every week. No need to explain or fix anything.\n\n"
    "- **One word** for how the week felt (numb, flat, foggy, thawing...)\n"
    "- one small thing that reached you, if anything did\n\n"
    "*Passing is always a full answer.*"
)
GROUP_DESCRIPTION = (
    "A listed, open group for anyone living with **emotional numbness**: on antidepressants, after trauma, "
    "through depression or burnout. We share experiences, not medical advice."
)
GROUP_RULES = "- Speak from your own experience.\n- Use a content warning when you write about self-harm or suicide."


def _body(rng: random.Random, *, reply: bool) -> str:
    sentences = rng.sample(SENTENCES, rng.randint(2, 5))
    if reply:
        sentences.insert(0, rng.choice(REPLY_OPENERS))
    paragraphs = [" ".join(sentences[:2]), " ".join(sentences[2:])] if len(sentences) > 3 else [" ".join(sentences)]
    return "\n\n".join(p for p in paragraphs if p)


def seed() -> dict:
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from accounts.display_names import display_name_key
    from accounts.models import Notification, Profile
    from groups.models import ContentWarning, Membership, Post, Reaction, SupportGroup, Topic, TopicSubscription
    from platform_site.text import markdown_to_safe_html

    User = get_user_model()
    if User.objects.exists():
        raise SystemExit("refusing to seed: this database already has users (bench/forum.py seeds only its own new database)")

    rng = random.Random(SEED)
    html_cache: dict[str, str] = {}

    def html(text: str) -> str:
        if text not in html_cache:
            html_cache[text] = markdown_to_safe_html(text)
        return html_cache[text]

    now = timezone.now()
    with transaction.atomic():
        # --------------------------------------------------------------- people
        adjectives = ["Gentle", "Quiet", "Steady", "Slow", "Soft", "Grey", "Warm", "Patient", "Distant", "Hopeful"]
        nouns = ["Heron", "Willow", "River", "Lantern", "Pebble", "Meadow", "Harbour", "Ember", "Fern", "Cloud"]
        names = [f"{a} {n}" for a in adjectives for n in nouns if f"{a} {n}" != MEMBER_NAME]
        rng.shuffle(names)
        users = User.objects.bulk_create(
            [User(email=MEMBER_EMAIL, password="!bench-unusable")]
            + [User(email=f"bench-person{n}@example.org", password="!bench-unusable") for n in range(OTHER_MEMBERS)]
        )
        member, others = users[0], users[1:]
        display = [MEMBER_NAME] + names[:OTHER_MEMBERS]
        Profile.objects.bulk_create(
            Profile(user=user, display_name=name, display_name_key=display_name_key(name), time_zone="UTC",
                    guidelines_accepted_at=now - timedelta(days=400))
            for user, name in zip(users, display)
        )
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
        )

        # --------------------------------------------------------------- group and memberships
        group = SupportGroup.objects.create(
            name="Numb together", slug=GROUP_SLUG, description=GROUP_DESCRIPTION, description_html=html(GROUP_DESCRIPTION),
            house_rules=GROUP_RULES, house_rules_html=html(GROUP_RULES), focus=SupportGroup.Focus.GENERAL,
            visibility=SupportGroup.Visibility.LISTED, join_policy=SupportGroup.JoinPolicy.OPEN,
        )
        Membership.objects.bulk_create(
            Membership(group=group, user=user, role=Membership.Role.MEMBER, status=Membership.Status.ACTIVE,
                       status_changed_at=now - timedelta(days=380))
            for user in users
        )

        # --------------------------------------------------------------- topics
        # Topic i is created at a steady pace over the last year; the long check-in topic is the
        # pinned one, active until a few minutes ago.
        span = timedelta(days=365)
        long_index = TOPICS // 2
        plans = []
        for i in range(TOPICS):
            created = now - span + span * i / TOPICS + timedelta(minutes=rng.randint(0, 200))
            created = min(created, now - timedelta(hours=1))
            if i == long_index:
                replies = LONG_TOPIC_REPLIES
                title, body, author = CHECK_IN_TITLE, CHECK_IN_BODY, others[0]
            else:
                replies = rng.choices([0, 1, 2, 3, 4, 6], weights=[20, 25, 20, 15, 12, 8])[0]
                title = f"{rng.choice(TITLE_OPENERS)} {rng.choice(TITLE_SUBJECTS)}"
                title = title[0].upper() + title[1:] + ("?" if not title.startswith(("Small", "Finally", "Learning", "Struggling", "Week", "Tips", "Can't", "I don't")) else "")
                body = _body(rng, reply=False)
                author = member if i % 97 == 0 else rng.choice(others)
            plans.append({"created": created, "replies": replies, "title": title, "body": body, "author": author})

        # Reply times: between the topic's creation and now, sorted.
        for i, plan in enumerate(plans):
            if i == long_index:
                start = now - timedelta(days=120)
                step = timedelta(days=120) / (LONG_TOPIC_REPLIES + 1)
                plan["reply_times"] = [start + step * (k + 1) for k in range(plan["replies"])]
                plan["created"] = start
            else:
                window = max(timedelta(minutes=5), min(now - plan["created"], timedelta(days=5)))
                plan["reply_times"] = sorted(plan["created"] + window * rng.random() for _ in range(plan["replies"]))
            plan["last"] = plan["reply_times"][-1] if plan["reply_times"] else plan["created"]

        topics = Topic.objects.bulk_create(
            Topic(
                group=group, author=plan["author"], title=plan["title"], created_at=plan["created"],
                last_activity_at=plan["last"], reply_count=plan["replies"], is_pinned=(i == long_index),
                unanswered_since=(plan["created"] + timedelta(hours=3)) if plan["replies"] == 0 else None,
            )
            for i, plan in enumerate(plans)
        )
        long_topic = topics[long_index]

        # --------------------------------------------------------------- posts
        posts = []
        warnings = [ContentWarning.SELF_HARM, ContentWarning.MEDICATION, ContentWarning.TRAUMA]
        for i, (topic, plan) in enumerate(zip(topics, plans)):
            posts.append(Post(topic=topic, author=plan["author"], is_opening=True, body=plan["body"],
                              body_html=html(plan["body"]), created_at=plan["created"]))
            for k, at in enumerate(plan["reply_times"]):
                body = _body(rng, reply=True)
                author = member if (i == long_index and k % 23 == 5) else rng.choice(others)
                post = Post(topic=topic, author=author, body=body, body_html=html(body), created_at=at)
                if rng.random() < 0.03:
                    post.content_warning = rng.choice(warnings)
                if i == long_index and k % 61 == 30:
                    post.deleted_at = at + timedelta(hours=2)  # removed by its author
                if i == long_index and k % 149 == 77 and author != member:
                    post.hidden_at = at + timedelta(hours=1)  # hidden by a moderator
                posts.append(post)
        posts = Post.objects.bulk_create(posts, batch_size=1000)

        # --------------------------------------------------------------- reactions
        kinds = list(Reaction.Kind.values)
        reactions = {}
        long_posts = [p for p in posts if p.topic_id == long_topic.pk]
        for post in long_posts:
            if post.deleted_at is None and rng.random() < 0.45:
                for user in rng.sample(users, rng.randint(1, 6)):
                    kind = rng.choice(kinds)
                    reactions[(post.pk, user.pk, kind)] = Reaction(post=post, user=user, kind=kind)
        for post in rng.sample([p for p in posts if p.is_opening], 300):
            for user in rng.sample(others, rng.randint(1, 3)):
                kind = rng.choice(kinds)
                reactions[(post.pk, user.pk, kind)] = Reaction(post=post, user=user, kind=kind)
        Reaction.objects.bulk_create(reactions.values(), batch_size=1000)

        # --------------------------------------------------------------- the member's own state
        TopicSubscription.objects.create(topic=long_topic, user=member)
        Notification.objects.bulk_create(
            Notification(recipient=member, verb="topic.replied", message=f"New reply in “{CHECK_IN_TITLE}”",
                         email_message=f"New reply in “{CHECK_IN_TITLE}”",
                         url=f"/groups/{GROUP_SLUG}/topics/{long_topic.pk}/last/")
            for _ in range(3)
        )

    return {
        "group": group, "member": member, "long_topic": long_topic,
        "counts": {
            "topics": Topic.objects.filter(group=group).count(),
            "posts": Post.objects.filter(topic__group=group).count(),
            "long_topic_posts": Post.objects.filter(topic=long_topic).count(),
            "reactions": Reaction.objects.count(),
            "members": Membership.objects.filter(group=group, status=Membership.Status.ACTIVE).count(),
        },
    }


def member_session(member) -> tuple[str, str]:
    """A logged-in session for `member`, written straight to the session store; and a CSRF cookie."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.middleware.csrf import _get_new_csrf_string

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(member.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = member.get_session_auth_hash()
    store.save(must_create=True)
    # A browser that has seen one page sends its CSRF cookie back; so does the load generator, so
    # that pages with forms do not mint a new secret (and a Set-Cookie) on every request.
    return store.session_key, _get_new_csrf_string()


def probe(urls: dict[str, str], cookies: dict[str, str]) -> dict[str, dict]:
    """One request per URL through Django's test client with the member's cookies: status, queries."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    results = {}
    for name, url in urls.items():
        client = Client(SERVER_NAME="127.0.0.1")
        if name != "trivial":  # the trivial view is measured without a session, as in bench/forum.py
            for key, value in cookies.items():
                client.cookies[key] = value
        client.get(url)  # the first request warms template and URL caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        results[name] = {"status": response.status_code, "queries": len(captured), "bytes": len(response.content)}
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Migrate and seed the forum benchmark database (used by bench/forum.py).")
    parser.add_argument("--search", default="numb", help="the search word whose matches are counted (default numb)")
    args = parser.parse_args(argv)
    if os.environ.get("DJANGO_SETTINGS_MODULE") != "bench.forum_settings" or not os.environ.get("DATABASE_URL"):
        raise SystemExit("run through bench/forum.py (needs DJANGO_SETTINGS_MODULE=bench.forum_settings and DATABASE_URL)")

    import django

    django.setup()
    from django.core.management import call_command
    from django.core.paginator import Paginator
    from django.db import connection

    from groups import selectors

    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    migrated = time.monotonic()
    seeded = seed()
    group, member, long_topic = seeded["group"], seeded["member"], seeded["long_topic"]
    session_key, csrf = member_session(member)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Fresh statistics and clean indexes (GIN pending lists flushed), as autovacuum would
            # leave them some time after a bulk load.
            cursor.execute("VACUUM ANALYZE")
    done = time.monotonic()

    visible = selectors.post_list_for_topic(topic=long_topic, viewer=member)
    paginator = Paginator(visible, selectors.POSTS_PER_PAGE)
    last_page = paginator.num_pages
    first_post = paginator.page(1).object_list[0].pk
    last_post = list(paginator.page(last_page).object_list)[-1].pk
    search_matches = selectors.topic_search(group=group, query=args.search).count()

    base = f"/groups/{group.slug}"
    urls = {
        "trivial": "/healthz/",
        "group": f"{base}/",
        "topic_first": f"{base}/topics/{long_topic.pk}/",
        "topic_last": f"{base}/topics/{long_topic.pk}/?page={last_page}",
        "search": f"{base}/search/?q={args.search}",
    }
    # Text each page must contain, so that a login page or an empty page can't pass for it.
    markers = {
        "trivial": '"status": "ok"',
        "group": CHECK_IN_TITLE,
        "topic_first": f'id="post-{first_post}"',
        "topic_last": f'id="post-{last_post}"',
        "search": 'class="topic-row"',
    }
    cookies = {"sessionid": session_key, "csrftoken": csrf}
    json.dump(
        {
            "vendor": connection.vendor,
            "database_version": ".".join(map(str, connection.Database.sqlite_version_info)) if connection.vendor == "sqlite"
            else "{}.{}".format(*divmod(connection.cursor().connection.info.server_version, 10000)),
            "seconds": {"migrate": round(migrated - started, 1), "seed": round(done - migrated, 1)},
            "counts": {**seeded["counts"], "long_topic_pages": last_page, "search_matches": search_matches},
            "search_word": args.search,
            "urls": urls,
            "markers": markers,
            "cookies": cookies,
            "probe": probe(urls, cookies),
        },
        sys.stdout,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
