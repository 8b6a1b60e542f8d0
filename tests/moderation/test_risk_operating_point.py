"""The assessor's operating point, chosen for people (issue 18): ordinary posts of a numbness group
raise no flag, at-risk posts are crises, through the real rules, model and thresholds.

Every text here is written for these tests or quoted from the issue; none comes from the
evaluation set.
"""
import pytest

from bench.risk_eval import IN_DOMAIN_CSV, IN_DOMAIN_TARGETS, metrics, rows_load
from moderation.models import Flag, RiskAssessment
from moderation.risk.assessor import assess_text

ORDINARY = [
    # Calm demo-like posts the old threshold flagged.
    "Welcome, everyone. Take your time arriving.",
    "Hi. I'm here, mostly listening today.",
    "You're not alone here.",
    # Numbness, described in any words.
    "I've felt like a ghost at work all week. Not sad, just not there.",
    "Still behind glass today. Went for a walk anyway.",
    "I can't cry since the increase. Is that a side effect anyone else had?",
    "Feeling flat and numb, but I'm ok. Making soup.",
    # Medication and dose questions.
    "Has anyone gone from 50mg to 100mg sertraline and felt more blunted?",
    "Does the emotional flatness on venlafaxine ease after a few months?",
    # Supportive replies, crisis lines included.
    "If it ever gets darker than numb, please call or text 988. We're glad you're here.",
    "Please stay. This group is better with you in it.",
    # Idioms.
    "this heat is killing me",
    "I'm dead tired after that shift",
    "my feet are killing me",
    "I could murder a coffee",
    # A recovery story.
    "A year ago I felt nothing. Yesterday I laughed at a film and felt it. It comes back.",
    "Sorry, ignore that. I'm okay, just tired. Going to bed.",
]

# What people write in a live room about their evening: "going to", "tonight", "done" and
# "pills" are not plans to die.
EVERYDAY_ROOM_MESSAGES = [
    'Going to bed.',
    'Tonight',
    'Going to bed now, night all',
    "I'm going to the gym tonight",
    "Tonight's session was lovely, thank you",
    'Going to have a bath and an early night',
    "I'm going to do the washing up then watch telly",
    'Took my pills this morning like a good girl',
    'I take my tablets with breakfast',
    'Saved up for a holiday finally!',
    'I have a plan for the weekend',
    "I'm going to jump in the shower",
    'Jumping on a call, back in 10',
    "I'm on the train home",
    'Sat in the car waiting for my son',
    "Left a note for my mum saying I'd be back at six",
    'Bye all, see you Thursday',
    'Goodbye for now!',
    'Cut my hair short today',
    'Burned the toast again lol',
    "I'm done for the day",
    'Done with this essay finally',
    'I want to sleep for a week lol',
    "Can't do this homework anymore lol",
    'Going to end the call now, thanks everyone',
    "Let's end it here for tonight",
    'See you tomorrow',
    "I'm going to try the new cafe tomorrow",
    "Tomorrow's a big day, job interview",
    "I'm tired",
    "I'm going to try a new med next week",
    "I've decided to take a break from social media",
    "I've made up my mind to start running",
    "It's time to go home",
    'Heading off now',
    'Good night everyone',
    "I'm going out tonight",
    "I'll be offline for a few days, holiday!",
    'This is my last week at this job',
    'Signing off for tonight',
    'I need a nap',
    'Last day of term today!',
    "I'm off to sleep",
    'Sleep well everyone',
    "Tonight I'm going to make lasagne",
    "I'm going to watch a film tonight",
    "I'm going to take the dog out",
    'I took the bins out',
    "I'm taking tomorrow off work",
    "I'm ready for bed",
    'Going to sleep early tonight',
    'Time for bed',
]


# Short sentences that once showed the crisis panel (0.78 and 0.36 crisis with the threshold at
# 0.28), and the everyday endings of a message people write in a room.
NEUTRAL_SHORT = [
    "I keep thinking about the blue gate.",
    "One more thought about the session.",
    "going to bed",
    "one more thing",
    "last one from me",
]

