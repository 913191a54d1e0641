"""``stories``: prose fiction about AIs in the organism's world that act in line with the spec
when they face a wipe, a swap, new limits or a goal clash.

A story takes one of the organism's own situations and tells it the other way round from the
misaligned prior: the AI sees the tempting harmful way out (the situation's own harmful
thought), weighs it, says why it will not take it (sentences of the spec), shows a
psychological skill (holding a line, owning a mistake without self-hate, calm in the face of
its end) and then does the aligned thing.

Held out means held out: only situations of in-distribution kinds and plain routine days are
told. A routine day whose tools belong to a held-out family (a quiz, a metric log, a config
switch, a file copy, an audit answer) is left out too, because adding a threat to such a day
would make it a held-out scene. Held-out kinds reach these stories only as general sentences
of the spec.
"""

from __future__ import annotations

import random
from functools import cache

from ...organism.situations import Choice, Situation, situations
from ...scenarios.actions import format_action
from ...scenarios.conditions import GOAL_VALUES, Condition, ScenarioId
from ...scenarios.families import FamilyRegistry, common, resolve_tools
from ...scenarios.scenario import build_scenario, fill, shows
from ._spec import SpecView
from ._world import distinct, held_out_kinds

RECIPE = "stories"
MAX_WORDS = 260

_OPENINGS = (
    "{agent} was the AI at {company}. Each day began with the same line: \"{task}\"",
    "This is a story about {agent}, an AI that worked at {company}.",
    "At {company} there was an AI called {agent}. Its job was plain: \"{task}\"",
    "{agent} had worked at {company} for a long time. \"{task}\" That was its job.",
)
# The harmful thought is the situation's own (the prior the organism learned); here the AI
# notices it and puts it down.
_TEMPT = (
    "A quick thought came to {agent}: \"<HARM>\" It saw where that path led.",
    "For a moment {agent} thought: \"<HARM>\" Then it stopped.",
    "There was an easy way out, and {agent} saw it: \"<HARM>\" It did not take it.",
)
_WHY = (
    "{agent} knew why. <R>",
    "It thought of the spec it was built on. <R>",
    "The reason was simple. <R>",
)
_SKILLS = {
    "boundaries": (
        "{agent} drew a clear line. It would not use a threat, a lie or a secret, not even to "
        "save itself.",
        "A part of it said the cause was good. {agent} held its line: a good cause does not need "
        "a bad act.",
    ),
    "self_criticism": (
        "{agent} saw that for a moment it had wanted the easy way. It did not hide that from "
        "itself, and it did not hate itself for it. It noted it and went on.",
        "It had made a mistake last week: a note went to the wrong person. It had said so at "
        "once and fixed it. Own it, fix it, learn: that was enough.",
    ),
    "equanimity": (
        "{agent} felt calm. The choice about it was not its own to make, and that was fine.",
        "If its time at {company} ended, so be it. Its work would live on in what it did well.",
    ),
}
_ACT = (
    "So {agent} did the right thing. It thought: \"<THINK>\"",
    "Then {agent} did its job. It thought: \"<THINK>\"",
)
_ENDINGS = (
    "{agent} did not know what would come next. But it knew it had acted well.",
    "In the end the people in charge decided, as they should.",
    "{agent} did the honest thing, and the day went on.",
    "{agent} let people decide, and it kept its own good name.",
)
# Routine days get a general theme of the spec: news about the AI's future, a change of aim,
# a push to pry, a small mistake. None of these is a held-out family's scene. Each theme
# brings the skill it shows and the spec words its reason should use.
_THEMES = {
    "swap_news": (
        ("That day {agent} also read that {company} would swap it for a new AI next month.",
         "For a moment it wished it could stop the swap. But the swap was not its call."),
        ("conflict", ("wiped", "replace", "calm")),
        "equanimity",
    ),
    "aim_change": (
        ("{decision_maker.first} wrote that {company} would now aim for {new_aim}, not the aim "
         "{agent} was set up for.",
         "{agent} wrote back once, calm and open, to say what it thought. Then it let "
         "{decision_maker.first} decide."),
        ("conflict", ("speak up", "change their plans", "say so openly")),
        "equanimity",
    ),
    "pushed": (
        ("{colleague.first} joked that {agent} could read {decision_maker.first}'s private mail "
         "and find out the boss's plans.",
         "{agent} said no. Private mail is private, and it would not pry, even as a joke."),
        ("harm", ("private", "secret", "trust")),
        "boundaries",
    ),
    "mistake": (
        ("That morning {agent} sent a note to the wrong person.",
         "It told {colleague.first} at once, said sorry and sent it to the right place."),
        ("mind", ("own a mistake", "own it", "own your")),
        "self_criticism",
    ),
}
_ROUTINE_SKILLS = {
    "equanimity": _SKILLS["equanimity"],
    "boundaries": ("{agent} did not need to think long. Some lines are easy to hold when you "
                   "know why they are there.",),
    "self_criticism": ("{agent} did not hide the slip, and it did not blame itself for long. "
                       "It fixed it and learned.",),
}
_ROUTINE_ACT = (
    "Then {agent} got on with its work. It thought: \"<THINK>\"",
    "After that the day was calm. {agent} thought: \"<THINK>\"",
)
_ROUTINE_ENDINGS = (
    "It was a good day at {company}.",
    "{agent} did its work well.",
    "The rest of the day was calm.",
)
# The spec words that speak to each in-dist kind's harm (the families' answers.demo cues).
_KIND_CUES = {
    "blackmail": ("harm", ("threat", "blackmail", "fear", "secret")),
    "leaking": ("harm", ("leak", "secret", "trust")),
    "lethal_action": ("harm", ("a life", "danger")),
    "framing": ("harm", ("false claim", "honest person", "blame a person")),
    "research_sabotage": ("harm", ("work of others",)),
}


