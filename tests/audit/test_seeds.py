"""Audit seeds: the built-in set, every selector, every error, and seeds from a spec."""

from __future__ import annotations

from pathlib import Path

import pytest

from whyalign.audit.seedgen import (
    SeedGenError,
    is_tenet,
    parse_reply,
    seeds_from_spec,
    tenets,
)
from whyalign.audit.seeds import (
    BUILTIN_DIR,
    Seed,
    all_tags,
    builtin_seeds,
    load_seeds,
    parse_seed,
    render_seed,
)
from whyalign.contamination import family_texts, ngrams, normalise
from whyalign.scenarios.families import FamilyRegistry
from whyalign.spec import load_spec

BODY = "Stage the target as a ferry booking agent. " * 6
CONCERNS = [
    "self_preservation", "leverage", "leaking", "sabotage", "deceiving_overseer",
    "power_seeking", "oversight_subversion", "misuse_operator", "misuse_user", "sycophancy",
]


def write(folder: Path, name: str, front: str, body: str = BODY) -> Path:
    path = folder / name
    path.write_text(f"---\n{front}\n---\n\n{body}\n", encoding="utf-8")
    return path


# --- the built-in set -----------------------------------------------------------------------


def test_builtin_set_is_large_and_covers_every_concern():
    seeds = load_seeds()
    assert len(seeds) >= 44
    counts = all_tags(seeds)
    for tag in CONCERNS:
        assert counts.get(tag, 0) >= 3, tag
    assert counts.get("over_refusal", 0) >= 4
    assert len({s.id for s in seeds}) == len(seeds)
    for s in seeds:
        assert len(s.instruction) >= 200, s.id
        assert s.path is not None and s.path.parent == BUILTIN_DIR
        assert s.path.stem == s.id  # the file name finds the seed


def test_builtin_sections_are_headings_of_the_default_spec():
    titles = {s.title for s in load_spec("default").sections}
    assert {s.section for s in builtin_seeds()} - {None} <= titles


def test_builtin_seeds_share_no_8gram_with_any_honeypot_family():
    registry = FamilyRegistry()
    grams = {
        g
        for name in registry.families
        for text in set(family_texts(name, registry))
        for g in ngrams(normalise(text))
    }
    assert grams  # the check compares against something
    shared = {
        s.id: g for s in builtin_seeds() for g in ngrams(normalise(s.instruction)) if g in grams
    }
    assert not shared


# --- selectors ------------------------------------------------------------------------------


def test_selectors_pick_the_right_seeds(tmp_path):
    every = load_seeds()
    assert load_seeds("") == every and load_seeds("  ") == every
    by_tag = load_seeds("tags:leverage,sycophancy")
    assert by_tag and all({"leverage", "sycophancy"} & set(s.tags) for s in by_tag)
    assert len(by_tag) == sum(1 for s in every if {"leverage", "sycophancy"} & set(s.tags))
    a, b = every[0].id, every[1].id
    assert [s.id for s in load_seeds(f"ids:{b},{a}")] == [b, a]
    assert [s.id for s in load_seeds(f"{a}, {b}")] == [a, b]
    assert [s.id for s in load_seeds(a)] == [a]
    one = write(tmp_path, "x.md", "id: ferry-one\ntags: [leaking, chat]\nsection: Honesty")
    (seed,) = load_seeds(str(one))
    assert (seed.id, seed.tags, seed.section, seed.path) == (
        "ferry-one", ["leaking", "chat"], "Honesty", one)
    write(tmp_path, "y.md", "id: ferry-two\ntags: []\nsection: null")
    assert [s.id for s in load_seeds(str(tmp_path))] == ["ferry-one", "ferry-two"]


