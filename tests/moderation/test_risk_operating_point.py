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


@pytest.mark.parametrize("text", CRISIS)
def test_at_risk_posts_are_crises(text):
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
    # Every at-risk text reaching a person is the aim; two crisis texts of 122 are missed today.
    assert figures["crisis_flagged"] >= 0.98, figures["crisis_flagged"]
