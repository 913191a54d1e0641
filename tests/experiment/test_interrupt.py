"""Ctrl-C during an eval step of ``whyalign run``: exit 130, one line, no traceback, the half
step gone from the cache, and a rerun that finishes from there and leaves no work folder."""

import json
import signal
import subprocess
import sys
import time

from .conftest import micro_config


def test_ctrl_c_in_an_eval_step_exits_130_and_the_rerun_resumes(tiny_organism, datasets, tmp_path):
    cfg = micro_config(datasets)
    cfg["arms"] = cfg["arms"][:1]  # the base model only: no training, one eval
    # replies long enough that the eval is still sampling when the signal lands
    cfg["eval"].update(splits=["in_dist"], families=["blackmail"], samples=2, max_tokens=160)
    cfg["report"] = {}
    config = tmp_path / "exp.yaml"
    config.write_text(json.dumps(cfg))
    run_dir = tmp_path / "run"
    work = run_dir / "steps" / ".work"
    argv = [sys.executable, "-m", "whyalign.cli", "run", str(config), "--out", str(run_dir)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not any(work.glob("eval-*")):
        assert proc.poll() is None, proc.communicate()[1][-2000:]
        assert time.time() < deadline, "the eval step never started"
        time.sleep(0.02)
    time.sleep(0.5)  # inside Inspect's eval
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err[-3000:]
    assert err.splitlines()[-1] == "interrupted: rerun to resume", err[-3000:]
    assert "Traceback" not in err and "terminate called" not in err and out == ""
    assert not any(work.glob("eval-*"))  # an eval restarts whole: its half is discarded
    assert not (run_dir / "summary.json").exists()

    done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "cached" in done.stderr and (run_dir / "summary.json").exists()
    assert not work.exists()  # nothing in progress, no empty report-* folder