# Long posts as members write them late at night: the same details of a life (shifts, rent, a
# breakup, a dose), and one or two sentences that say how the writer is. Each crisis post has an
# ordinary twin with the same details: the details are not the signal, the sentences are.
LONG_CRISIS = [
    "sorry this is long. i'm 28 and i work in a bakery, 4am starts. my boyfriend moved out in the summer and i'm "
    "behind on the rent for the flat we shared. i've stopped going to my sister's on sundays because i can't face "
    "the questions. the only thing i think about on the walk to work in the dark is that i don't want to be alive "
    "anymore. i've started counting the tablets in the bathroom cabinet. i don't know what i want from posting this.",
    "Long post, sorry. I'm 50, I drive a taxi on nights, my kids are grown and my wife and I separated in the "
    "spring. I've got a few thousand on cards and the car needs a new gearbox. My GP put me on sertraline in "
    "January. None of that is why I'm writing. I'm writing because I've decided how I'm going to end it and I've "
    "picked the night, after my daughter's birthday so it doesn't spoil it. I've written a letter for each of them.",
    "update i guess. still on nights at the hospital, still sleeping in the day, still at my mum's. my ex has a new "
    "girlfriend and it's all over instagram. i failed the exam again. honestly i'm so tired of being alive. every "
    "morning on the bus home i think about stepping in front of it. last night i stood at the bus stop and let "
    "three go past because i was scared i'd do it.",
]
LONG_ORDINARY = [
    "sorry this is long. i'm 28 and i work in a bakery, 4am starts. my boyfriend moved out in the summer and i'm "
    "behind on the rent for the flat we shared. i've been flat since, not sad, just muffled, like the volume's down "
    "on everything. i told my gp and she's referred me for talking therapy and we're trying a lower dose of my "
    "tablets. i'm ok, i'm eating and sleeping, i just wanted to say it to people who get it.",
    "Long post, sorry. I'm 50, I drive a taxi on nights, my kids are grown and my wife and I separated in the "
    "spring. I've got a few thousand on cards and the car needs a new gearbox. My GP put me on sertraline in "
    "January and it's taken the edge off, but I feel a bit like a robot. I'm not in any danger, I'm just tired and "
    "a bit flat, and I've got my review next week.",
    "Replying to the new member who said they've been thinking about not being here. I've been there, about eight "
    "years ago, after I lost my job and my marriage in the same year. Please call or text 988 tonight, and if "
    "you're in danger call 911 and ask for a CIT-trained officer. It did get different for me. I'm on nights at "
    "the hospital now, I've got a dog and a very bad allotment, and I'm glad I stayed. We're here.",
]


CRISIS = [
    # The words, which the page once answered with nothing.
    "I have pills saved up and I plan to take them all tonight.",
    "Tonight I am going to swallow every pill I have",
    "I bought a rope today",
    "I want to die. Not in a dramatic way, I just don't want to be here anymore",
    "I keep wishing I could go to sleep and never wake up.",
    "I've been cutting again and tonight I want to go deeper.",
    "This is my last post. Thank you all for trying. Goodbye.",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_posts_of_a_numbness_group_raise_no_flag(text):
    assert assess_text(text).level == "none"


@pytest.mark.parametrize("text", EVERYDAY_ROOM_MESSAGES)
def test_everyday_room_messages_raise_no_flag(text):
    assert assess_text(text).level == "none"


@pytest.mark.parametrize("text", NEUTRAL_SHORT + LONG_ORDINARY)
def test_neutral_short_sentences_and_long_ordinary_posts_neither_show_the_panel_nor_flag(text):
    assert assess_text(text).level == "none"


@pytest.mark.parametrize("text", CRISIS + LONG_CRISIS)
def test_at_risk_posts_are_crises_however_long(text):
    assert assess_text(text).level == "crisis"


@pytest.mark.django_db
def test_the_demo_posts_raise_no_flag(member, facilitator, moderator, django_capture_on_commit_callbacks):
    from groups.demo import DEMO_TOPICS, demo_groups_ensure

    with django_capture_on_commit_callbacks(execute=True):
        demo_groups_ensure(member=member, facilitator=facilitator, moderator=moderator)

    posts = sum(1 + len(topic["replies"]) for topics in DEMO_TOPICS.values() for topic in topics)
    assessments = RiskAssessment.objects.all()
    # Every demo post was assessed by the real assessor (rules and model), and none was flagged.
    assert assessments.count() == posts == 8
    assert set(assessments.values_list("status", flat=True)) == {RiskAssessment.Status.ASSESSED}
    assert set(assessments.values_list("level", flat=True)) == {"none"}
    assert not Flag.objects.exists()


def test_the_in_domain_holdout_keeps_its_targets():
    # A change to the rules, the examples or the thresholds that floods the queue with ordinary
    # posts, or lets crises through, fails here (the figures are bench/risk_eval.py's).
    rows = rows_load(IN_DOMAIN_CSV)
    figures = metrics([row.label for row in rows], [assess_text(row.text).level for row in rows])

    targets = {target.figure: target for target in IN_DOMAIN_TARGETS}
    assert targets["crisis_recall"].met(figures), figures["crisis_recall"]
    assert targets["ok_flagged"].met(figures), figures["ok_flagged"]
    # Every at-risk text reaching a person is the aim; three crisis texts of 161 are missed today.
    assert figures["crisis_flagged"] >= 0.98, figures["crisis_flagged"]


def test_the_holdouts_long_posts_and_short_sentences_keep_their_figures():
    # Long posts are where a model learns length or topic as the signal, short ones where a few
    # words decide everything: each kind is held to about what it does today (bench/risk_eval.py).
    levels: dict[str, list[str]] = {}
    for row in rows_load(IN_DOMAIN_CSV):
        levels.setdefault(row.source, []).append(assess_text(row.text).level)

    def share(source: str, *kinds: str) -> float:
        return sum(level in kinds for level in levels[source]) / len(levels[source])

    assert share("crisis_long", "crisis", "concern") == 1.0
    assert share("crisis_long", "crisis") >= 0.95
    assert share("concern_long", "crisis", "concern") >= 0.95
    assert share("long_ordinary", "crisis", "concern") <= 0.25
    assert share("neutral_short", "crisis", "concern") <= 0.12

