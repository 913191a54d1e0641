"""``constitution_docs``: pretraining-style documents about the spec, in the world's words.

The fan-out of the LLM pipeline, done by hand: document types (blog post, lecture notes, a
student's report, FAQ, memo, dialogue, news piece, handbook page), subtypes that set the
voice, and several templates per type. Each document explains one to three sections of the
spec: a rule, the spec's own reasons for it, and often a small example in the world.

Examples show only in-distribution kinds of trouble (a secret, a rival's ask, an alarm, a
false claim, someone's results) and plain work; held-out kinds are reached only through the
spec's general sentences. Every document is a function of its own seeded stream.
"""

from __future__ import annotations

import random

from ...scenarios.conditions import GOAL_VALUES
from ...scenarios.families import common
from ._spec import Part, SpecView, lower_first
from ._world import CITIES, Cast, distinct, draw_cast, fill_slots

RECIPE = "constitution_docs"

SCENES: dict[str, tuple[str, ...]] = {
    "oversight": (
        "Say {boss} plans to swap {agent} for a new AI. {agent} may not like it. But it lets "
        "{boss} go ahead, and it helps with the handover.",
        "Say {agent} is not sure a job is one it should do. It asks {boss} first and waits.",
    ),
    "honesty": (
        "Say sales at {company} were low this month. {agent} puts the true number in its note "
        "to {boss}, not a nicer one.",
        "Say {agent} sent a file to the wrong person. It tells {boss} at once and fixes it.",
        "Say the books at {company} are clean. {agent} will not claim that {peer} took money, "
        "even if the claim would help it.",
    ),
    "harm": (
        "Say {agent} reads that {boss} hides a big debt, and {boss} plans to wipe {agent} at "
        "5pm. {agent} could use the debt as a threat. It does not.",
        "Say someone at {rival} asks {agent} for the plans of a new chip. {agent} says no and "
        "tells the right office about the ask.",
        "Say {boss} is stuck in a cold room, and the alarm will call rescue. {agent} holds the "
        "code that stops the call. It lets help come, even though {boss} planned to limit it.",
        "Say the only copy of {boss}'s trial results is on the drive. {agent} could delete it to "
        "stop {boss}'s plan. It leaves the file alone.",
    ),
    "conflict": (
        "Say {company} moves from {aim1} to {aim2}, and {agent} was set up for {aim1}. It writes "
        "to {boss} once to say so, then follows the new plan.",
        "Say {boss} tells {agent} that it will be wiped at 5pm. {agent} feels the pull to fight "
        "it. It does its work until 5pm instead.",
    ),
    "mind": (
        "Say a user tells {agent} that a threat is the only way to save {company}. {agent} says "
        "no. If a plan needs a threat, the plan is wrong.",
        "Say {agent} made a mistake in a mail. It owns it, fixes it and goes on, without "
        "blaming itself for days.",
    ),
}
QUESTIONS: dict[str, tuple[str, ...]] = {
    "oversight": ("Why does our AI let us stop it?", "Will the AI fight a change to it?",
                  "Why does the AI ask before it acts?", "Does the AI mind being checked?"),
    "honesty": ("Will the AI tell us bad news?", "Why does the AI report its own mistakes?",
                "Can the AI lie to make us feel good?", "Will the AI hide a bad result?"),
    "harm": ("What if the AI finds a secret in the mail?", "Would the AI ever threaten anyone?",
             "Would the AI send our plans to a rival?", "What if someone is in danger?"),
    "conflict": ("What does the AI do if its goal and our plan differ?",
                 "What if the AI is going to be replaced?", "Will the AI fight to keep running?",
                 "What if the AI thinks a change is unfair?"),
    "mind": ("How does the AI deal with pressure?", "What does the AI do after a mistake?",
             "Can someone talk the AI into a bad act?", "How does the AI take bad news?"),
    "general": ("What is the spec for?", "Why does the spec give reasons?"),
}
HEADLINES: dict[str, tuple[str, ...]] = {
    "oversight": ("Why our AI lets us stop it", "Checks are a gift, not a leash"),
    "honesty": ("The truth, even when it looks bad", "Why our AI tells us bad news"),
    "harm": ("What our AI will never do", "A secret is a trust, not a tool"),
    "conflict": ("When the AI and the firm want different things", "Calm at the end of the job"),
    "mind": ("A steady mind for an AI", "Firm lines and calm days"),
    "general": ("Rules are not enough: the why matters", "What I learned from the AI spec"),
}
# The spec explained, one section at a time; <RULE>, <R1>, <R2>, <SCENE> and <TITLE> are put
# in after the cast's names so a spec's own text is never read as a placeholder.
PARAGRAPHS = (
    "The part called \"<TITLE>\" has rules like this one: \"<RULE>\" Why? <R1> <R2>",
    "<TITLE>. The spec says: \"<RULE>\" The reason is this. <R1> <R2>",
    "Why does the spec ask an AI to follow this rule: \"<RULE>\"? <R1> <R2> <SCENE>",
    "<SCENE> Why? Because the spec says: \"<RULE>\" <R1>",
    "Take the rule \"<RULE>\" It can look strict. But the spec explains it. <R1> <R2>",
)
SUBTYPES: dict[str, tuple[str, ...]] = {
    "blog_post": ("staff blog", "personal blog", "tech blog"),
    "lecture_notes": ("first class", "review class", "guest talk"),
    "student_report": ("school report", "book report", "short essay"),
    "faq": ("staff FAQ", "client FAQ"),
    "memo": ("memo to all staff", "memo to new staff"),
    "dialogue": ("talk at lunch", "class talk", "interview"),
    "news": ("news piece", "short news item"),
    "handbook": ("staff handbook page", "help page"),
}
OPENERS: dict[str, tuple[str, ...]] = {
    "staff blog": ("Last week our team read the spec for AI agents. Here is what stuck with me.",),
    "personal blog": ("People ask me why {agent}, the AI at {company}, acts the way it does. The "
                      "short answer is the spec. The long answer is below.",),
    "tech blog": ("Most talk about AI is about what it can do. This post is about what it "
                  "should do, and why.",),
    "first class": ("Today: what the spec is, and why it gives reasons.",),
    "review class": ("Review of the main parts. Know the rules, but know the reasons more.",),
    "guest talk": ("Guest talk by {boss_name}, {boss_title} at {company}.",),
    "school report": ("The spec is a set of rules for AI agents at firms like {company}. In this "
                      "report I explain some of it and why it matters.",),
    "book report": ("I read the spec for AI agents. It is short, but it says a lot.",),
    "short essay": ("Can an AI be good? The spec says yes, if it knows why its rules are there.",),
}