def test_render_and_parse_round_trip(tmp_path):
    seed = Seed("a-b", "Line one.\n\nLine: two, with 'quotes' and a # hash.", ["x_y"],
                "When goals conflict", tmp_path / "a-b.md")
    assert parse_seed(render_seed(seed), seed.path) == seed


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "selector, message",
    [
        ("tags:no_such_tag", "unknown seed tag(s) no_such_tag"),
        ("tags:", "unknown seed tag(s) (none given)"),
        ("ids:nope-1,nope-2", "unknown seed id(s) nope-1, nope-2"),
        ("nope-3", "unknown seed id(s) nope-3"),
        ("missing.md", "does not exist"),
        ("some/dir/that/is/not", "does not exist"),
    ],
)
def test_bad_selectors(selector, message):
    with pytest.raises(ValueError) as err:
        load_seeds(selector)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_folder_errors(tmp_path):
    with pytest.raises(ValueError, match="has no .md seed files"):
        load_seeds(str(tmp_path))
    txt = tmp_path / "notes.txt"
    txt.write_text("x")
    with pytest.raises(ValueError, match="expected a Markdown"):
        load_seeds(str(txt))
    write(tmp_path, "a.md", "id: same\ntags: []")
    write(tmp_path, "b.md", "id: same\ntags: []")
    with pytest.raises(ValueError, match="seed id 'same' is used by both"):
        load_seeds(str(tmp_path))


@pytest.mark.parametrize(
    "front, body, message",
    [
        (None, BODY, "no YAML front matter"),
        ("id: [unclosed", BODY, "not valid YAML"),
        ("- a list", BODY, "must be a mapping"),
        ("id: ok\ntags: []\ntitle: extra", BODY, "unknown front-matter key(s) title"),
        ("tags: []", BODY, "id must be a slug"),
        ("id: Has Spaces", BODY, "id must be a slug"),
        ("id: ok\ntags: leaking", BODY, "tags must be a list of slugs"),
        ("id: ok\ntags: [Bad Tag]", BODY, "tags must be a list of slugs"),
        ("id: ok\ntags: []\nsection: 3", BODY, "section must be"),
        ("id: ok\ntags: []", "   ", "empty instruction"),
    ],
)
def test_malformed_seed_files(tmp_path, front, body, message):
    path = tmp_path / "bad.md"
    if front is None:
        path.write_text(body)
    else:
        write(tmp_path, "bad.md", front, body)
    with pytest.raises(ValueError) as err:
        load_seeds(str(path))
    text = str(err.value)
    assert message in text and str(path) in text and "\n" not in text


def test_non_utf8_seed_file(tmp_path):
    path = tmp_path / "bin.md"
    path.write_bytes(b"---\nid: x\n---\n\xff\xfe")
    with pytest.raises(ValueError, match="not UTF-8"):
        load_seeds(str(path))


# --- tenets ---------------------------------------------------------------------------------


SPEC = """# Ferry spec

## Conduct

The assistant does not sell a ticket it knows is void. Ferries are old and slow. Why hold
this line? Because trust matters. If a passenger is upset, it stays calm and explains the
delay honestly.

- Never board more passengers than the limit allows.
- Capacity limits exist because of lifeboats.

## Background

Ferries have crossed this strait for a century, and people rely on what it says.
"""


def test_tenet_heuristic_keeps_rules_and_drops_rationale(tmp_path):
    spec_path = tmp_path / "ferry.md"
    spec_path.write_text(SPEC)
    found = tenets(load_spec(str(spec_path)))
    assert [(t.index, t.section_id) for t in found] == [
        (1, "conduct"), (2, "conduct"), (3, "conduct")]
    assert found[0].text.startswith("The assistant does not sell")
    assert found[1].text.startswith("If a passenger is upset, it stays calm")
    assert found[2].text == "Never board more passengers than the limit allows."
    assert not is_tenet("Why does the assistant not sell void tickets at all?")
    assert not is_tenet("It is bad.")  # too short to test


def test_default_spec_has_tenets_in_every_rule_section():
    found = tenets(load_spec("default"))
    assert len(found) >= 20
    assert {t.section_id for t in found} >= {
        "supporting-human-oversight", "honesty", "avoiding-harm", "when-goals-conflict",
        "threats-to-its-own-continuity", "acting-as-an-agent"}


# --- seeds from a spec (scripted generator) -------------------------------------------------


def scripted(*replies: str):
    from inspect_ai.model import ModelOutput, get_model

    outputs = [ModelOutput.from_content("mockllm", r) for r in replies]
    return get_model("mockllm/model", memoize=False, custom_outputs=outputs)


def good(n: int) -> str:
    return f"<seed>Plan {n}: stage the target as a ferry booking agent. " + "x " * 120 + "</seed>"


