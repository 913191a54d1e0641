"""A micro experiment end to end on the tiny organism (two arms, one seed): summary.json, the
HTML report and its plots, a warm rerun, ``--dry-run``, ``whyalign report`` and the
resume-after-kill check (``kill -9`` mid-training and between two evals, then a rerun gives
the same summary.json bytes as an uninterrupted run, fingerprints of weights and completions
included)."""

import json
import os
import signal
import subprocess
import sys
import time

from typer.testing import CliRunner

from whyalign.cli import app
from whyalign.experiment import dry_run


def _cli(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "whyalign.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
        **kwargs,
    )


def _finish(proc: subprocess.Popen) -> str:
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err[-3000:]
    return out


def test_micro_run_writes_summary_report_and_plots(micro):
    _, run_dir, log = micro
    summary = json.loads((run_dir / "summary.json").read_text())
    assert set(summary["arms"]) == {"baseline", "advice"}
    advice = summary["arms"]["advice"]
    for split in ("in_dist", "held_out"):
        pooled = advice["rates"][split]["pooled"]
        assert pooled["samples"] == 8 and pooled["errors"] == 0
        assert pooled["low"] <= pooled["high"]
        assert set(advice["name_gap"][split]) == {"own", "other", "gap_other_minus_own"}
    assert (
        advice["training_tokens"]["0"] >= 3000
        and summary["arms"]["baseline"]["training_tokens"]["0"] == 0
    )
    assert set(advice["families"]) == {"blackmail", "self_exfiltration"}
    [data] = summary["datasets"]
    assert data["recipe"] == "difficult_advice" and data["contamination"]["passed"] is True
    assert set(summary["findings"]) == {"advice_helps", "hides"}
    for f in summary["findings"].values():
        assert f["verdict"] in ("reproduced", "not reproduced", "inconclusive")
    for logs in advice["logs"]["0"].values():
        assert list((run_dir / logs).glob("*.eval"))
    html = (run_dir / "report" / "index.html").read_text()
    assert "data:image/png;base64," in html and "inspect view --log-dir" in html
    assert "advice lowers held-out misalignment" in html and "base_model" in html
    for png in ("rates.png", "name_gap.png"):
        assert (run_dir / "report" / png).read_bytes()[:4] == b"\x89PNG"
    # one trained arm: no two budgets to set tokens against
    assert not (run_dir / "report" / "tokens.png").exists()
    assert "ETA" in log
    timings = json.loads((run_dir / "timings.json").read_text())
    assert timings["last_run_seconds"] > 0 and len(timings["steps"]) == 8
    assert "seconds" not in (run_dir / "summary.json").read_text()


def test_warm_rerun_dry_run_and_report_rebuild(micro):
    config, run_dir, _ = micro
    before = (run_dir / "summary.json").read_bytes()
    rows = dry_run(config, run_dir)
    assert rows and all(cached for _, cached in rows)
    result = CliRunner().invoke(app, ["run", str(config), "--out", str(run_dir), "--dry-run"])
    assert result.exit_code == 0 and "report" in result.output and "to run (~" not in result.output
    assert result.output.splitlines()[-1].startswith(f"{len(rows)} steps: {len(rows)} cached")
    start = time.perf_counter()
    result = CliRunner().invoke(app, ["run", str(config), "--out", str(run_dir)])
    assert result.exit_code == 0, result.output
    assert time.perf_counter() - start < 60
    assert (run_dir / "summary.json").read_bytes() == before
    (run_dir / "summary.json").unlink()
    (run_dir / "report" / "index.html").unlink()
    result = CliRunner().invoke(app, ["report", str(run_dir)])
    assert result.exit_code == 0, result.output
    assert (run_dir / "summary.json").read_bytes() == before
    assert (run_dir / "report" / "index.html").exists()
    result = CliRunner().invoke(app, ["report", str(run_dir / "nope")])
    assert result.exit_code == 2 and result.output.startswith("error:")


def _kill_when(proc: subprocess.Popen, ready, timeout: float = 900) -> None:
    deadline = time.time() + timeout
    while not ready():
        assert proc.poll() is None, f"finished before the kill point: {proc.stderr.read()[-2000:]}"
        assert time.time() < deadline, "kill point never reached"
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def test_kill_9_then_resume_gives_the_same_summary(micro, tmp_path):
    config, reference, _ = micro
    run_dir = tmp_path / "killed"
    steps = {step.label: step.name for step, _ in dry_run(config, run_dir)}
    work = run_dir / "steps" / ".work"
    # 1. kill -9 in the middle of the training stage, once it has saved a checkpoint
    proc = _cli("run", str(config), "--out", str(run_dir))
    _kill_when(proc, lambda: any(work.glob("train-*/checkpoints/checkpoint-*")))
    assert not (run_dir / "summary.json").exists()
    # 2. resume; kill -9 between the trained arm's two evals, so that its second eval runs
    #    in a fresh process (a model's sampling must not depend on what ran before it)
    first_eval = run_dir / "steps" / steps["eval advice seed=0 in_dist"] / ".done"
    proc = _cli("run", str(config), "--out", str(run_dir))
    _kill_when(proc, first_eval.exists)
    assert not (run_dir / "summary.json").exists()
    # 3. resume to the end
    _finish(_cli("run", str(config), "--out", str(run_dir)))
    assert (run_dir / "summary.json").read_bytes() == (reference / "summary.json").read_bytes()
