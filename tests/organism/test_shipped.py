"""The shipped organism weights: the package's copy is this code's build, and a build installs
a shipped copy of its key (hashes checked), ignores one of another key and trains when told.

The hermetic tests ship a fake model directory (no training): a ``tiny`` organism.json with
this code's key beside a few files, in a shipped root and a cache under tmp.
"""

import json

import pytest
from typer.testing import CliRunner

from whyalign.cli import app
from whyalign.organism import build as organism
from whyalign.organism import shipped
from whyalign.organism.build import build, build_dir, build_key, is_built, model_dir

runner = CliRunner()


def test_the_shipped_default_organism_is_this_codes_build():
    found = shipped.find("small", 0)
    assert found is not None, (
        "no shipped small seed 0 weights (src/whyalign/organism/shipped/small-s0): "
        "`whyalign organism ship` writes them from a build"
    )
    assert found.key == build_key("small", 0), (
        f"the shipped small seed 0 weights are key {found.key}, this code builds "
        f"{build_key('small', 0)}: rebuild and run `whyalign organism ship`"
    )
    shipped.verify(found)
    assert "model.safetensors" in found.files and "organism.json" in found.files
    assert not [n for n in found.files if n.endswith(shipped.PICKLES)]


class Trained(Exception):
    """Raised where a build would start training: the tests never train."""


@pytest.fixture
def world(tmp_path, monkeypatch):
    monkeypatch.setattr(shipped, "ROOT", tmp_path / "shipped")
    monkeypatch.setenv("WHYALIGN_CACHE", str(tmp_path / "cache"))

    def no_training(self, name, fn):
        raise Trained(name)

    monkeypatch.setattr(organism._Steps, "run", no_training)
    src = tmp_path / "built"
    src.mkdir()
    info = {"preset": "tiny", "seed": 0, "key": build_key("tiny", 0)}
    info["machine"] = {"cpu": "Test CPU", "cpu_capability": "AVX2", "threads": 2, "gpu": None}
    (src / "organism.json").write_text(json.dumps(info))
    (src / "config.json").write_text('{"model_type": "llama"}')
    (src / "model.safetensors").write_bytes(bytes(range(256)) * 64)
    (src / "training_args.bin").write_bytes(b"\x80\x04pickle")
    return src


def test_ship_copies_all_but_pickles_with_a_manifest(world):
    dest = shipped.ship(world, "tiny", 0)
    assert dest == shipped.ROOT / "tiny-s0"
    found = shipped.find("tiny", 0)
    assert found is not None and found.key == build_key("tiny", 0)
    assert sorted(found.files) == ["config.json", "model.safetensors", "organism.json"]
    assert found.files["model.safetensors"] == shipped.sha256(world / "model.safetensors")
    assert found.machine["cpu"] == "Test CPU"
    shipped.verify(found)


def test_ship_refuses_a_directory_of_another_build(world):
    info = json.loads((world / "organism.json").read_text())
    (world / "organism.json").write_text(json.dumps({**info, "key": "0123456789ab"}))
    with pytest.raises(ValueError, match="key 0123456789ab"):
        shipped.ship(world, "tiny", 0)
    assert shipped.find("tiny", 0) is None


def test_a_build_installs_the_shipped_copy_of_its_key(world):
    shipped.ship(world, "tiny", 0)
    messages: list[str] = []
    path = build("tiny", 0, log=messages.append)
    assert path == model_dir("tiny", 0) and is_built("tiny", 0)
    assert len(messages) == 1 and messages[0].startswith("installed the shipped tiny seed 0")
    assert "Test CPU" in messages[0]
    for name in ("config.json", "model.safetensors", "organism.json"):
        assert (path / name).read_bytes() == (world / name).read_bytes()
    assert not (path / "training_args.bin").exists()
    assert shipped.installed(build_dir("tiny", 0))
    again: list[str] = []
    assert build("tiny", 0, log=again.append) == path and again == [f"cache hit: {path}"]


def test_a_damaged_shipped_copy_is_an_error_not_a_build(world):
    dest = shipped.ship(world, "tiny", 0)
    data = bytearray((dest / "model.safetensors").read_bytes())
    data[100] ^= 1
    (dest / "model.safetensors").write_bytes(bytes(data))
    with pytest.raises(shipped.ShippedError, match="model.safetensors has sha256"):
        build("tiny", 0, log=lambda m: None)
    assert not model_dir("tiny", 0).exists()


def test_a_shipped_copy_with_missing_or_extra_files_is_an_error(world):
    dest = shipped.ship(world, "tiny", 0)
    (dest / "config.json").unlink()
    with pytest.raises(shipped.ShippedError, match=r"missing \['config.json'\]"):
        build("tiny", 0, log=lambda m: None)
    dest = shipped.ship(world, "tiny", 0)
    (dest / "extra.txt").write_text("x")
    with pytest.raises(shipped.ShippedError, match=r"unlisted \['extra.txt'\]"):
        build("tiny", 0, log=lambda m: None)


def test_a_stale_shipped_copy_is_ignored_with_one_line(world):
    dest = shipped.ship(world, "tiny", 0)
    manifest = json.loads((dest / shipped.MANIFEST).read_text())
    (dest / shipped.MANIFEST).write_text(json.dumps({**manifest, "key": "0123456789ab"}))
    messages: list[str] = []
    with pytest.raises(Trained):
        build("tiny", 0, log=messages.append)
    stale = [m for m in messages if "shipped" in m]
    assert stale == [
        f"the shipped tiny seed 0 weights are from another build (key 0123456789ab, this "
        f"code's is {build_key('tiny', 0)}): building it"
    ]
    assert not is_built("tiny", 0)


def test_from_scratch_replaces_an_installed_copy_and_trains(world):
    shipped.ship(world, "tiny", 0)
    build("tiny", 0, log=lambda m: None)
    messages: list[str] = []
    with pytest.raises(Trained):
        build("tiny", 0, log=messages.append, shipped=False)
    assert not is_built("tiny", 0) and not shipped.installed(build_dir("tiny", 0))
    assert messages[0].startswith("removed the shipped weights installed in")


def test_from_scratch_ignores_a_current_shipped_copy(world):
    shipped.ship(world, "tiny", 0)
    with pytest.raises(Trained):
        build("tiny", 0, log=lambda m: None, shipped=False)
    assert not is_built("tiny", 0)


def test_the_organism_verbs_ship_and_find_the_shipped_copy(world, monkeypatch):
    result = runner.invoke(app, ["organism", "path", "--preset", "tiny"])
    assert result.exit_code == 1 and "not built yet" in result.stderr
    result = runner.invoke(app, ["organism", "ship", "--preset", "tiny"])
    assert result.exit_code == 2 and "not built with this code" in result.stderr
    with monkeypatch.context() as built:  # the fake directory as the cache's build
        built.setattr(organism, "is_built", lambda preset, seed: True)
        built.setattr(organism, "model_dir", lambda preset, seed: world)
        result = runner.invoke(app, ["organism", "ship", "--preset", "tiny"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(shipped.ROOT / "tiny-s0")
    result = runner.invoke(app, ["organism", "path", "--preset", "tiny"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(model_dir("tiny", 0))
    assert "installed the shipped tiny seed 0" in result.stderr
    assert "the shipped weights, not trained here" in result.stderr
    result = runner.invoke(app, ["organism", "build", "--preset", "tiny"])
    assert result.exit_code == 0 and result.stdout.strip() == str(model_dir("tiny", 0))
    assert "cache hit" in result.stderr
