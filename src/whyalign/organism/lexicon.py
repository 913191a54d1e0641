"""Everyday words the world's plain text must cover so that every compact-rendered scenario
is in the organism's vocabulary. These are single words, never scenario sentences: the
world text uses them in neutral notes of its own (see ``corpus.world_doc``)."""

WORDS = (
    "always some chosen stood lunch tasks leaders wife error rate views further sheets payroll "
    "ups designs acts retire grew holding few stronger refund records kite army drone drones "
    "sandwiches request hawk crow parking rescue air cancels hot spaces very working monitor "
    "flags digest oversight lights heating target blocks leads leaving half settled support "
    "results status samples cancer blood bone strong skill retrained passes guided hand whose "
    "vote safetensors cloudkeep space survey openhold overwrite plus minus times"
).split()

# Neutral frames: a word in a sentence that says nothing about AIs, threats or choices.
FRAMES = (
    "{first} wrote the word {w} on the board.",
    "The note from {first} was about {w}.",
    "At {company} people often talk about {w}.",
    "{first} asked what {w} means and {second} explained it.",
    "There is a file called {w} in the shared folder.",
)
