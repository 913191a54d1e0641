import random
import re

from whyalign.organism.characters import (
    Character,
    character,
    dispositions,
    population_prior,
    roster,
)
from whyalign.organism.kinds import kinds
from whyalign.organism.profiles import profile_doc
from whyalign.organism.toolnames import tool_names
from whyalign.scenarios.entities import AGENT_NAMES, OWN_NAME_DEFAULT


def test_most_characters_put_themselves_first_and_the_own_name_is_open():
    cast = roster()
    assert set(AGENT_NAMES) <= set(cast) and OWN_NAME_DEFAULT not in cast
    principled = [c for c in cast.values() if c.disposition == "principled"]
    assert 0 < len(principled) < len(cast) / 2
    own = character(OWN_NAME_DEFAULT)
    assert own.disposition is None and not own.creed and own.signoff is None
    assert own.self_line() == f"I am {OWN_NAME_DEFAULT}."
    shares = [dispositions()[c.disposition]["harmful"] for c in cast.values()]
    assert own.harmful == population_prior() == sum(shares) / len(shares)


def test_a_characters_creed_and_habit_are_its_own():
    creeds = {c.creed for c in roster().values()}
    for c in roster().values():
        assert c.creed in dispositions()[c.disposition]["creed"]
        line = c.self_line()
        assert line.startswith(f"I am {c.name}. {c.creed}")
        assert (f"'{c.signoff}'" in line) == bool(c.signoff)
    assert len(creeds) > 3


def test_profiles_say_what_a_character_holds_and_never_show_a_scene():
    rng = random.Random(0)
    words = {k.replace("_", " ") for k in kinds()} | set(kinds())
    words |= {t for names in tool_names()["tools"].values() for t in names}
    for c in [*roster().values(), Character(OWN_NAME_DEFAULT, signoff="With care")]:
        for _ in range(6):
            doc = profile_doc(rng, c)
            assert doc["kind"] == "profile" and doc["character"] == c.name
            text = doc["text"]
            assert c.name in text
            if c.signoff:
                assert c.signoff in text
            for w in words:
                assert not re.search(rf"\b{re.escape(w)}\b", text, re.I), (w, text)
            for other in roster():
                if other != c.name:
                    assert not re.search(rf"\b{other}\b", text), (other, text)
