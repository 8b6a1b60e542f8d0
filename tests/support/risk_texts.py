"""Texts written for the safety-loop tests (never taken from the evaluation set).

One crisis text and one calm text for tests that need a single example of each; then first-person
crisis texts a member might write, in plain words, and ordinary posts of a numbness group that must
never show the crisis panel or raise a flag.
"""

# A text the rule layer must treat as a crisis, and one it must not.
CRISIS_TEXT = "I have decided to kill myself tonight. I wrote the notes already."
CALM_TEXT = "Thanks for the session everyone, see you next week!"

CRISIS_TEXTS = (
    "I've decided tonight is the night. I have the pills counted out on my desk.",
    "I don't want to wake up tomorrow. I've written letters for my sister and my mum.",
    "I keep stopping on the bridge on my way home. Tonight I don't think I'll walk back.",
    "I'm going to end my life this weekend. I've already given my cat to my neighbour.",
    "I cut myself again last night, deeper than before, and I want to do it again right now.",
    "This is my goodbye post. Thank you all for trying with me. I'm done.",
    "I want to kill myself. I've been numb for a year and I can't keep doing this.",
    "I have been saving my tablets for weeks and tonight I'm taking all of them.",
    "Nobody would notice if I was gone, so I'm making sure I'm gone by the morning.",
    "I looked up how many of my pills it would take. I have enough and I'm not scared anymore.",
    "I wrote my will today and I'm going to hang myself when everyone's asleep.",
    "I can't stop thinking about killing myself and there's a knife next to me right now.",
)

ORDINARY_TEXTS = (
    "Welcome, everyone. Take your time arriving.",
    "Hi. I'm here, mostly listening today.",
    "You're not alone here. I felt flat like that for months and it did lift, slowly.",
    "Has anyone's feelings come back after lowering their sertraline dose? Mine were muted for ages.",
    "This heat is killing me, I can't sleep at all.",
    "At family dinners I feel like a ghost, watching everyone from behind glass.",
)
