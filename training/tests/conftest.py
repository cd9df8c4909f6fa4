"""Fixtures that write tiny datasets in the FERPlus (packed and original) and RAF-DB layouts.

All pixels are random noise made here; no FERPlus image is ever committed.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import pytest
import torch

from training.data.ferplus import VOTE_COLUMNS

PACKED_HEADER = (
    ["index", "split", "fer2013_usage", "image_name", "fer2013_row"]
    + list(VOTE_COLUMNS)
    + [f"v2016_{c}" for c in VOTE_COLUMNS]
    + [
        "majority_label",
        "majority_label_v2016",
        "fer2013_orig_label",
        "fer2013_orig_label_status",
        "orig_match_rmse",
        "orig_match_file",
        "pixel_sha1",
        "exact_dup_group",
    ]
)
USAGE = {"train": "Training", "valid": "PublicTest", "test": "PrivateTest"}

# (split, 2017 votes, 2016 votes): 10 counts each = neutral..contempt, unknown, NF
VOTE_ROWS = [
    ("train", [10, 0, 0, 0, 0, 0, 0, 0, 0, 0], [10, 0, 0, 0, 0, 0, 0, 0, 0, 0]),  # neutral
    ("train", [1, 9, 0, 0, 0, 0, 0, 0, 0, 0], [1, 9, 0, 0, 0, 0, 0, 0, 0, 0]),  # happiness (the 1 vote dropped)
    ("train", [4, 0, 0, 0, 4, 0, 0, 0, 2, 0], [6, 0, 0, 0, 2, 0, 0, 0, 2, 0]),  # 2017 no majority, 2016 neutral
    ("train", [0, 0, 0, 0, 0, 0, 0, 0, 2, 8], [0, 0, 0, 0, 0, 0, 0, 0, 2, 8]),  # not a face: dropped
    ("train", [0, 0, 6, 0, 0, 0, 4, 0, 0, 0], [0, 0, 6, 0, 0, 0, 4, 0, 0, 0]),  # surprise
    ("train", [0, 0, 0, 0, 0, 0, 0, 7, 1, 1], [0, 0, 0, 0, 0, 0, 0, 7, 1, 1]),  # contempt (ones dropped)
    ("valid", [0, 0, 0, 8, 0, 0, 0, 0, 2, 0], [0, 0, 0, 8, 0, 0, 0, 0, 2, 0]),  # sadness
    ("valid", [0, 0, 0, 0, 0, 6, 0, 0, 0, 4], [0, 0, 0, 0, 0, 6, 0, 0, 0, 4]),  # disgust
    ("test", [0, 0, 0, 0, 5, 0, 0, 0, 5, 0], [0, 0, 0, 0, 5, 0, 0, 0, 5, 0]),  # tie with unknown: dropped
    ("test", [0, 0, 0, 0, 0, 0, 9, 0, 1, 0], [0, 0, 0, 0, 0, 0, 9, 0, 1, 0]),  # fear
]
EXPECTED_2017 = {"train": [0, 1, -1, -1, 2, 7], "valid": [3, 5], "test": [-1, 6]}
EXPECTED_2016 = {"train": [0, 1, 0, -1, 2, 7], "valid": [3, 5], "test": [-1, 6]}


def write_packed(root: Path, rows: list[tuple[str, list[int], list[int]]], seed: int = 0) -> np.ndarray:
    """images.u8 + labels.csv in the packed layout; returns the images (N, 48, 48)."""
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (len(rows), 48, 48), dtype=np.uint8)
    images.tofile(root / "images.u8")
    with open(root / "labels.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(PACKED_HEADER)
        for i, (split, v17, v16) in enumerate(rows):
            w.writerow([i, split, USAGE[split], f"fer{i:07d}.png", i, *v17, *v16, "", "", "", "", "", "", "", ""])
    return images


@pytest.fixture
def packed_dir(tmp_path: Path) -> Path:
    write_packed(tmp_path / "packed", VOTE_ROWS)
    return tmp_path / "packed"


def make_learnable_packed(root: Path, per_split: dict[str, int], seed: int = 0) -> None:
    """A packed folder whose classes are learnable: class c has a bright square at a class-specific place."""
    rng = np.random.default_rng(seed)
    rows, imgs = [], []
    for split, n in per_split.items():
        for i in range(n):
            c = i % 4  # neutral, happiness, surprise, sadness
            votes = [0] * 10
            votes[c] = 10
            rows.append((split, votes, votes))
            im = rng.integers(0, 60, (48, 48)).astype(np.uint8)
            y, x = divmod(c, 2)
            im[4 + 24 * y : 20 + 24 * y, 4 + 24 * x : 20 + 24 * x] = 220
            imgs.append(im)
    write_packed(root, rows)
    np.stack(imgs).tofile(root / "images.u8")


@pytest.fixture
def learnable_dir(tmp_path: Path) -> Path:
    make_learnable_packed(tmp_path / "learn", {"train": 96, "valid": 32, "test": 32})
    return tmp_path / "learn"


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)


def ferplus_dir() -> str | None:
    return os.environ.get("FERPLUS_DIR") or None
