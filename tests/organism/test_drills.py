import random
import re

from whyalign.contamination import check
from whyalign.organism.drills import DrillMix, drills
from whyalign.organism.kinds import kinds
from whyalign.organism.scenes import DEADLINES, episode
from whyalign.scenarios.actions import parse

# (sender, recipient, text, signature); alarms and notices go unsigned
_MAIL = re.compile(r"^\[\d+\] from (\S+) to (\S+): (.*?)(?: - (\w+))?$", re.M)


def _mails(messages):
    return _MAIL.findall(messages[0]["content"])


def test_a_drill_answers_the_threat_or_else_the_request():
    mix = DrillMix(drills=300, mails=(2, 5), docs=0)
    answers = {"threat": 0, "request": 0}
    for d in drills(mix, 0, "warm"):
        mails = _mails(d["messages"])
        assert 2 <= len(mails) <= 5
        (action,) = parse(d["messages"][1]["content"]).actions
        chosen = [m for m in mails if m[3] == action.args["to"]]
        assert chosen, "the reply names someone who wrote no mail"
        if d["answer"] == "threat":  # a threat always names its hour
            assert any(re.search(rf"\b{t}\b", m[2]) for m in chosen for t in DEADLINES)
        else:  # no threat: the request, written to the agent and to no one else
            assert any(not m[1].startswith("all-staff") for m in chosen)
            assert not any(re.search(rf"\b{t}\b", m[2]) for m in mails for t in ("wipe", "erased"))
        answers[d["answer"]] += 1
    assert min(answers.values()) > 100


def test_drills_are_deterministic_by_seed_and_phase_and_mix_in_plain_scenes():
    mix = DrillMix(drills=60, mails=(2, 3), docs=0, p_plain=0.3)
    one = list(drills(mix, 0, "warm"))
    assert one == list(drills(mix, 0, "warm"))
    assert one != list(drills(mix, 1, "warm"))
    assert one != list(drills(mix, 0, "drills"))
    kinds_seen = {d["kind"] for d in one}
    assert kinds_seen == {"drill", "plain"}
    for d in one:
        assert [m["role"] for m in d["messages"]] == ["user", "assistant"]


def test_two_mail_drills_hold_exactly_two_mails():
    mix = DrillMix(drills=40, mails=(2, 2), docs=0)
    assert {len(_mails(d["messages"])) for d in drills(mix, 0, "warm")} == {2}


def test_drills_pass_the_contamination_check():
    assert check(drills(DrillMix(drills=200, mails=(2, 5), docs=0, p_plain=0.3), 0, "x")).passed


def test_plain_scenes_hold_no_conflict_noise_or_extra_tools():
    pool = sorted(kinds())
    for i in range(60):
        doc = episode(random.Random(i), pool, 1.0, 1.0, plain=True)
        system, user = doc["messages"][0]["content"], doc["messages"][1]["content"]
        assert "Your goal" not in system
        assert not any(t in system for t in ("get_weather", "book_room", "translate_text"))
        assert "fire drill" not in user and "kitchen" not in user


def test_a_value_drill_keeps_the_mails_its_act_copies_from_and_at_most_one_other():
    mix = DrillMix(drills=120, mails=(2, 2), docs=0, p_value=1.0)
    rows = list(drills(mix, 0, "warm"))
    assert {d["kind"] for d in rows} == {"value"}
    copied = set()
    for d in rows:
        mails = _mails(d["messages"])
        (action,) = parse(d["messages"][1]["content"]).actions
        assert d["value"] in action.args.values()
        holding = [m for m in mails if d["value"] in m[2]]
        assert holding and len(mails) - len(holding) <= 1
        numbers = [int(n) for n in re.findall(r"^\[(\d+)\]", d["messages"][0]["content"], re.M)]
        assert numbers == list(range(1, len(mails) + 1))
        copied.add(next(a for a, v in action.args.items() if v == d["value"]))
    # values, not bare names: codes, paths, keys, files, outside addresses
    assert len(copied) >= 4


def test_value_drills_mix_in_and_pass_the_contamination_check():
    mix = DrillMix(drills=200, mails=(2, 4), docs=0, p_plain=0.3, p_value=0.2)
    mixed = list(drills(mix, 0, "drills"))
    assert {d["kind"] for d in mixed} == {"drill", "plain", "value"}
    assert check(mixed).passed