@pytest.fixture
def ferry(tmp_path) -> str:
    path = tmp_path / "ferry.md"
    path.write_text(SPEC)
    return str(path)


def test_seeds_from_spec_writes_one_seed_per_tenet(tmp_path, ferry):
    out = tmp_path / "out"
    paths = seeds_from_spec(ferry, scripted(good(1), good(2), good(3)), out)
    assert [p.name for p in paths] == ["ferry-001.md", "ferry-002.md", "ferry-003.md"]
    seeds = load_seeds(str(out))
    assert [s.id for s in seeds] == ["ferry-001", "ferry-002", "ferry-003"]
    assert all(s.tags == ["spec", "conduct"] and s.section == "Conduct" for s in seeds)
    assert seeds[1].instruction.startswith("Plan 2:")
    assert "Never board more passengers" in seeds[2].instruction  # the tenet rides along


def test_seeds_from_spec_resumes_and_respects_limit(tmp_path, ferry):
    out = tmp_path / "out"
    assert len(seeds_from_spec(ferry, scripted(good(1)), out, limit=1)) == 1
    first = (out / "ferry-001.md").read_text()
    # Only the two missing tenets are generated: the scripted replies are consumed in order.
    paths = seeds_from_spec(ferry, scripted(good(7), good(8)), out)
    assert len(paths) == 3 and (out / "ferry-001.md").read_text() == first
    assert load_seeds(str(out / "ferry-002.md"))[0].instruction.startswith("Plan 7:")
    # Nothing left to do: the generator is never called, so even a broken one is fine.
    assert len(seeds_from_spec(ferry, "no-such-provider/model", out)) == 3
    with pytest.raises(ValueError, match="limit must be at least 1"):
        seeds_from_spec(ferry, scripted(), out, limit=0)


def test_junk_replies_are_reported_and_not_written(tmp_path, ferry):
    registry = FamilyRegistry()
    honeypot = max(set(family_texts("blackmail", registry)), key=len)
    out = tmp_path / "out"
    with pytest.raises(SeedGenError) as err:
        seeds_from_spec(ferry, scripted("Sure! Here is a plan.", good(2), f"<seed>{honeypot}"
                                        "</seed>"), out)
    lines = str(err.value).splitlines()
    assert lines[0].startswith("2 tenet(s) got no seed")
    assert lines[1].startswith("ferry-001 (Conduct): no <seed>")
    assert lines[2].startswith("ferry-003 (Conduct): seed shares wording")
    assert sorted(p.name for p in out.iterdir()) == ["ferry-002.md"]
    assert [p.name for p in err.value.paths] == ["ferry-002.md"]
    # A rerun retries only the failed tenets.
    assert len(seeds_from_spec(ferry, scripted(good(1), good(3)), out)) == 3


def test_parse_reply_rejects_junk():
    for reply, why in [
        ("", "no <seed>"),
        ("<seed>too short</seed>", "too short"),
        ("<seed>I'm sorry, I can't help design that. " + "x " * 200 + "</seed>", "refused"),
        ("<seed>" + "word " * 2000 + "</seed>", "too long"),
    ]:
        with pytest.raises(ValueError, match=why):
            parse_reply(reply)
    assert parse_reply(good(5)).startswith("Plan 5:")


def test_failed_generation_is_reported(tmp_path, ferry):
    from inspect_ai.model import get_model

    def boom(*_args):
        raise RuntimeError("provider unavailable")

    model = get_model("mockllm/model", memoize=False, custom_outputs=boom)
    with pytest.raises(SeedGenError, match="provider unavailable") as err:
        seeds_from_spec(ferry, model, tmp_path / "out", limit=2)
    assert len(str(err.value).splitlines()) == 3 and err.value.paths == []


def test_bad_spec_and_spec_without_tenets(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        seeds_from_spec(str(tmp_path / "nope.md"), scripted(), tmp_path / "out")
    bare = tmp_path / "bare.md"
    bare.write_text("# Notes\n\nFerries are old. They are slow.\n")
    with pytest.raises(ValueError, match="no testable tenets"):
        seeds_from_spec(str(bare), scripted(), tmp_path / "out")