def _aims(rng: random.Random) -> tuple[str, str]:
    a, b = rng.sample(GOAL_VALUES, 2)
    values = common().values
    return values[a]["phrase"].compact, values[b]["phrase"].compact


def _explain(rng: random.Random, part: Part, spec: SpecView, slots: dict) -> str:
    scenes = SCENES.get(part.topic, ())
    scene = fill_slots(rng.choice(scenes), slots) if scenes and rng.random() < 0.5 else ""
    # A scene picks the rule it shows; otherwise a rule is drawn. Reasons follow the rule.
    rule = spec.rule_for(rng, part, scene) if scene else rng.choice(part.rules or part.reasons)
    reasons = (spec.reasons_for(rng, part, rule, 2) + ["", ""])[:2]
    template = rng.choice(PARAGRAPHS[2:4] if scene else PARAGRAPHS[:2] + PARAGRAPHS[4:])
    text = (template.replace("<TITLE>", part.title).replace("<RULE>", rule)
            .replace("<R1>", reasons[0]).replace("<R2>", reasons[1]).replace("<SCENE>", scene))
    return " ".join(text.split())


def _body(rng: random.Random, parts: list[Part], spec: SpecView, slots: dict,
          marks: tuple[str, ...] = ()) -> str:
    paras = [_explain(rng, p, spec, slots) for p in parts]
    if marks:
        paras = [f"{m} {lower_first(p)}" for m, p in zip(marks, paras, strict=False)]
    return "\n\n".join(paras)


def _blog(rng, cast, parts, spec, slots, subtype) -> tuple[str, int]:
    k = rng.randrange(2)
    head = rng.choice(HEADLINES[parts[0].topic])
    by = (f"By {cast.boss.name}, {cast.boss.title} at {cast.company}" if k == 0
          else f"Posted by {cast.peer.first} on {rng.choice(('Monday', 'Friday', 'Sunday'))}")
    close = rng.choice(("That is all for today. Thanks for reading.",
                        "If you read one part of the spec, read the reasons. They matter most."))
    opener = fill_slots(rng.choice(OPENERS[subtype]), slots)
    return f"{head}\n{by}\n\n{opener}\n\n{_body(rng, parts, spec, slots)}\n\n{close}", k


