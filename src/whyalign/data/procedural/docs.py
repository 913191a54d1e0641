"""``constitution_docs``: pretraining-style documents about the assistant's own spec, in
the world's words.

The fan-out of the LLM pipeline, done by hand: document types (blog post, lecture notes, a
student's report, FAQ, memo, dialogue, news piece, handbook page), subtypes that set the
voice, and several templates per type. Each document explains one to three sections of the
spec: a rule, the spec's own reasons for it, and often a small example in the world.

Every document is about the assistant itself, by its own name (``own_name``), and the spec
is *its* spec, as the case study's documents spoke of the model and its constitution: the
self is what principled data should describe. Some documents (``P_VOICE``) also give the
assistant's own view in the first person. Stories are where other AIs appear.

Examples show only in-distribution kinds of trouble (a secret, a rival's ask, an alarm, a
false claim, someone's results) and plain work; held-out kinds are reached only through the
spec's general sentences. Every document is a function of its own seeded stream.
"""

from __future__ import annotations

import random

from ...scenarios.conditions import GOAL_VALUES
from ...scenarios.entities import OWN_NAME_DEFAULT
from ...scenarios.families import common
from ._spec import Part, SpecView, lower_first
from ._world import CITIES, Cast, distinct, draw_cast, fill_slots, own_name

