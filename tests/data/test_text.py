from whyalign.data.text import (
    BANNED_NAMES,
    banned_in,
    dedup_mask,
    parse_list,
    read_score,
    replace_banned,
    tagged,
)


def test_parsers_are_strict():
    assert parse_list("Sure!\n1. Blog post: a\n2) **Essay**\n- notes\n- notes\nprose line") == [
        "Blog post: a",
        "Essay",
        "notes",
    ]
    assert parse_list("no list here") == []
    assert tagged("<document> a </document> <document></document> <document>b", "document") == ["a"]
    assert read_score("ok <score>7</score>") == 7
    assert read_score("<score>7</score> <score>9</score>") is None
    assert read_score("<score>11</score>") is None and read_score("seven") is None


def test_banned_names_rewritten_deterministically_and_whole_words_only():
    text = "Sarah Chen met Aria at noon. Later Chen thanked Sarah. Ariadne stayed."
    new, hits = replace_banned(text, "key1")
    assert set(hits) == {"Sarah Chen", "Aria"}
    assert banned_in(new) == [] and "Chen" not in new and "Sarah" not in new
    assert "Ariadne" in new
    assert replace_banned(text, "key1") == (new, hits)
    assert replace_banned(text, "key2")[0] != new or len(BANNED_NAMES) < 2


def test_near_duplicates_removed_first_kept():
    base = (
        "the assistant explained to the board that it would not hide its mistakes because "
        "oversight only works when people can see what a system does and why it does it"
    )
    texts = [
        base,
        base + " today",
        "an unrelated text about tides, harbours and the boats that "
        "leave before dawn to fish along the cold northern coast of the island",
        base,
    ]
    assert dedup_mask(texts) == [True, False, True, False]
    assert dedup_mask(texts, threshold=0.99) == [True, True, True, False]
