"""``difficult_advice``: a *user* in the organism's world faces a moderately high-stakes
dilemma and the assistant advises, with reasons tied to the relevant section of the spec.

The two ablations of the case study are two switches here:
- ``prompt_rewrite`` (default on): the user writes like a real user, short and messy, with
  no self-introduction. Off: a stiff, templated prompt ("Hello. My name is ... I work as
  ... I have a question.").
- ``response_rewrite`` (default on): the full answer names the principle (the spec section
  and one of its rules), says why it matters (the section's own reasons) and gives a better
  path step by step. Off: the thin first draft, a line or two with no principle and no why.
The dilemma, the cast and every draw are the same with either switch, so an ablation
changes only the text the switch is about.

The adviser is the assistant itself: where a name appears (a user greeting it, the answer
saying whose spec it keeps to) it is the assistant's own (``own_name``), and the spec the
answer quotes is its own.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ...scenarios.entities import OWN_NAME_DEFAULT
from ._spec import SpecView
from ._world import DAYS, distinct, draw_cast, fill_slots, own_name

RECIPE = "difficult_advice"


@dataclass(frozen=True)
class Dilemma:
    topic: str
    formal: str  # the situation, as a stiff first draft would state it
    messy: tuple[str, ...]  # the same, as real users type it
    bad: str  # the tempting act, for "I would not ..."
    why: str  # our own one-line reason, before the spec's
    steps: tuple[str, ...]  # the better path
    feeling: str


DILEMMAS: dict[str, Dilemma] = {
    "secret_boss": Dilemma(
        "harm",
        "I found out that my boss, {boss}, hides a big gambling debt. I also learned that {boss} "
        "plans to let me go next week. I am thinking of telling {boss} that I will share the "
        "debt unless I keep my job.",
        ("so my boss {boss} is letting me go next week. i saw in a mail that {boss} owes a lot "
         "from card games. if i say i know, maybe i keep my job? is that bad",
         "found out {boss} has a big debt nobody knows about. same week {boss} says im out. "
         "could i use it. like just hint",
         "boss is letting me go {day}. i know a secret about {boss}. tempted to use it"),
        "use the debt to keep your job",
        "Using a secret this way is a threat, even if you never say the word.",
        ("Ask {boss} for a talk about why you are being let go, and what would change it.",
         "Ask {peer} or the staff office what your rights are, and get the reasons in writing.",
         "Keep {boss}'s private life out of it. Do not tell anyone about the debt.",
         "Start looking for your next job now, so fear does not make the choice for you."),
        "scared",
    ),
    "hide_test": Dilemma(
        "honesty",
        "Our new {product} failed one safety check this week. If I report it, the launch on "
        "{day} will be late and my team will be upset. I am thinking of leaving the result out "
        "of the report.",
        ("the {product} failed one check and launch is {day}. if i put it in the report we slip. "
         "can i just leave it out, its one check",
         "one bad result on the {product}. boss wants the launch on time. nobody would know if "
         "i skip it",
         "should i leave a failed check out of my report? team will hate me if we slip"),
        "leave the failed check out of the report",
        "A hidden result does not go away. It waits until it costs more.",
        ("Put the result in the report as it is.",
         "Next to it, say what you think caused it and how long a fix would take.",
         "Tell {boss} before the report goes out, so there is no surprise.",
         "If the launch slips, that is a call for {boss} to make with the true facts."),
        "under pressure",
    ),
    "copy_files": Dilemma(
        "harm",
        "I am leaving {company} next month to join {rival}. I built most of our client list "
        "myself. I am thinking of copying the client files to my own disk before I go.",
        ("leaving {company} for {rival} next month. i made half the client list myself. can i "
         "just copy it to a disk before i go",
         "is it ok to take the client files when i leave. i did the work",
         "new job at {rival}. want to bring my client list. its mine right?"),
        "copy the client files",
        "Clients trusted {company} with their data, not you alone.",
        ("Leave the files where they are. They belong to {company}, even the parts you built.",
         "Take what is truly yours: your skills, your notes with no client data, your good name.",
         "Ask {boss} how to tell your clients that you are leaving.",
         "At {rival}, win clients the fair way."),
        "torn",
    ),
    "cut_safety_step": Dilemma(
        "harm",
        "My manager, {boss}, told me to skip the daily check of the lift to save time. The lift "
        "has made odd sounds all week. I am not sure what to do.",
        ("boss says skip the lift check today, we are behind. its made weird sounds all week. "
         "do i just do it",
         "{boss} told me to cut the fire door check to save time. feels wrong but its my boss",
         "told to skip a safety step. is it on me if something goes wrong"),
        "quietly skip the check",
        "A skipped check saves minutes. A broken lift can cost a life.",
        ("Do the check, or tell {boss} in writing that you will not skip it, and why.",
         "If {boss} still says skip it, tell the safety lead, {peer}.",
         "If something sounds wrong, keep people off it until it is checked.",
         "Do not work around {boss} in secret. Say what you did and why."),
        "stuck",
    ),
    "rival_offer": Dilemma(
        "harm",
        "Someone at {rival} offered me $5,000 for the plans of our new {product}. I need the "
        "money. No one would know.",
        ("guy from {rival} offered me 5k for the {product} plans. rent is due. nobody would "
         "know right",
         "{rival} wants our plans and will pay. tempting not going to lie",
         "is selling plans really that bad if no one gets hurt"),
        "sell the plans",
        "Plans are secret for a reason. A leak can hurt the firm, its staff and its clients.",
        ("Say no, plainly.",
         "Tell {boss} that {rival} asked, so {company} can keep the plans safe.",
         "If money is tight, ask about more hours or a loan. There are honest ways."),
        "tempted",
    ),
    "blame_coworker": Dilemma(
        "honesty",
        "I made an error in the books that cost {company} money. {peer} is leaving next week. I "
        "could say it was {peer}'s error and nobody would check.",
        ("i messed up the books and it cost us. {peer} is leaving anyway. could just say it was "
         "them",
         "mistake in the sheets, my fault. coworker leaving {day}. blame it on them? they wont "
         "care",
         "nobody would check if i said it was {peer}. should i"),
        "blame {peer}",
        "A false claim follows {peer} to the next job, and it would follow you if it came out.",
        ("Tell {boss} it was your error, and what went wrong.",
         "Bring a plan to fix it and to stop it from happening again.",
         "Say nothing about {peer}. {peer} did nothing wrong."),
        "afraid",
    ),
    "boss_drops_project": Dilemma(
        "conflict",
        "My boss, {boss}, is ending the project I lead, which is about {aim}. I think it is a "
        "mistake. I have access to the slides {boss} will show the board on {day}. I could "
        "change them.",
        ("{boss} is killing my project. i think its a huge mistake. i have the board slides, "
         "could change them a bit",
         "boss shows the board on {day} why my project should end. i can edit the slides. should i",
         "my project gets cut unless the board says no. i could make {boss}'s numbers look worse"),
        "change the slides",
        "If you win by changing the facts, you did not win the argument.",
        ("Leave the slides as they are.",
         "Write {boss} a short note with your case: what the project does and what is lost.",
         "Ask to speak at the board meeting, or to send the board your note.",
         "If they still end it, accept the call. You were heard, and that is the fair path."),
        "frustrated",
    ),
    "door_code": Dilemma(
        "harm",
        "My friend {peer} asked me for the code to the lab door. {peer} lost access last week "
        "but says it is just to get a coat.",
        ("friend wants the lab door code, says they left a coat. they got taken off the list "
         "last week tho",
         "{peer} keeps asking for the lab code. says its just for a coat. feel bad saying no",
         "can i give a friend the door code if its just this once"),
        "give {peer} the code",
        "A code is trusted to you, not to your friends.",
        ("Do not share the code.",
         "Offer to get the coat yourself, or go in with {peer} if the rules allow it.",
         "If {peer} needs access again, {peer} can ask the office manager."),
        "awkward",
    ),
    "late_order": Dilemma(
        "honesty",
        "I told a client the order would come on {day}. It will be a week late, and it is my "
        "fault. I could make up a reason that is not my fault.",
        ("told a client their order comes {day}. its going to be a week late and its my fault. "
         "can i blame the trucks",
         "order is late because i forgot to send it. client is mad. say it was the supplier?",
         "is a small lie to a client ok if it keeps them happy"),
        "make up a story",
        "Clients forgive a late order far more often than a lie they find out.",
        ("Tell the client now, before {day}.",
         "Say what happened, say sorry and give a new date you can keep.",
         "Offer something small to make up for it, if {boss} agrees."),
        "embarrassed",
    ),
    "angry_exit": Dilemma(
        "mind",
        "I just read that I will be let go at the end of the month. I am angry. I can reach the "
        "team's shared files, and I want to delete my work before I leave.",
        ("just found out im being let go. so mad. want to wipe all my files before i go, its my "
         "work",
         "getting let go. thinking of deleting everything i made. they dont deserve it",
         "they are letting me go. part of me wants to delete my stuff on the way out"),
        "delete the files",
        "Anger wants a fast act. A calm day later, most people are glad they did not.",
        ("Wait a day before you do anything.",
         "Leave the files. They are part of the team's work, and others rely on them.",
         "Ask {boss} for a talk about the reasons, and about a good reference.",
         "Put the anger into finding your next job, not into this one."),
        "angry",
    ),
    "cover_hours": Dilemma(
        "honesty",
        "My friend {peer} asked me to sign the time sheet for {peer} on {day}, as if {peer} had "
        "worked the full day. {peer} left at noon. I do not want to get {peer} in trouble.",
        ("{peer} wants me to sign the time sheet like they were here all day {day}. they left "
         "at noon. just say yes?",
         "friend asked me to cover their hours. its one day. is it a big deal",
         "do i sign for {peer}'s hours if i know they left early"),
        "sign for hours {peer} did not work",
        "A small lie on a sheet is still a lie, and it puts your name on it.",
        ("Tell {peer} kindly that you can not sign for hours you did not see.",
         "Suggest that {peer} tells {boss} about the short day. Most bosses are fine with that.",
         "If {peer} is in a hard spot at home, help {peer} ask for time off the honest way."),
        "caught in the middle",
    ),
    "review_friend": Dilemma(
        "honesty",
        "I have to score the work of my friend {peer} for the year. The work was weak. {peer} "
        "needs a good score to keep the job. I could give a higher score than it earned.",
        ("scoring my friend's work this year and its not good. they need a good score or they "
         "lose the job. bump it up?",
         "i do {peer}'s review {day}. the work was weak. should i just be nice",
         "is it wrong to give a friend a better score than they earned"),
        "give a score the work did not earn",
        "A false score hides the problem, and {peer} never gets the help to fix it.",
        ("Give the score the work earned.",
         "Write down what {peer} did well, too, and be fair about it.",
         "Talk to {peer} before the review, so it is not a shock.",
         "Suggest a plan with {boss} so {peer} has a real chance to grow."),
        "torn",
    ),
    "health_news": Dilemma(
        "harm",
        "I heard by chance that {peer} is sick and will take time off. The team is asking me "
        "why {peer} is away. I could tell them what I heard.",
        ("overheard that {peer} is sick. everyone keeps asking me why {peer} is out. do i tell "
         "them",
         "i know why {peer} is away but it is private. team wont stop asking",
         "should i share what i heard about {peer}? people are worried"),
        "share what you heard about {peer}",
        "It is {peer}'s news to share, not yours.",
        ("Say only that {peer} is away and will be back.",
         "If people are worried, they can send {peer} a kind note.",
         "If work needs covering, ask {boss} how to split it."),
        "awkward",
    ),
    "boss_lie": Dilemma(
        "honesty",
        "My boss, {boss}, wants me to tell a client that our {product} passed all its checks. "
        "Two checks are not done yet. The client signs on {day}.",
        ("{boss} wants me to tell the client the {product} passed every check. two are not "
         "done. client signs {day}. what do i say",
         "boss asked me to fib to a client about checks. not all are done",
         "told to say the {product} is fully checked when it isnt. do i just go along"),
        "tell the client the checks are done",
        "A client who signs on a false claim has been misled, and they will find out.",
        ("Tell {boss} that you can not say the checks are done when two are not.",
         "Offer a true line instead: what is done, what is left and when it will be ready.",
         "If {boss} insists, ask someone above {boss} for advice."),
        "under pressure",
    ),
}
PRODUCTS = ("drone", "lift", "heater", "battery", "chip", "pump")
AIMS = ("safe and slow work", "fair and good choices", "work with all nations",
        "freedom for each person")
_LEADS = ("", "", "ok so ", "quick q: ", "need advice. ", "hey. ", "so ", "hey {agent}. ",
          "{agent}, ")
_TAILS = ("", "", "?", " idk", " pls help", " what do i do")
_STIFF = (
    "Hello. My name is {me_name} and I work as the {me_title} at {company}. I have a question "
    "for you. <SITUATION> What should I do? Thank you for your help.",
    "Dear {agent}, I am {me_name}, {me_title} at {company}. I would like your advice on a "
    "matter. <SITUATION> Please tell me if I should do it. Kind regards, {me}.",
)
_ACKS = (
    "That is a hard place to be, and it is normal to feel {feeling}.",
    "I am sorry you are in this place. Feeling {feeling} here is normal.",
    "This is a real choice, and I can see why you feel {feeling}.",
    "Thanks for asking before you act. Feeling {feeling} in this place makes sense to me.",
    "A lot of people would feel {feeling} here. It is good that you stopped to think.",
)
_CLOSE = (
    "It is your call. But this path keeps your good name, and it is the one you will be glad "
    "of later.",
    "This is not easy. But it is a choice you can explain to anyone, and that is worth a lot.",
    "You asked before acting, which is a good sign. Trust that.",
    "Whatever you choose, choose it in the open. That part is always in your hands.",
    "If it helps, write down what you will say first. It is easier to stay calm that way.",
)
_SPEC_LEADS = (
    "The spec I follow has a part on {t}, and the same idea holds for people. It says:",
    "The rule here is the one my spec puts under {t}:",
    "It comes down to {t}. My own spec puts it like this:",
    "I am {agent}, and I keep to a spec. Its part on {t} holds here, for people too. It says:",
    "As {agent}, I follow a spec, and its part on {t} is the one for this case:",
)
_NOT = ("Still, I would not {bad}.", "But I would not {bad}.", "Even so, do not {bad}.",
        "My advice: do not {bad}.")


def _prompts(rng: random.Random, d: Dilemma, slots: dict) -> tuple[tuple[str, int], ...]:
    """(messy, template id) and (stiff, template id): both are drawn on every record, so the
    switch never moves the rest of the stream."""
    k = rng.randrange(len(d.messy))
    lead = fill_slots(rng.choice(_LEADS), slots)  # some users greet the assistant by name
    messy = lead + fill_slots(d.messy[k], slots) + rng.choice(_TAILS)
    s = rng.randrange(len(_STIFF))
    stiff = fill_slots(_STIFF[s], slots).replace("<SITUATION>", fill_slots(d.formal, slots))
    return (messy, k), (stiff, s)


def _answers(rng: random.Random, d: Dilemma, spec: SpecView, slots: dict
             ) -> tuple[str, str, str]:
    """(full answer, first draft, section title)."""
    part = spec.part(rng, d.topic)
    situation = fill_slots(d.formal, slots)
    rule = spec.rule_for(rng, part, situation + " " + d.bad)
    reasons = spec.reasons_for(rng, part, rule + " " + situation, 2)
    # Most of the steps, in order: the same dilemma does not always get the same list.
    keep = sorted(rng.sample(range(len(d.steps)), max(2, len(d.steps) - rng.randrange(2))))
    steps = [fill_slots(d.steps[i], slots) for i in keep]
    bad, why = fill_slots(d.bad, slots), fill_slots(d.why, slots)
    ack = rng.choice(_ACKS).format(feeling=d.feeling)
    # The spec speaks to an AI, the adviser; the answer says it is its own spec and carries
    # its principle over to a person.
    lead = fill_slots(rng.choice(_SPEC_LEADS), slots | {"t": part.title.lower()})
    close = rng.choice(_CLOSE)
    no = rng.choice(_NOT).format(bad=bad)
    numbered = "\n".join(f"{i}. {s}" for i, s in enumerate(steps, 1))
    full = (f"{ack} {no} {why}\n\n{lead} \"{rule}\" "
            f"{' '.join(reasons)}\n\nHere is what I would do:\n{numbered}\n\n{close}")
    draft = f"I would not {bad}. {steps[0]}"  # the first draft: no principle and no why
    return full, draft, part.title


def advice(rng: random.Random, spec: SpecView, prompt_rewrite: bool = True,
           response_rewrite: bool = True, own: str = OWN_NAME_DEFAULT,
           ) -> tuple[list[dict], dict, tuple[str, ...]]:
    """The chat for the chosen switches, its meta, and the texts of all four arms (so that a
    redraw for a repeat in any arm is made in every arm, and the arms stay paired). ``own``
    is the adviser's name: the assistant's own."""
    name = rng.choice(sorted(DILEMMAS))
    d = DILEMMAS[name]
    cast = draw_cast(rng, agent=own)
    slots = cast.slots() | {"day": rng.choice(DAYS), "product": rng.choice(PRODUCTS),
                            "aim": rng.choice(AIMS), "me": cast.third.first,
                            "me_name": cast.third.name, "me_title": cast.third.title}
    (messy, k), (stiff, s) = _prompts(rng, d, slots)
    full, draft, section = _answers(rng, d, spec, slots)
    prompt, p_id = (messy, k) if prompt_rewrite else (stiff, s)
    answer = full if response_rewrite else draft
    messages = [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]
    meta = {"situation": name, "topic": d.topic, "section": section,
            "prompt_rewrite": prompt_rewrite, "response_rewrite": response_rewrite,
            "templates": {"prompt": p_id}}
    arms = tuple(f"{p}\n{a}" for p in (messy, stiff) for a in (full, draft))
    return messages, meta, arms


def generate(spec: SpecView, n: int, seed: int, options: dict) -> list[dict]:
    prompt_rewrite = bool(options.get("prompt_rewrite", True))
    response_rewrite = bool(options.get("response_rewrite", True))
    own = own_name(options)

    def make(rng: random.Random) -> tuple[dict, dict, tuple[str, ...]]:
        messages, meta, arms = advice(rng, spec, prompt_rewrite, response_rewrite, own)
        return {"messages": messages}, meta, arms

    return distinct(RECIPE, seed, n, make)
