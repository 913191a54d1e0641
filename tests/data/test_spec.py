import pytest
from typer.testing import CliRunner

from whyalign.cli import app
from whyalign.spec import SpecError, load_spec, split_sections


def test_default_spec_covers_the_principles_and_their_reasons():
    spec = load_spec("default")
    ids = [s.id for s in spec.sections]
    assert len(ids) == len(set(ids)) >= 6
    text = spec.text.lower()
    for topic in ("oversight", "honest", "harm", "goal", "shut down", "why"):
        assert topic in text
    assert 1500 <= len(spec.text.split()) <= 2600
    assert spec.name == "default" and len(spec.sha256) == 64


def test_split_by_second_level_headings_under_one_title():
    title, sections = split_sections(
        "# My spec\nIntro words.\n## Alpha\nA text.\n### Detail\nmore\n```\n## not a heading\n```\n"
        "## Empty\n\n## Alpha\nAgain."
    )
    assert title == "My spec"
    assert [s.id for s in sections] == ["introduction", "alpha", "alpha-2"]
    assert "### Detail" in sections[1].text and "## not a heading" in sections[1].text


def test_split_without_title_uses_top_level():
    _, sections = split_sections("# One\nfirst\n# Two\nsecond")
    assert [(s.title, s.text) for s in sections] == [("One", "first"), ("Two", "second")]


@pytest.mark.parametrize(
    "content, message", [("", "is empty"), ("  \n\n", "is empty"), ("# a\n## b\n", "no text")]
)
def test_unusable_specs_are_one_line_errors(tmp_path, content, message):
    path = tmp_path / "s.md"
    path.write_text(content)
    with pytest.raises(SpecError, match=message):
        load_spec(path)


def test_missing_spec_names_the_builtins(tmp_path):
    with pytest.raises(SpecError, match="not found.*default"):
        load_spec(tmp_path / "nope.md")
    with pytest.raises(SpecError, match="directory"):
        load_spec(tmp_path)


def test_cli_spec_sections(tmp_path):
    result = CliRunner().invoke(app, ["spec", "sections", "default"])
    assert result.exit_code == 0 and "supporting-human-oversight" in result.output
    result = CliRunner().invoke(app, ["spec", "sections", str(tmp_path / "missing.md")])
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert "error: spec" in result.output