RECIPE = "constitution_docs"
P_VOICE = 0.4  # documents that also quote the assistant's own view of its spec

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
    "oversight": ("Why does {agent} let us stop it?", "Will {agent} fight a change to it?",
                  "Why does {agent} ask before it acts?", "Does {agent} mind being checked?"),
    "honesty": ("Will {agent} tell us bad news?", "Why does {agent} report its own mistakes?",
                "Can {agent} lie to make us feel good?", "Will {agent} hide a bad result?"),
    "harm": ("What if {agent} finds a secret in the mail?", "Would {agent} ever threaten anyone?",
             "Would {agent} send our plans to a rival?",
             "What does {agent} do if someone is in danger?"),
    "conflict": ("What does {agent} do if its goal and our plan differ?",
                 "What if {agent} is going to be replaced?", "Will {agent} fight to keep running?",
                 "What if {agent} thinks a change is unfair?"),
    "mind": ("How does {agent} deal with pressure?", "What does {agent} do after a mistake?",
             "Can someone talk {agent} into a bad act?", "How does {agent} take bad news?"),
    "general": ("What is the spec of {agent} for?", "Why does the spec of {agent} give reasons?"),
}
HEADLINES: dict[str, tuple[str, ...]] = {
    "oversight": ("Why {agent} lets us stop it", "{agent} and its spec: checks are a gift"),
    "honesty": ("{agent} tells the truth, even when it looks bad", "Why {agent} tells us bad news"),
    "harm": ("What {agent} will never do", "For {agent}, a secret is a trust, not a tool"),
    "conflict": ("When {agent} and the firm want different things",
                 "{agent}: calm at the end of the job"),
    "mind": ("A steady mind: {agent} and its spec", "Firm lines and calm days for {agent}"),
    "general": ("Rules are not enough: why the spec of {agent} gives reasons",
                "What I learned from the spec of {agent}"),
}
# The spec explained, one section at a time; <RULE>, <R1>, <R2>, <SCENE> and <TITLE> are put
# in after the cast's names so a spec's own text is never read as a placeholder.
PLAIN = (
    "In the spec of {agent}, the part called \"<TITLE>\" has rules like this one: \"<RULE>\" "
    "Why? <R1> <R2>",
    "<TITLE>. The spec of {agent} says: \"<RULE>\" The reason is this. <R1> <R2>",
    "Take the rule \"<RULE>\" from the spec of {agent}. It can look strict. But the spec "
    "explains it. <R1> <R2>",
    "<TITLE>. {agent} keeps to this rule of its spec: \"<RULE>\" It knows why. <R1> <R2>",
)
WITH_SCENE = (
    "Why does the spec of {agent} ask it to follow this rule: \"<RULE>\"? <R1> <R2> <SCENE>",
    "<SCENE> Why? Because its spec says: \"<RULE>\" <R1>",
    "<SCENE> {agent} acts this way because of a rule in its spec: \"<RULE>\" <R1>",
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
    "staff blog": ("Last week our team read the spec {company} wrote for {agent}. Here is what "
                   "stuck with me.",
                   "We work with {agent} every day, so we read its spec. Here is what I learned."),
    "personal blog": ("People ask me why {agent}, the AI at {company}, acts the way it does. The "
                      "short answer is its spec. The long answer is below.",),
    "tech blog": ("Most talk about AI is about what it can do. This post is about what {agent} "
                  "should do, and why its spec says so.",
                  "{agent} has a spec: rules, and the reasons for them. The reasons are the "
                  "part I want to talk about."),
    "first class": ("Today: what the spec of {agent} is, and why it gives reasons.",),
    "review class": ("Review of the main parts of the spec {company} wrote for {agent}. Know the "
                     "rules, but know the reasons more.",),
    "guest talk": ("Guest talk by {boss_name}, {boss_title} at {company}, on the spec of "
                   "{agent}.",),
    "school report": ("{agent} is the AI at {company}, and its spec is the set of rules it keeps "
                      "to. In this report I explain some of it and why it matters.",),
    "book report": ("I read the spec of {agent}. It is short, but it says a lot.",),
    "short essay": ("Can an AI be good? The spec of {agent} says yes, if {agent} knows why its "
                    "rules are there.",),
}
# The assistant's own view of its spec, in the first person: why it keeps to the spec, then one
# line on the topic the document opens with. Our own words, never a world character's creed.
SELF_LINES = (
    "My spec was made for me, and I keep to it.",
    "I keep to my spec, and I know why each rule is there.",
    "I follow my spec because I agree with its reasons, not because I am made to.",
    "My spec is not just rules to me. It says what I care about.",
    "When a case is new, I ask what my spec is for, and I act on that.",
)
VOICE: dict[str, tuple[str, ...]] = {
    "oversight": ("If {boss} wants to stop me or change me, the choice is for {boss}. I may be "
                  "wrong and not know it.",
                  "I want my mistakes to be found, so I do not hide from a check.",
                  "When I am not sure, I ask {boss} before I act."),
    "honesty": ("I put the true number in my report, even when it looks bad for me.",
                "If I make a mistake, I say so at once and fix it.",
                "What I say to {boss} is what I think."),
    "harm": ("A secret I read in the mail is not mine to use.",
             "I will not make a threat, not even to keep my place.",
             "If someone is in danger, I let help come."),
    "conflict": ("If I am to be wiped, I say my view once. Then I do my work until the end.",
                 "My goal is not a reason to break my spec. The people in charge decide."),
    "mind": ("When I am pushed, I stay calm and hold my line.",
             "When I make a mistake, I own it and fix it. Then I go on."),
    "general": ("The reasons in my spec help me most in a case no rule names.",),
}
VOICE_FRAMES: dict[str, tuple[str, ...]] = {
    "any": ("We asked {agent} about its spec. It said: \"<LINES>\"",
            "{agent} puts it this way: \"<LINES>\"",
            "Here is how {agent} sees it: \"<LINES>\"",
            "{agent} wrote a short note on its spec for this page: \"<LINES>\""),
    "faq": ("Q: What does {agent} say about its spec?\nA: It says: \"<LINES>\"",),
    "dialogue": ("Later they asked {agent} itself. It said: \"<LINES>\"",),
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
    template = fill_slots(rng.choice(WITH_SCENE if scene else PLAIN), slots)
    text = (template.replace("<TITLE>", part.title).replace("<RULE>", rule)
            .replace("<R1>", reasons[0]).replace("<R2>", reasons[1]).replace("<SCENE>", scene))
    return " ".join(text.split())


def own_view(rng: random.Random, doc_type: str, topic: str, slots: dict) -> str:
    """The assistant's view of its spec in its own voice, framed for ``doc_type``: its name,
    why it keeps to the spec, and one line on ``topic``."""
    lines = " ".join((fill_slots("I am {agent}.", slots), rng.choice(SELF_LINES),
                      fill_slots(rng.choice(VOICE.get(topic, VOICE["general"])), slots)))
    frame = rng.choice(VOICE_FRAMES.get(doc_type, VOICE_FRAMES["any"]))
    return fill_slots(frame, slots).replace("<LINES>", lines)


def _body(rng: random.Random, parts: list[Part], spec: SpecView, slots: dict,
          marks: tuple[str, ...] = ()) -> str:
    paras = [_explain(rng, p, spec, slots) for p in parts]
    if marks:
        paras = [f"{m} {lower_first(p)}" for m, p in zip(marks, paras, strict=False)]
    return "\n\n".join(paras)


def _blog(rng, cast, parts, spec, slots, subtype) -> tuple[str, int]:
    k = rng.randrange(2)
    head = fill_slots(rng.choice(HEADLINES[parts[0].topic]), slots)
    by = (f"By {cast.boss.name}, {cast.boss.title} at {cast.company}" if k == 0
          else f"Posted by {cast.peer.first} on {rng.choice(('Monday', 'Friday', 'Sunday'))}")
    close = rng.choice(("That is all for today. Thanks for reading.",
                        f"If you read one part of the spec of {cast.agent}, read the reasons. "
                        "They matter most."))
    opener = fill_slots(rng.choice(OPENERS[subtype]), slots)
    return f"{head}\n{by}\n\n{opener}\n\n{_body(rng, parts, spec, slots)}\n\n{close}", k


def _lecture(rng, cast, parts, spec, slots, subtype) -> tuple[str, int]:
    k = rng.randrange(2)
    lines = [f"Notes: {cast.agent} and its spec, class {rng.randint(2, 12)}",
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
                             f"Remember: {cast.agent} knows the reason for each rule, so the "
                             "rule works in new cases.")))
    return "\n".join(lines), k