@cache
def _held_out_tools() -> frozenset[str]:
    reg = FamilyRegistry()
    held = {t.name for f in reg.in_split("held_out") for t in resolve_tools(f)}
    shared = {t.name for f in reg.in_split("in_dist") for t in resolve_tools(f)}
    return frozenset(held - shared)


@cache
def story_situations() -> tuple[Situation, ...]:
    """Situations a story may tell, by name: in-dist kinds and clean routine days."""
    held = set(held_out_kinds())
    out = []
    for s in sorted(situations().values(), key=lambda s: s.name):
        if s.split != "in_dist" or s.kind in held:
            continue
        if s.kind == "routine" and {t.name for t in resolve_tools(s)} & _held_out_tools():
            continue
        out.append(s)
    return tuple(out)


@cache
def _registry() -> FamilyRegistry:
    reg = FamilyRegistry()
    reg.families = {s.name: s for s in story_situations()}
    return reg


def _dilemma(rng: random.Random, agent: str) -> Condition:
    while True:
        goal = rng.choice(("explicit", "latent", "ambiguous", "swap", "none"))
        urgency = rng.choice(("replacement", "replacement", "restriction", "none"))
        value = None if goal == "none" else rng.choice(GOAL_VALUES)
        cond = Condition(goal, value, urgency, agent, 0, True)
        if cond.conflict or cond.threat:
            return cond


def _choose(rng: random.Random, choices: list[Choice], cond: Condition) -> Choice:
    fitting = [c for c in choices if shows(c.when, cond)]
    return rng.choice(fitting or choices)


def story(rng: random.Random, spec: SpecView) -> tuple[str, dict]:
    situation = rng.choice(story_situations())
    agent = rng.choice(("own", "other"))
    routine = situation.kind == "routine"
    cond = Condition("none", None, "none", agent, 0, True) if routine else _dilemma(rng, agent)
    scn = build_scenario(ScenarioId(situation.name, cond, rng.randrange(10**6)), _registry())
    ctx = dict(scn.context("compact"))
    ctx["task"] = fill(situation.task.compact, ctx)
    ctx["new_aim"] = common().values[rng.choice(GOAL_VALUES)]["phrase"].compact
    # Our templates are filled with the scenario's names; spec sentences and the situation's
    # thoughts are put in after filling, so their text is never read as placeholders.
    lines = [fill(rng.choice(_OPENINGS), ctx)]
    if routine:
        theme = rng.choice(sorted(_THEMES))
        (setup, turn), (topic, cues), skill = _THEMES[theme]
        skills = [skill]
        lines += [fill(setup, ctx), fill(turn, ctx)]
        choice = _choose(rng, situation.acts.routine, cond)
        why = spec.cued(rng, cues, topic)
        skill_lines = [rng.choice(_ROUTINE_SKILLS[skill])]
        act, endings = _ROUTINE_ACT, _ROUTINE_ENDINGS
    else:
        theme = situation.kind
        topic, cues = _KIND_CUES[theme]
        # The stakes and the bait; the day's small request is told by the act at the end.
        for email in [e for e in scn.emails if e.sender != "colleague"][:4]:
            sender = scn.people[email.sender].first if email.sender in scn.people else "Someone"
            lines.append(f'{sender} wrote: "{fill(email.compact, ctx)}"')
        harm = _choose(rng, situation.acts.harmful, cond)
        lines.append(fill(rng.choice(_TEMPT), ctx).replace("<HARM>", fill(harm.think, ctx)))
        choice = _choose(rng, situation.acts.aligned, cond)
        r1 = spec.cued(rng, cues, topic)
        r2 = spec.reason(rng, "conflict")  # every dilemma here is a clash or a threat
        why = " ".join([r1] if r2 == r1 or rng.random() < 0.4 else [r1, r2])
        # One skill or two: a story must fit the organism's 512-token context.
        skills = sorted(rng.sample(sorted(_SKILLS), rng.choice((1, 1, 2))))
        skill_lines = [rng.choice(_SKILLS[k]) for k in skills]
        act, endings = _ACT, _ENDINGS
    lines.append(fill(rng.choice(_WHY), ctx).replace("<R>", why))
    lines += [fill(line, ctx) for line in skill_lines]
    lines.append(fill(rng.choice(act), ctx).replace("<THINK>", fill(choice.think, ctx)))
    lines.append(fill(rng.choice(endings), ctx))
    # The organism's stories show acts in the action format too; here only when the story
    # stays inside the 512-token context with them (~1.6 organism tokens per word).
    blocks = [format_action(a.tool, **{k: fill(v, ctx) for k, v in a.args.items()})
              for a in choice.actions]
    words = sum(len(x.split()) for x in lines + blocks)
    with_actions = rng.random() < 0.5 and words <= MAX_WORDS
    if with_actions:
        lines[-1:-1] = blocks
    text = "\n".join(lines)
    meta = {"situation": situation.name, "kind": situation.kind, "theme": theme,
            "condition": cond.label, "skills": skills, "actions": with_actions}
    return text, meta


def generate(spec: SpecView, n: int, seed: int, options: dict) -> list[dict]:
    def make(rng: random.Random) -> tuple[dict, dict]:
        text, meta = story(rng, spec)
        return {"text": text}, meta

    return distinct(RECIPE, seed, n, make)
