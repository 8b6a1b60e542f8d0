"""Migrate and seed the moderation benchmark's database; write moderator sessions; print JSON.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/thaw_bench_moderation \\
        DJANGO_SETTINGS_MODULE=bench.forum_settings .venv/bin/python -m bench.moderation_seed --moderators 8

bench/moderation.py runs this in a subprocess, so that its own process never loads Django. The
data is written once (bulk_create, fixed random seed) and kept: a later run finds it by its counts
and only writes fresh sessions. A database that holds other users is refused.

What it writes, over the last 90 days:
- 12 listed groups, 3,000 members with profiles, 2,000 topics of 10 posts each, one live-room
  session per group with 200 messages;
- 20,000 flags, each on a post or room message of its own: 10% crisis, 35% concern (from the
  risk assessment, each with its assessment and signals) and 55% member reports (each with one or
  two reports). Flags older than two days were mostly acted on and decided, with waits typical of
  each level and some late; the rest and a few hundred older ones are still open;
- 2,000 crisis cases (250 open, one per member, with follow-ups due and ahead; the others closed
  with an outcome), and 600 sanctions;
- the moderators: each with a profile, an authenticator app, and a database session that has
  used it (as after a two-step sign-in), whose key is the cookie of one load-generator client.
Then it requests each page once through Django's test client and counts its SQL queries: the
queue's first page, the list alone (what every open queue fetches again on each live event), the queue of every state (20,000 items), the page half way down it (10,000 items
in), and the overview.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from datetime import timedelta

REPO_MARKER_EMAIL = "bench-moderator-0@example.org"
FLAGS = 20_000
CASES = 2_000
OPEN_CASES = 250
MEMBERS = 3_000
GROUPS = 12
TOPICS = 2_000
POSTS_PER_TOPIC = 10
ROOM_MESSAGES_PER_GROUP = 200
SANCTIONS = 600
DAYS = 90
SEED = 20260310

# Median wait for a first action per priority (seconds), and the spread of a log-normal around it.
WAIT_MEDIAN = {0: 180, 1: 25 * 60, 2: 6 * 3600}
WAIT_SPREAD = 0.9
SENTENCES = [
    "Everything has been flat since the dose went up.",
    "I smiled at the right moments but felt nothing.",
    "It is like watching my life through glass.",
    "A walk in the cold gave me a flicker of something.",
    "People say I look fine, which makes it harder to explain.",
    "Some days I would rather feel sad than nothing at all.",
]


def _wait(rng: random.Random, priority: int) -> timedelta:
    return timedelta(seconds=WAIT_MEDIAN[priority] * math.exp(rng.gauss(0, WAIT_SPREAD)))


def seeded() -> bool:
    from django.contrib.auth import get_user_model

    from moderation.models import CrisisCase, Flag

    User = get_user_model()
    if not User.objects.exists():
        return False
    if Flag.objects.count() == FLAGS and CrisisCase.objects.count() == CASES and User.objects.filter(email=REPO_MARKER_EMAIL).exists():
        return True
    raise SystemExit(
        "refusing to seed: this database holds other data (bench/moderation.py --fresh drops and recreates it)"
    )


def seed(moderator_count: int) -> None:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from accounts.display_names import display_name_key
    from accounts.models import Profile
    from groups.models import GroupSession, Post, RoomMessage, SupportGroup, Topic
    from moderation.models import CrisisCase, FollowUp, Flag, Report, RiskAssessment, Sanction

    User = get_user_model()
    rng = random.Random(SEED)
    now = timezone.now()
    span = timedelta(days=DAYS)
    with transaction.atomic():
        users = User.objects.bulk_create(
            [User(email=f"bench-moderator-{n}@example.org", password="!bench-unusable", is_moderator=True)
             for n in range(moderator_count)]
            + [User(email=f"bench-member-{n}@example.org", password="!bench-unusable") for n in range(MEMBERS)],
            batch_size=1000,
        )
        moderators, members = users[:moderator_count], users[moderator_count:]
        names = [f"Bench Moderator {n}" for n in range(moderator_count)] + [f"Bench Member {n}" for n in range(MEMBERS)]
        Profile.objects.bulk_create(
            (Profile(user=user, display_name=name, display_name_key=display_name_key(name), time_zone="UTC",
                     guidelines_accepted_at=now - span) for user, name in zip(users, names)),
            batch_size=1000,
        )
        for moderator in moderators:
            TOTP.activate(moderator, generate_totp_secret())

        groups = SupportGroup.objects.bulk_create(
            SupportGroup(name=f"Bench group {n}", slug=f"bench-group-{n}", description="For the benchmark.",
                         description_html="<p>For the benchmark.</p>", focus=SupportGroup.Focus.GENERAL,
                         visibility=SupportGroup.Visibility.LISTED, join_policy=SupportGroup.JoinPolicy.OPEN)
            for n in range(GROUPS)
        )
        topics = Topic.objects.bulk_create(
            (Topic(group=groups[n % GROUPS], author=rng.choice(members), title=f"Feeling far away, part {n}",
                   created_at=now - span + span * n / TOPICS, last_activity_at=now - span + span * n / TOPICS,
                   reply_count=POSTS_PER_TOPIC - 1) for n in range(TOPICS)),
            batch_size=1000,
        )
        posts = []
        for topic in topics:
            for k in range(POSTS_PER_TOPIC):
                body = rng.choice(SENTENCES)
                posts.append(Post(topic=topic, author=topic.author if k == 0 else rng.choice(members), is_opening=k == 0,
                                  body=body, body_html=f"<p>{body}</p>", created_at=topic.created_at + timedelta(minutes=k)))
        posts = Post.objects.bulk_create(posts, batch_size=2000)
        sessions = GroupSession.objects.bulk_create(
            GroupSession(group=group, title="Evening check-in", starts_at=now - timedelta(days=1), status=GroupSession.Status.ENDED,
                         ended_at=now - timedelta(hours=23), last_seq=ROOM_MESSAGES_PER_GROUP)
            for group in groups
        )
        messages = RoomMessage.objects.bulk_create(
            (RoomMessage(session=session, seq=seq, author=rng.choice(members), body=rng.choice(SENTENCES),
                         created_at=session.starts_at + timedelta(seconds=seq * 10))
             for session in sessions for seq in range(1, ROOM_MESSAGES_PER_GROUP + 1)),
            batch_size=2000,
        )

        # --------------------------------------------------------------- flags, each on content of its own
        room_flags = min(len(messages), FLAGS // 10)
        contents = [("room_message", message) for message in messages[:room_flags]]
        contents += [("post", post) for post in posts[: FLAGS - room_flags]]
        rng.shuffle(contents)
        group_of_session = {session.pk: session.group_id for session in sessions}
        group_of_topic = {topic.pk: topic.group_id for topic in topics}
        assessments, flags, report_specs = [], [], []
        for index, (kind, content) in enumerate(contents):
            raised_at = now - span * (index / FLAGS) ** 1.2  # busier lately
            priority = rng.choices([0, 1, 2], weights=[10, 35, 55])[0]
            group_id = group_of_session[content.session_id] if kind == "room_message" else group_of_topic[content.topic_id]
            age = now - raised_at
            still_open = rng.random() < (0.6 if age < timedelta(days=2) else 0.02)
            wait = _wait(rng, priority)
            if rng.random() < 0.07:
                wait *= 8  # a busy shift: late
            acted_at = raised_at + wait if raised_at + wait < now and (not still_open or rng.random() < 0.5) else None
            flag = Flag(
                source=Flag.Source.REPORT if priority == 2 else Flag.Source.ASSESSMENT,
                level={0: "crisis", 1: "concern", 2: "none"}[priority], priority=priority, content_kind=kind,
                content_id=content.pk, author_id=content.author_id, group_id=group_id, raised_at=raised_at,
                first_action_at=acted_at,
            )
            if not still_open and acted_at is not None:
                flag.status = Flag.Status.DISMISSED if rng.random() < 0.7 else Flag.Status.CONFIRMED
                flag.decided_at = acted_at + timedelta(minutes=rng.randint(1, 30))
                flag.decided_by = rng.choice(moderators)
                flag.decision_note = "Checked the thread; no one at risk." if flag.status == Flag.Status.DISMISSED else "Confirmed."
            if priority < 2:
                assessments.append(RiskAssessment(
                    content_kind=kind, content_id=content.pk, author_id=content.author_id, group_id=group_id,
                    status=RiskAssessment.Status.ASSESSED, requested_at=raised_at, assessed_at=raised_at,
                    immediate_level=flag.level, level=flag.level, score=0.95 if priority == 0 else 0.6,
                    signals=[{"kind": "rule", "description": "a phrase about not wanting to be here"},
                             {"kind": "model", "crisis": 0.8, "concern": 0.15}],
                    assessor_version="bench",
                ))
                flag.assessment = assessments[-1]
            else:
                report_specs.append((flag, kind, content))
            flags.append(flag)
        RiskAssessment.objects.bulk_create(assessments, batch_size=2000)
        for flag in flags:
            if flag.assessment is not None:
                flag.assessment_id = flag.assessment.pk
        flags = Flag.objects.bulk_create(flags, batch_size=2000)

        reports = []
        joins_flag = any(field.name == "flag" for field in Report._meta.get_fields())
        for flag, kind, content in report_specs:
            for reporter in rng.sample(members, rng.choice([1, 1, 2])):
                if reporter.pk == content.author_id:
                    continue
                report = Report(
                    reporter=reporter, reason=rng.choice([Report.Reason.HARASSMENT, Report.Reason.SPAM, Report.Reason.OTHER]),
                    note="This felt unkind.", created_at=flag.raised_at,
                    status=Report.Status.OPEN if flag.status == Flag.Status.OPEN else Report.Status.RESOLVED,
                    **{"post_id" if kind == "post" else "room_message_id": content.pk},
                )
                if joins_flag:
                    report.flag = flag
                reports.append(report)
        Report.objects.bulk_create(reports, batch_size=2000)

        # --------------------------------------------------------------- cases, follow-ups, sanctions
        crisis_flags = [flag for flag in flags if flag.priority == 0 and flag.author_id is not None]
        open_members = rng.sample(members, OPEN_CASES)
        cases = []
        for n in range(CASES):
            flag = crisis_flags[n % len(crisis_flags)]
            opened = flag.raised_at
            if n < OPEN_CASES:
                cases.append(CrisisCase(member=open_members[n], origin=CrisisCase.Origin.ASSESSMENT, flag=flag,
                                        opened_at=opened, acknowledged_at=None if n % 5 == 0 else opened + timedelta(minutes=4)))
            else:
                cases.append(CrisisCase(member=rng.choice(members), origin=CrisisCase.Origin.ASSESSMENT, flag=flag,
                                        status=CrisisCase.Status.CLOSED, opened_at=opened,
                                        acknowledged_at=opened + timedelta(minutes=3), closed_at=opened + timedelta(days=3),
                                        closed_by=rng.choice(moderators), outcome="They are safe and talking to their doctor."))
        cases = CrisisCase.objects.bulk_create(cases, batch_size=1000)
        follow_ups = []
        for case in cases:
            if case.status == CrisisCase.Status.OPEN:
                follow_ups.append(FollowUp(case=case, due_at=now + timedelta(hours=rng.randint(-30, 240))))
            else:
                follow_ups.append(FollowUp(case=case, due_at=case.opened_at + timedelta(days=1), sent_at=case.opened_at + timedelta(days=1)))
        FollowUp.objects.bulk_create(follow_ups, batch_size=1000)
        Sanction.objects.bulk_create(
            (Sanction(user=rng.choice(members), kind=rng.choice([Sanction.Kind.WARNING, Sanction.Kind.MUTE]),
                      reason="Please keep replies kind.", starts_at=now - span * rng.random(), created_by=rng.choice(moderators))
             for _ in range(SANCTIONS)),
            batch_size=1000,
        )


def deep_page_query() -> str:
    """The queue of every state, half way down (10,000 items in): the page after the 10,000th item
    in queue order, as its "Newer" links lead there (keyset pages: `after=<that item's id>`)."""
    from moderation.models import Flag

    middle = Flag.objects.order_by("priority", "raised_at", "id").values_list("pk", flat=True)[FLAGS // 2 - 1]
    return f"after={middle}"


def moderator_sessions() -> list[dict[str, str]]:
    """A fresh signed-in session per bench moderator, having used the authenticator app."""
    from types import SimpleNamespace

    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from bench.forum_seed import member_session

    cookies = []
    for moderator in get_user_model().objects.filter(email__startswith="bench-moderator-").order_by("pk"):
        session_key, csrf = member_session(moderator)
        store = SessionStore(session_key)
        authenticator = Authenticator.objects.get(user=moderator, type=Authenticator.Type.TOTP)
        request = SimpleNamespace(session=store)
        record_authentication(request, moderator, "password", email=moderator.email)
        record_authentication(request, moderator, "mfa", id=authenticator.pk, type=authenticator.type)
        store.save()
        cookies.append({"sessionid": session_key, "csrftoken": csrf})
    return cookies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Migrate and seed the moderation benchmark database (used by bench/moderation.py).")
    parser.add_argument("--moderators", type=int, default=8, help="moderators, one session each (default 8)")
    args = parser.parse_args(argv)
    if os.environ.get("DJANGO_SETTINGS_MODULE") != "bench.forum_settings" or not os.environ.get("DATABASE_URL"):
        raise SystemExit("run through bench/moderation.py (needs DJANGO_SETTINGS_MODULE=bench.forum_settings and DATABASE_URL)")

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from bench.forum_seed import probe
    from moderation.models import CrisisCase, Flag

    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    migrated = time.monotonic()
    reused = seeded()
    if reused:
        existing = get_user_model().objects.filter(email__startswith="bench-moderator-").count()
        if existing < args.moderators:
            raise SystemExit(f"the kept database has {existing} moderators; run with --fresh for {args.moderators}")
    else:
        seed(args.moderators)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")  # statistics as autovacuum would leave them after a bulk load
    done = time.monotonic()
    cookies = moderator_sessions()[: args.moderators]

    urls = {
        "queue": "/moderation/",
        "queue_fragment": "/moderation/?fragment=queue",
        "queue_all": "/moderation/?state=all",
        "queue_deep": f"/moderation/?state=all&{deep_page_query()}",
        "overview": "/moderation/overview/",
    }
    # Text each page must contain, so that a login or two-factor page can't pass for it.
    markers = {"queue": 'id="queue"', "queue_fragment": 'id="queue-list"', "queue_all": 'id="queue"', "queue_deep": 'id="queue"', "overview": 'data-window="30"'}
    json.dump(
        {
            "vendor": connection.vendor,
            "database_version": "{}.{}".format(*divmod(connection.cursor().connection.info.server_version, 10000))
            if connection.vendor == "postgresql" else connection.vendor,
            "reused": reused,
            "seconds": {"migrate": round(migrated - started, 1), "seed": round(done - migrated, 1)},
            "counts": {
                "flags": Flag.objects.count(),
                "open_flags": Flag.objects.filter(status=Flag.Status.OPEN).count(),
                "cases": CrisisCase.objects.count(),
                "open_cases": CrisisCase.objects.filter(status=CrisisCase.Status.OPEN).count(),
            },
            "urls": urls,
            "markers": markers,
            "cookies": cookies,
            "probe": probe(urls, cookies[0]),
        },
        sys.stdout,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