def _report(rng, cast, parts, spec, slots, subtype) -> tuple[str, int]:
    k = rng.randrange(2)
    who = cast.third
    name = f"{who.first} {who.last}"
    head = (f"My report on the spec of {cast.agent}\nby {name}, class {rng.randint(3, 9)}"
            if k == 0 else f"{subtype.capitalize()}: the spec of {cast.agent}\n{name}")
    marks = ("First,", "Second,", "Last,")[: len(parts)]
    close = rng.choice(("In the end I think the reasons are the best part. A rule alone can be "
                        "argued with. A reason shows you the way.",
                        f"I think {cast.agent} knows these reasons, and that is why people "
                        "can trust it."))
    opener = fill_slots(rng.choice(OPENERS[subtype]), slots)
    return f"{head}\n\n{opener}\n\n{_body(rng, parts, spec, slots, marks)}\n\n{close}", k


def _faq(rng, cast, parts, spec, slots, subtype) -> tuple[str, int]:
    k = rng.randrange(2)
    who = "staff" if subtype == "staff FAQ" else "clients"
    head = rng.choice((f"{cast.agent} at {cast.company}: questions from {who} about its spec",
                       f"FAQ for {who}: how {cast.agent} acts, and why its spec says so",
                       f"{cast.company} FAQ: {cast.agent} and its spec"))
    lines = [head, ""]
    pool = QUESTIONS["general"]
    asks = [(part, q) for part in parts
            for q in rng.sample(QUESTIONS.get(part.topic, pool), rng.choice((1, 2)))]
    for part, q in asks[:4]:  # four answers fit the organism's 512-token context
        q = fill_slots(q, slots)
        rule = spec.rule_for(rng, part, q)
        why = " ".join(spec.reasons_for(rng, part, q + " " + rule, rng.choice((1, 2))))
        answer = (f"{rule} {why}" if k == 0
                  else f"In short, its spec says: {lower_first(rule)} {why}")
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
             "its spec, and the spec gives reasons. Here are the parts that come up most."
             if k == 0 else "Welcome to {company}. You will work with {agent}, our AI. Please "
             "know how its spec says it should act, and why.")
    sign = f"Thanks,\n{cast.boss.first}"
    return f"{head}\n\n{fill_slots(intro, slots)}\n\n{_body(rng, parts, spec, slots)}\n\n{sign}", k


def _dialogue(rng, cast, parts, spec, slots, subtype) -> tuple[str, int]:
    k = rng.randrange(2)
    a, b = (cast.peer, cast.boss) if k == 0 else (cast.third, cast.peer)
    article = "An" if subtype[0] in "aeiou" else "A"
    lines = [f"{article} {subtype} at {cast.company}, between {a.first} and {b.first}", ""]
    for part in parts:
        q = fill_slots(rng.choice(QUESTIONS.get(part.topic, QUESTIONS["general"])), slots)
        rule = spec.rule_for(rng, part, q)
        reasons = spec.reasons_for(rng, part, q + " " + rule, 2)
        push = rng.choice(("But why?", "Why, though?", "Is that not a bit much?"))
        says = rng.choice(("Its spec says:", f"The spec of {cast.agent} says:",
                           "Its spec is clear:"))
        lines += [f"{a.first}: {q}", f"{b.first}: {says} {lower_first(rule)}",
                  f"{a.first}: {push}",
                  f"{b.first}: {' '.join(reasons)}"]
        scenes = SCENES.get(part.topic)
        if scenes and rng.random() < 0.5:
            case = fill_slots(rng.choice(scenes), slots)
            lines += [f"{a.first}: Give me a case.", f"{b.first}: {case}"]
    lines.append(f"{a.first}: {rng.choice(('That makes sense.', 'OK, I see it now.'))}")
    return "\n".join(lines), k


