"""A two-process CPU run of the trainer through torchrun (gloo), on the tiny learnable fixture."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from training import train

ROOT = Path(__file__).resolve().parents[2]


def torchrun(args: list[str]) -> subprocess.CompletedProcess[str]:
    """The trainer in two CPU processes, as a user starts it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", "-m"]
    return subprocess.run(
        [*command, "training.train", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_two_processes_train_in_sync_with_the_global_batch(learnable_dir: Path, tmp_path: Path) -> None:
    args = ["--data", str(learnable_dir), "--input-size", "32", "--in-chans", "1", "--lr", "1e-3"]
    args += ["--batch-size", "16", "--threads", "1", "--epochs", "2", "--warmup-epochs", "0.5"]
    done = torchrun([*args, "--out", str(tmp_path / "ddp")])
    assert done.returncode == 0, done.stderr[-3000:]
    assert "DistributedDataParallel: 2 processes, 8 images each per step" in done.stdout
    assert done.stdout.count("epoch 2:") == 1  # rank 0 alone reports
    log = json.loads((tmp_path / "ddp" / "log.json").read_text())
    assert [r["processes"] for r in log] == [2, 2]
    assert all(r["rank_divergence"] == 0 for r in log)  # weights and center-loss centres identical on both ranks

    one = train.main([*args, "--out", str(tmp_path / "one")])
    single = json.loads((one / "log.json").read_text())
    # the same global batches: as many images per epoch, and the same learning-rate schedule
    assert [r["images"] for r in log] == [r["images"] for r in single] == [96, 96]
    assert [r["lr"] for r in log] == pytest.approx([r["lr"] for r in single])
    assert json.loads((tmp_path / "ddp" / "args.json").read_text())["processes"] == 2


def test_a_global_batch_that_does_not_split_is_refused(learnable_dir: Path, tmp_path: Path) -> None:
    done = torchrun(["--data", str(learnable_dir), "--batch-size", "15", "--out", str(tmp_path / "x")])
    assert done.returncode != 0 and "must divide by 2 processes" in done.stderr