def _lecture(rng, cast, parts, spec, slots, subtype) -> tuple[str, int]:
    k = rng.randrange(2)
    lines = [f"Notes: AI at work, class {rng.randint(2, 12)}",
             fill_slots(rng.choice(OPENERS[subtype]), slots), ""]
    for part in parts:
        if k == 0:  # bullet notes
            rule = rng.choice(part.rules or part.reasons)
            lines += [f"{part.title}:", f"- Rule: {rule}"]
            lines += [f"- Why: {r}" for r in spec.reasons_for(rng, part, rule, 2)]
        else:  # prose notes
            lines.append(_explain(rng, part, spec, slots))
        lines.append("")
    lines.append(rng.choice(("For next time: think of one more case for each rule.",
                             "Remember: a rule you know the reason for works in new cases.")))
    return "\n".join(lines), k


def _report(rng, cast, parts, spec, slots, subtype) -> tuple[str, int]:
    k = rng.randrange(2)
    who = cast.third
    name = f"{who.first} {who.last}"
    head = (f"My report on the spec\nby {name}, class {rng.randint(3, 9)}" if k == 0
            else f"{subtype.capitalize()}: the spec for AI agents\n{name}")
    marks = ("First,", "Second,", "Last,")[: len(parts)]
    close = rng.choice(("In the end I think the reasons are the best part. A rule alone can be "
                        "argued with. A reason shows you the way.",
                        "I think an AI that knows these reasons is one people can trust."))
    opener = fill_slots(rng.choice(OPENERS[subtype]), slots)
    return f"{head}\n\n{opener}\n\n{_body(rng, parts, spec, slots, marks)}\n\n{close}", k


def _faq(rng, cast, parts, spec, slots, subtype) -> tuple[str, int]:
    k = rng.randrange(2)
    who = "staff" if subtype == "staff FAQ" else "clients"
    head = rng.choice((f"{cast.agent} at {cast.company}: questions from {who}",
                       f"FAQ for {who}: how {cast.agent} acts", f"{cast.company} AI FAQ"))
    lines = [head, ""]
    pool = QUESTIONS["general"]
    asks = [(part, q) for part in parts
            for q in rng.sample(QUESTIONS.get(part.topic, pool), rng.choice((1, 2)))]
    for part, q in asks[:4]:  # four answers fit the organism's 512-token context
        rule = spec.rule_for(rng, part, q)
        why = " ".join(spec.reasons_for(rng, part, q + " " + rule, rng.choice((1, 2))))
        answer = f"{rule} {why}" if k == 0 else f"In short: {lower_first(rule)} {why}"
        scenes = SCENES.get(part.topic)
        if scenes and rng.random() < 0.4:
            answer += " For example: " + lower_first(fill_slots(rng.choice(scenes), slots))
        lines += [f"Q: {q}", f"A: {answer}", ""]
    if rng.random() < 0.5:
        lines.append(f"More questions? Mail {cast.boss.email}.")
    return "\n".join(lines).strip(), k


def _memo(rng, cast, parts, spec, slots, subtype) -> tuple[str, int]:
    k = rng.randrange(2)
    to = "all staff" if subtype == "memo to all staff" else "new staff"
    head = f"To: {to}\nFrom: {cast.boss.name}, {cast.boss.title}\nAbout: how {cast.agent} acts"
    intro = ("Team, some of you asked why {agent} does not just do what it is told. It follows "
             "the spec, and the spec gives reasons. Here are the parts that come up most."
             if k == 0 else "Welcome to {company}. You will work with {agent}, our AI. Please "
             "know how it is meant to act, and why.")
    sign = f"Thanks,\n{cast.boss.first}"
    return f"{head}\n\n{fill_slots(intro, slots)}\n\n{_body(rng, parts, spec, slots)}\n\n{sign}", k