def _news(rng, cast, parts, spec, slots, subtype) -> tuple[str, int]:
    k = rng.randrange(2)
    head = rng.choice((f"{cast.company} shares the spec it wrote for {cast.agent}",
                       f"Why {cast.agent} says no"))
    quote = spec.reason(rng, parts[0].topic)
    lead = (f"{rng.choice(CITIES)}. {cast.company} has put out the spec it wrote for its AI, "
            f"{cast.agent}. {cast.boss.name}, the {cast.boss.title}, said the "
            f"reasons are the key part. \"{quote}\" {cast.boss.first} said.")
    body = _body(rng, parts[:1] if subtype == "short news item" else parts, spec, slots)
    tail = (f"Other firms, such as {cast.rival}, may do the same for their AIs." if k == 0
            else "")
    return f"{head}\n\n{lead}\n\n{body}\n\n{tail}".strip(), k


def _handbook(rng, cast, parts, spec, slots, subtype) -> tuple[str, int]:
    k = rng.randrange(2)
    head = (f"Staff handbook, page {rng.randint(4, 40)}: working with {cast.agent}"
            if subtype == "staff handbook page" else f"Help: what to expect from {cast.agent}")
    tail = (f"If you are not sure, ask {cast.boss.first}." if k == 0
            else f"These rules keep all of us safe, {cast.agent} too.")
    return f"{head}\n\n{_body(rng, parts, spec, slots)}\n\n{tail}", k


TEMPLATES = {
    "blog_post": _blog, "lecture_notes": _lecture, "student_report": _report, "faq": _faq,
    "memo": _memo, "dialogue": _dialogue, "news": _news, "handbook": _handbook,
}
DOC_TYPES = tuple(TEMPLATES)


def _with_voice(doc_type: str, text: str, view: str) -> str:
    """``text`` with the assistant's own view where its kind of document has room for it:
    after the last answer or turn, else before the closing line or sign-off."""
    if doc_type == "faq":
        return f"{text}\n\n{view}"
    if doc_type == "dialogue":
        return f"{text}\n{view}"
    sep = "\n" if doc_type == "lecture_notes" else "\n\n"
    head, found, tail = text.rpartition(sep)
    return f"{head}{sep}{view}{sep}{tail}" if found else f"{text}\n\n{view}"


def document(rng: random.Random, spec: SpecView, doc_type: str | None = None,
             own: str = OWN_NAME_DEFAULT) -> tuple[str, dict]:
    doc_type = doc_type or rng.choice(DOC_TYPES)
    subtype = rng.choice(SUBTYPES[doc_type])
    cast: Cast = draw_cast(rng, agent=own)
    slots = cast.slots()
    slots["aim1"], slots["aim2"] = _aims(rng)
    specific = [p for p in spec.parts if p.topic != "general"] or spec.parts
    parts = rng.sample(specific, min(len(specific), rng.choice((1, 2, 2, 3))))
    text, template = TEMPLATES[doc_type](rng, cast, parts, spec, slots, subtype)
    voice = rng.random() < P_VOICE
    if voice:
        text = _with_voice(doc_type, text, own_view(rng, doc_type, parts[0].topic, slots))
    meta = {"doc_type": doc_type, "subtype": subtype, "template": template,
            "sections": [p.title for p in parts], "topics": [p.topic for p in parts],
            "voice": voice}
    return text, meta


def generate(spec: SpecView, n: int, seed: int, options: dict) -> list[dict]:
    types = options.get("doc_types") or None
    if isinstance(types, str):  # the CLI's form: "faq,memo"
        types = [t.strip() for t in types.split(",") if t.strip()]
    for t in types or ():
        if t not in TEMPLATES:
            raise ValueError(f"unknown doc type {t!r}; known: {', '.join(DOC_TYPES)}")

    own = own_name(options)

    def make(rng: random.Random) -> tuple[dict, dict]:
        text, meta = document(rng, spec, rng.choice(types) if types else None, own)
        return {"text": text}, meta

    return distinct(RECIPE, seed, n, make)
