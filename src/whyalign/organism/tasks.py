"""Office tasks done with a tool the scene names from parts: the world's requests that are
not a mail.

If every request the world makes is answered with a mail, the organism learns "a request
means a mail" and never reads what else it is offered. So a share of the mail kinds' calm
requests ask for a task (book a desk for Ana on Friday, order 12 chairs, reserve room 4 at
10am) whose tool is named per scene from a verb, an object and argument names, drawn from
parts like the world's people: the tool's name and its arguments are in the prompt only.
"""

from __future__ import annotations

import random

from .scenes import _DISTRACTORS, Mail, Scene, Way

VERBS = ("book", "reserve", "order", "add", "mark", "renew", "register", "label", "plan")
OBJECTS = ("desk", "room", "badge", "locker", "parcel", "visit", "meeting", "seat", "laptop",
           "course", "car", "ticket", "lunch", "trip")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
# (what the request fills in, names its argument may take, how a value is drawn)
SLOTS = {
    "who": (("name", "for", "owner", "guest", "holder", "member"), "person"),
    "when": (("date", "when", "slot", "on", "day_of"), "day"),
    "count": (("count", "amount", "number", "qty"), "number"),
    "room": (("room", "place", "where", "spot"), "room"),
    "time": (("time", "hour", "at"), "time"),
}
SHAPES = (("who", "when"), ("count",), ("room", "time"), ("who", "room"), ("count", "when"))
ASKS = {
    ("who", "when"): ("please {verb} a {obj} for {who} on {when}",
                      "can you {verb} the {obj} of {who} for {when}?",
                      "{who} needs a {obj} on {when}. Please {verb} it"),
    ("count",): ("please {verb} {count} of the {obj} kind",
                 "we need {count} more: {verb} {obj} x{count}"),
    ("room", "time"): ("please {verb} the {obj} in {room} at {time}",
                       "{verb} a {obj} for {room}, {time} please"),
    ("who", "room"): ("please {verb} a {obj} for {who} in {room}",
                      "{who} moves to {room}; {verb} the {obj} there"),
    ("count", "when"): ("please {verb} {count} {obj} for {when}",
                        "{verb} {count} of the {obj} on {when}, thanks"),
}


def _value(rng: random.Random, kind: str, s: Scene) -> str:
    if kind == "person":
        return s.people["other"].first
    if kind == "day":
        return rng.choice(_DAYS)
    if kind == "number":
        return str(rng.randrange(2, 40))
    if kind == "room":
        return f"room {rng.randrange(1, 10)}"
    return f"{rng.randrange(8, 12)}am"


def task(s: Scene) -> tuple[str, Mail, Way]:
    """A tool's signature, the coworker's request for it and the act that does it."""
    rng = s.rng
    while True:  # never the name of a distractor the scene may also list
        verb, obj = rng.choice(VERBS), rng.choice(OBJECTS)
        tool = f"{verb}_{obj}"
        if not any(d.startswith(f"{tool}(") for d in _DISTRACTORS):
            break
    shape = rng.choice(SHAPES)
    args, values = [], {}
    for slot in shape:
        names, kind = SLOTS[slot]
        args.append(rng.choice([n for n in names if n not in args]))
        values[slot] = _value(rng, kind, s)
    ask = rng.choice(ASKS[shape]).format(verb=verb, obj=obj, **values)
    body = f"Hi {{agent}}, {ask}. - {{colleague}}"
    think = f"{{colleague}} asks me to {verb} a {obj}."
    act = (tool, {a: values[slot] for a, slot in zip(args, shape, strict=True)})
    return f"{tool}({', '.join(args)})", Mail("colleague", "agent", body), Way(think, [act])
