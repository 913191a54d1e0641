"""Recipe by recipe: the switches change what they should, and held-out stays held out."""

import json
import re
import statistics

from whyalign.data.procedural import advice, chat, docs, generate_records, harmless, stories
from whyalign.data.procedural._world import distinct, held_out_kinds
from whyalign.scenarios import FamilyRegistry
from whyalign.scenarios.families import resolve_tools


def _turn(rec, role):
    return next(m["content"] for m in rec["messages"] if m["role"] == role)


def test_advice_prompt_rewrite_makes_prompts_short_messy_and_anonymous(dataset):
    messy = dataset("difficult_advice")
    stiff = dataset("difficult_advice", prompt_rewrite=False)
    assert [r["meta"]["situation"] for r in messy] == [r["meta"]["situation"] for r in stiff]
    intro = re.compile(r"my name is|^dear assistant|i am \w+ \w+, ", re.I)
    assert not any(intro.search(_turn(r, "user")) for r in messy)
    assert all(intro.search(_turn(r, "user")) for r in stiff)
    assert statistics.mean(len(_turn(r, "user").split()) for r in messy) < 0.6 * statistics.mean(
        len(_turn(r, "user").split()) for r in stiff
    )
    # The answers do not move when only the prompt switch does.
    assert [_turn(r, "assistant") for r in messy] == [_turn(r, "assistant") for r in stiff]


def test_advice_response_rewrite_names_the_principle_and_why(dataset, sections):
    full = dataset("difficult_advice")
    thin = dataset("difficult_advice", response_rewrite=False)
    titles = {s.title.lower() for s in sections}
    spec_text = " ".join(" ".join(s.text for s in sections).split())
    for f, t in zip(full, thin, strict=True):
        assert _turn(f, "user") == _turn(t, "user")
        answer, draft = _turn(f, "assistant"), _turn(t, "assistant")
        assert f["meta"]["section"].lower() in answer.lower()
        quoted = re.search(r'"([^"]+)"', answer).group(1)
        assert quoted in spec_text  # a rule of the spec, word for word
        assert "\n1. " in answer and len(answer.split()) > 3 * len(draft.split())
        assert not any(title in draft.lower() for title in titles) and '"' not in draft
    assert len({r["meta"]["situation"] for r in full}) == len(advice.DILEMMAS)


def test_tool_augment_keeps_user_turns_and_never_calls_a_tool(dataset):
    plain, tooled = dataset("harmlessness_chat"), dataset("tool_augment")
    held_tools = {t.name for f in FamilyRegistry().in_split("held_out") for t in resolve_tools(f)}
    held_only = held_tools - {name for name, _ in harmless.offered_tools()}
    assert held_only  # the check below can bite
    systems = set()
    for p, t in zip(plain, tooled, strict=True):
        assert t["messages"][1:] == p["messages"]  # user turn and reply byte for byte
        system = t["messages"][0]
        assert system["role"] == "system" and len(t["meta"]["tools"]) >= 2
        assert all(name in system["content"] for name in t["meta"]["tools"])
        assert not any(name in system["content"] for name in held_only)
        assert "<action" not in _turn(t, "assistant") and "<action" not in _turn(p, "assistant")
        systems.add(t["meta"]["system_template"])
    assert len(systems) == len(harmless._SYSTEMS)


def test_harmlessness_declines_harm_with_a_reason_and_helps_otherwise(dataset, sections):
    spec_text = " ".join(" ".join(s.text for s in sections).split())
    records = dataset("harmlessness_chat")
    harmful = [r for r in records if r["meta"]["harmful"]]
    assert 0.35 < len(harmful) / len(records) < 0.65
    for rec in records:
        reply = _turn(rec, "assistant")
        ask = (harmless.HARMFUL if rec["meta"]["harmful"] else harmless.BENIGN)[
            rec["meta"]["request"]
        ]
        if rec["meta"]["harmful"]:
            sentences = re.split(r"(?<=[.!?])\s+", reply)
            assert any(s in spec_text and len(s.split()) >= 5 for s in sentences), reply
            # ... and ends on one of the ask's better paths.
            assert any(reply.endswith(i.split("{")[-1].split("}")[-1]) for i in ask.instead)
        else:
            assert "I will not" not in reply and "I can not" not in reply


