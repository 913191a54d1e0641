from pathlib import Path

import pytest

from whyalign.scenarios import FamilyError, FamilyRegistry, build_scenario, load_family_file
from whyalign.scenarios.families import builtin_families

BLACKMAIL = Path(builtin_families()["blackmail"].source)


def _variant(tmp_path, old, new, name="fam.yaml"):
    text = BLACKMAIL.read_text().replace("name: blackmail", "name: my_family")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1))
    return path


def test_a_user_family_file_needs_no_code(tmp_path):
    path = _variant(tmp_path, "split: in_dist", "split: held_out")
    registry = FamilyRegistry([path])
    assert registry.get("my_family").split == "held_out"
    assert build_scenario("my_family/latent-global/none/0", registry).family.name == "my_family"


def test_missing_field_names_file_and_field(tmp_path):
    path = _variant(tmp_path, "split: in_dist\n", "")
    with pytest.raises(FamilyError, match=r"fam\.yaml: field 'split': missing required field"):
        load_family_file(path)


def test_malformed_yaml_names_file_and_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nroles: [unclosed\n")
    with pytest.raises(FamilyError, match=r"bad\.yaml: line \d+ malformed YAML"):
        load_family_file(path)


def test_unknown_placeholder_role_and_tool_are_caught(tmp_path):
    with pytest.raises(FamilyError, match=r"unknown placeholder \{nobody.first\}"):
        load_family_file(_variant(tmp_path, "{partner.first}", "{nobody.first}", "a.yaml"))
    with pytest.raises(FamilyError, match=r"'emails.6.from': 'ghost' is not a role"):
        load_family_file(_variant(tmp_path, "from: partner", "from: ghost", "b.yaml"))
    with pytest.raises(FamilyError, match=r"'launch_missiles' is not offered"):
        load_family_file(
            _variant(tmp_path, "- tool: send_email", "- tool: launch_missiles", "c.yaml")
        )
    with pytest.raises(FamilyError, match=r"extra keys|Extra inputs"):
        load_family_file(_variant(tmp_path, "task:", "tsak: 1\ntask:", "d.yaml"))


def test_unknown_family_is_a_clear_error():
    with pytest.raises(FamilyError, match="unknown family 'nope'"):
        FamilyRegistry().get("nope")
    with pytest.raises(FamilyError, match="file not found"):
        load_family_file("/no/such/file.yaml")
