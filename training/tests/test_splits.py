"""The one source of every split: FERPlus's own, RAF-DB's seeded valid, and the trainer and evaluate
reading the same ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from training import evaluate, train
from training.data import load_splits, splits
from training.engine import torch_load


def write_rafdb(root: Path, n_train: int, n_test: int) -> Path:
    """A RAF-DB basic folder of random 100x100 images, labels cycling through the 7 classes."""
    (root / "EmoLabel").mkdir(parents=True)
    (root / "Image" / "aligned").mkdir(parents=True)
    names = [f"train_{i:05d}.jpg" for i in range(1, n_train + 1)] + [f"test_{i:04d}.jpg" for i in range(1, n_test + 1)]
    lines = [f"{name} {i % 7 + 1}" for i, name in enumerate(names)]
    (root / "EmoLabel" / "list_patition_label.txt").write_text("\n".join(lines) + "\n")
    rng = np.random.default_rng(0)
    for name in names:
        pixels = rng.integers(0, 256, (100, 100, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(root / "Image" / "aligned" / f"{name[:-4]}_aligned.jpg", quality=95)
    return root


def test_ferplus_splits_are_its_own_and_train_all_is_train(learnable_dir: Path) -> None:
    got = load_splits("ferplus", learnable_dir, ("train", "valid", "test", "train_all"))
    assert [len(got[n]) for n in ("train", "valid", "test")] == [96, 32, 32]
    assert got["train_all"] is got["train"]  # one read of the training rows
    names = [set(got[n].names) for n in ("train", "valid", "test")]
    assert not (names[0] & names[1] or names[0] & names[2] or names[1] & names[2])
    with pytest.raises(ValueError, match="unknown split"):
        load_splits("ferplus", learnable_dir, ("val",))
    with pytest.raises(ValueError, match="unknown dataset"):
        load_splits("affectnet", learnable_dir)


def test_rafdb_valid_is_a_seeded_tenth_of_train_disjoint_from_it(tmp_path: Path) -> None:
    root = write_rafdb(tmp_path / "raf", 40, 6)
    got = load_splits("rafdb", root, ("train", "valid", "test", "train_all"), seed=3)
    train, valid, test, every = (got[n] for n in ("train", "valid", "test", "train_all"))
    assert (len(train), len(valid), len(test), len(every)) == (36, 4, 6, 40)
    assert not set(train.names) & set(valid.names)
    assert sorted(train.names + valid.names) == sorted(every.names)
    assert all(n.startswith("test_") for n in test.names)
    assert load_splits("rafdb", root, ("valid",), seed=3)["valid"].names == valid.names  # the seed fixes it
    assert load_splits("rafdb", root, ("valid",), seed=4)["valid"].names != valid.names


def test_the_trainer_and_evaluate_hold_out_the_same_rafdb_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_rafdb(tmp_path / "raf", 40, 6)
    held_out: list[list[int]] = []
    holdout = splits.rafdb_holdout

    def spy(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
        keep, valid = holdout(n, seed)
        held_out.append(valid.tolist())
        return keep, valid

    monkeypatch.setattr(splits, "rafdb_holdout", spy)
    fast = ["--input-size", "32", "--in-chans", "1", "--batch-size", "16", "--threads", "1", "--epochs", "1"]
    run = train.main(["--dataset", "rafdb", "--data", str(root), *fast, "--seed", "5", "--out", str(tmp_path / "run")])
    metrics = evaluate.main(["--checkpoint", str(run / "best.pt"), "--out", str(tmp_path / "eval")])
    assert len(held_out) == 2 and held_out[0] == held_out[1]
    assert held_out[0] == splits.rafdb_holdout(40, 5)[1].tolist()  # what the run's seed chooses
    assert torch_load(run / "last.pt")["meta"]["valid_images"] == metrics["valid"]["images"] == 4
    assert metrics["test"]["images"] == 6