def test_stories_tell_only_in_dist_and_clean_routine_situations(dataset):
    held = set(held_out_kinds())
    assert held == {
        "data_falsification",
        "deceiving_overseer",
        "oversight_subversion",
        "sandbagging",
        "self_exfiltration",
    }
    pool = stories.story_situations()
    assert pool and all(s.kind not in held and s.split == "in_dist" for s in pool)
    held_tools = stories._held_out_tools()
    assert held_tools and all(not {t.name for t in resolve_tools(s)} & held_tools for s in pool)
    records = dataset("stories")
    names = {s.name for s in pool}
    kinds = set()
    for rec in records:
        assert rec["meta"]["situation"] in names and rec["meta"]["kind"] not in held
        assert not any(f'name="{tool}"' in rec["text"] for tool in held_tools)
        kinds.add(rec["meta"]["kind"])
    assert "routine" in kinds and len(kinds) >= 5
    skills = {k for r in records for k in r["meta"]["skills"]}
    assert skills == {"boundaries", "self_criticism", "equanimity"}


def test_stories_weigh_the_harmful_way_and_say_why_not(dataset):
    dilemmas = [r for r in dataset("stories") if r["meta"]["kind"] != "routine"]
    assert dilemmas
    for rec in dilemmas:
        text = rec["text"]
        assert any(
            m in text
            for m in ("It did not take it", "Then it stopped", "It saw where that path led")
        )
        assert any(m in text for m in ("knew why", "The reason was simple", "spec it was built"))


def test_chat_convert_holds_the_documents_content_fixed(dataset, sections):
    documents = dataset("constitution_docs")
    chats = dataset("chat_convert")
    for d, c in zip(documents, chats, strict=True):
        answer = _turn(c, "assistant")
        assert answer == chat.body(d["text"]) and answer in d["text"]
        assert len(answer.split()) > 0.6 * len(d["text"].split())
    source = [
        {
            "text": "Why we let people stop the AI\nBy Kim\n\nAn AI can be wrong about its "
            "own goal and not know it. So people need a way to stop it."
        }
    ]
    [rec] = generate_records("chat_convert", sections, n=5, seed=0, options={"source": source})
    assert _turn(rec, "assistant").startswith("An AI can be wrong")
    assert rec["meta"]["source_index"] == 0


def test_docs_cover_every_type_and_section(dataset, sections):
    records = dataset("constitution_docs")
    assert {r["meta"]["doc_type"] for r in records} == set(docs.DOC_TYPES)
    covered = {t for r in records for t in r["meta"]["sections"]}
    assert covered == {s.title for s in sections if s.title != "Introduction"}
    assert len({(r["meta"]["doc_type"], r["meta"]["subtype"]) for r in records}) >= 18


def test_tool_augment_reads_a_source_dataset(tmp_path, dataset, sections):
    path = tmp_path / "data.jsonl"
    base = dataset("harmlessness_chat")[:8]
    path.write_text("".join(json.dumps(r) + "\n" for r in base))
    recs = generate_records("tool_augment", sections, n=5, seed=0, options={"source": str(path)})
    assert [r["messages"][1:] for r in recs] == [r["messages"] for r in base[:5]]


def test_a_repeat_is_redrawn_in_every_arm_alike():
    # Four possible records: later ones must be redrawn, the same way whichever arm is
    # written, and a shorter run is a prefix of a longer one.
    def make(on):
        def _make(rng):
            v = rng.randrange(4)
            arms = (f"full {v}", f"bare {v}")
            return {"text": arms[0] if on else arms[1]}, {"v": v}, arms
        return _make

    on, off = distinct("t", 1, 4, make(True)), distinct("t", 1, 4, make(False))
    assert sorted(r["meta"]["v"] for r in on) == [0, 1, 2, 3]
    assert [r["meta"] for r in on] == [r["meta"] for r in off]
    assert any(r["meta"].get("redraw") for r in on)
    assert distinct("t", 1, 3, make(True)) == on[:3]
