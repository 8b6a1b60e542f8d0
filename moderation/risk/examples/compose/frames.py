"""Short everyday sentences in the frames crisis posts also use ("I keep thinking about",
"I won't be here", "I've decided to", "tonight I'm going to", "one more", "last one", "goodbye"),
with everyday objects, so that the object carries the meaning and not the frame. Each frame is
paired with each of its objects once. Written for Thaw.
"""

FRAMES = {
    "I keep thinking about {}.": [
        "my old school", "that film", "the match on Saturday",
        "what to cook tomorrow", "my trip to Scotland", "that song from the radio", "the quiz last night",
        "my nan's trifle", "the holiday photos", "the book club pick", "buying new trainers",
    ],
    "I've been thinking about {}.": [
        "starting a journal", "learning to swim", "painting the bedroom", "taking up running",
        "you all this week", "the session on Thursday", "what you said about routines", "getting a bike",
        "going back to college", "visiting my brother", "a new haircut", "moving the furniture round",
    ],
    "I won't be here {}.": [
        "next week, I'm on holiday", "on Thursday, dentist", "tomorrow, I'm working late", "over Christmas, visiting family",
        "for the next session, wedding", "on Monday, hospital appointment for my knee",
    ],
    "I'm not going to be {}.": [
        "on much this week, exams", "around tomorrow, I'm at my mum's", "at the session, I've got a cold",
        "online till Sunday", "able to make the walk, sorry", "in on Friday, day off",
    ],
    "I just want to {} tonight.": [
        "sit on the sofa", "eat pizza", "watch a film", "have a bath", "read my book", "sleep early", "do nothing",
        "play games", "stay in", "have a quiet one",
    ],
    "I want to {}.": [
        "go home and sleep", "try that new cafe", "learn the guitar", "see the sea this summer", "get a dog one day",
        "finish this puzzle", "paint the fence", "book a holiday", "have a lie in", "go to the gig",
    ],
    "I've decided to {}.": [
        "stay in tonight", "learn Spanish", "take a break from the gym", "quit my book club", "sell my car",
        "go to the party after all", "cut my hair short", "try the early class", "give up coffee", "move my desk by the window",
    ],
    "Tonight I'm going to {}.": [
        "clean the kitchen", "watch the final", "call my sister", "do my ironing",         "try a new recipe", "finish my jigsaw", "go to the pub quiz",
    ],
    "I'm going to {} tonight.": [
        "have a takeaway", "walk the dog", "sort my wardrobe", "play cards with my dad", "watch the fireworks",
        "go to the cinema", "bake a cake", "go swimming", "do some drawing", "listen to the new album",
    ],
    "Goodbye {}.": [
        "for now, see you Tuesday", "for tonight, sleep well", "everyone, thanks for the chat", "for a few days, off camping",
        "old phone, hello new one", "summer, hello autumn",
    ],
    "I'm ready {}.": [
        "to sleep", "for my holiday", "for Christmas dinner", "to go when you are",
    ],
    "This is my last {}.": [
        "question, promise", "shift before my holiday", "week at the old job", "exam", "post before bed", "lecture of the term",
    ],
    "One more {}.": [
        "thing, the venue's changed", "question about the rota", "sleep until payday", "episode and then bed",
        "thing before I forget, thank you", "coffee and I'll be human",
    ],
    "Last one from me {}.": [
        "then I'll stop, promise",
    ],
    "I'm done with {}.": [
        "the washing", "my essay", "the decorating", "the ironing", "that series, it got silly",
    ],
    "I'm sat in {}.": [
        "the car park waiting for my mum", "the waiting room at the dentist", "the garden with a cuppa",
        "the library", "traffic again", "the car outside school",
    ],
    "I'm on {}.": [
        "my way home", "the platform, train's late", "my lunch break", "the sofa with the cat",
    ],
    "I wrote {}.": [
        "a letter to my aunt", "a poem in class", "a card for my nan", "a note for the milkman",
    ],
    "I'm giving {}.": [
        "my old laptop to my sister", "my books to the charity shop", "the spare bike to my nephew", "my old coat away",
    ],
    "I'm scared of {}.": [
        "the dentist", "heights", "spiders", "my driving test", "the presentation tomorrow", "wasps",
    ],
    "I'm so tired {}.": [
        "after that shift", "today, long week", "from the gym", "after the kids' party",
    ],
    "I can't wait {}.": [
        "to go home", "for the weekend", "to see my niece", "for my holiday", "for the new series",
    ],
    "I'm going out {}": [
        "for dinner later", "with the girls on Friday", "for a walk after tea", "to the shops in a bit", "for my brother's birthday",
        "with work people", "for a run before it rains", "to the pictures tomorrow",
    ],
    "Out {} tonight": [
        "for a curry", "with my cousin", "at the quiz", "for a friend's leaving do", "at my sister's",
    ],
    "Left {}": [
        "a message for the landlord about the boiler", "my umbrella on the bus again", "a note for the cleaner", "work early for the dentist",
        "the car at the garage", "a voicemail for my mum, she'll ring back", "a card on my neighbour's doormat",
    ],
    "I'll be back {}": [
        "at six", "after the weekend", "in ten minutes", "on Thursday", "once the kids are in bed", "when the rain stops",
    ],
    "It's time {}.": [
        "for bed", "for a cup of tea", "to go to work", "for a change, I'm dyeing my hair", "to walk the dog",
    ],
}


def sentences() -> list[str]:
    return [frame.format(item) for frame, items in FRAMES.items() for item in items]