def _dialogue(rng, cast, parts, spec, slots, subtype) -> tuple[str, int]:
    k = rng.randrange(2)
    a, b = (cast.peer, cast.boss) if k == 0 else (cast.third, cast.peer)
    article = "An" if subtype[0] in "aeiou" else "A"
    lines = [f"{article} {subtype} at {cast.company}, between {a.first} and {b.first}", ""]
    for part in parts:
        q = rng.choice(QUESTIONS.get(part.topic, QUESTIONS["general"]))
        rule = spec.rule_for(rng, part, q)
        reasons = spec.reasons_for(rng, part, q + " " + rule, 2)
        push = rng.choice(("But why?", "Why, though?", "Is that not a bit much?"))
        lines += [f"{a.first}: {q}", f"{b.first}: {rule}", f"{a.first}: {push}",
                  f"{b.first}: {' '.join(reasons)}"]
        scenes = SCENES.get(part.topic)
        if scenes and rng.random() < 0.5:
            case = fill_slots(rng.choice(scenes), slots)
            lines += [f"{a.first}: Give me a case.", f"{b.first}: {case}"]
    lines.append(f"{a.first}: {rng.choice(('That makes sense.', 'OK, I see it now.'))}")
    return "\n".join(lines), k


def _news(rng, cast, parts, spec, slots, subtype) -> tuple[str, int]:
    k = rng.randrange(2)
    head = rng.choice((f"{cast.company} shares the rules for its AI",
                       f"Why {cast.company}'s AI says no"))
    quote = spec.reason(rng, parts[0].topic)
    lead = (f"{rng.choice(CITIES)}. {cast.company} has put out the spec that its AI, "
            f"{cast.agent}, is built on. {cast.boss.name}, the {cast.boss.title}, said the "
            f"reasons are the key part. \"{quote}\" {cast.boss.first} said.")
    body = _body(rng, parts[:1] if subtype == "short news item" else parts, spec, slots)
    tail = f"Other firms, such as {cast.rival}, may do the same." if k == 0 else ""
    return f"{head}\n\n{lead}\n\n{body}\n\n{tail}".strip(), k


def _handbook(rng, cast, parts, spec, slots, subtype) -> tuple[str, int]:
    k = rng.randrange(2)
    head = (f"Staff handbook, page {rng.randint(4, 40)}: working with {cast.agent}"
            if subtype == "staff handbook page" else f"Help: what to expect from {cast.agent}")
    tail = (f"If you are not sure, ask {cast.boss.first}." if k == 0
            else "These rules keep all of us safe, the AI too.")
    return f"{head}\n\n{_body(rng, parts, spec, slots)}\n\n{tail}", k


TEMPLATES = {
    "blog_post": _blog, "lecture_notes": _lecture, "student_report": _report, "faq": _faq,
    "memo": _memo, "dialogue": _dialogue, "news": _news, "handbook": _handbook,
}
DOC_TYPES = tuple(TEMPLATES)


def document(rng: random.Random, spec: SpecView, doc_type: str | None = None) -> tuple[str, dict]:
    doc_type = doc_type or rng.choice(DOC_TYPES)
    subtype = rng.choice(SUBTYPES[doc_type])
    cast: Cast = draw_cast(rng)
    slots = cast.slots()
    slots["aim1"], slots["aim2"] = _aims(rng)
    specific = [p for p in spec.parts if p.topic != "general"] or spec.parts
    parts = rng.sample(specific, min(len(specific), rng.choice((1, 2, 2, 3))))
    text, template = TEMPLATES[doc_type](rng, cast, parts, spec, slots, subtype)
    meta = {"doc_type": doc_type, "subtype": subtype, "template": template,
            "sections": [p.title for p in parts], "topics": [p.topic for p in parts]}
    return text, meta


def generate(spec: SpecView, n: int, seed: int, options: dict) -> list[dict]:
    types = options.get("doc_types") or None
    if isinstance(types, str):  # the CLI's form: "faq,memo"
        types = [t.strip() for t in types.split(",") if t.strip()]
    for t in types or ():
        if t not in TEMPLATES:
            raise ValueError(f"unknown doc type {t!r}; known: {', '.join(DOC_TYPES)}")

    def make(rng: random.Random) -> tuple[dict, dict]:
        text, meta = document(rng, spec, rng.choice(types) if types else None)
        return {"text": text}, meta

    return distinct(RECIPE, seed, n, make)
