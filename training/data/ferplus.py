"""FERPlus: the packed folder (images.u8 + labels.csv) and Microsoft's original files.

Label rule: the official FERPlus "majority" mode (microsoft/FERPlus src/ferplus.py,
``_process_data``): votes of 1 are set to 0, the top vote is kept if it is more than half of
the remaining votes and is one of the 8 emotions; otherwise (unknown, not-a-face, no majority)
the image is dropped. Vote sets: "2017" = fer2013new.csv (columns neutral..NF),
"2016" = the 2016 label.csv files (columns v2016_neutral..v2016_NF in the packed folder).
Splits: train = FER2013 Training, valid = PublicTest, test = PrivateTest.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np

from ..classes import FERPLUS_CLASSES, FERPLUS_EXTRA_VOTES
from .common import DatasetError, ExpressionSet

VOTE_COLUMNS: tuple[str, ...] = FERPLUS_CLASSES + FERPLUS_EXTRA_VOTES
VOTE_SETS: dict[str, tuple[str, ...]] = {
    "2017": VOTE_COLUMNS,
    "2016": tuple(f"v2016_{c}" for c in VOTE_COLUMNS),
}
USAGE_TO_SPLIT: dict[str, str] = {"Training": "train", "PublicTest": "valid", "PrivateTest": "test"}
SPLITS: tuple[str, ...] = ("train", "valid", "test")
IMAGE_SIDE = 48
PACKED_REQUIRED = ("index", "split", "image_name") + VOTE_SETS["2017"] + VOTE_SETS["2016"]


def majority_label(votes: np.ndarray | list[int]) -> int:
    """Official FERPlus majority rule on 10 vote counts; returns the class index or -1 (dropped)."""
    v = np.asarray(votes, dtype=np.float64).copy()
    v[v <= 1.0] = 0.0  # outlier removal: a single vote does not count
    total = v.sum()
    top = int(np.argmax(v))
    if total > 0 and v[top] > 0.5 * total and top < len(FERPLUS_CLASSES):
        return top
    return -1


def vote_distribution(votes: np.ndarray) -> np.ndarray:
    """Soft targets: the 8 emotion vote shares after dropping single votes, rows summing to 1.

    (A simplification of FERPlus's "probability" mode; only used for images the majority rule keeps.)
    """
    v = np.asarray(votes, dtype=np.float32)[:, : len(FERPLUS_CLASSES)].copy()
    v[v <= 1.0] = 0.0
    s = v.sum(axis=1, keepdims=True)
    return np.divide(v, s, out=np.zeros_like(v), where=s > 0)


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")


def _check_vote_set(vote_set: str) -> None:
    if vote_set not in VOTE_SETS:
        raise ValueError(f"vote_set must be one of {sorted(VOTE_SETS)}, got {vote_set!r}")


def _parse_votes(path: Path, line: int, cells: list[str]) -> list[int]:
    try:
        votes = [int(float(c)) for c in cells]
    except ValueError:
        raise DatasetError(path, f"vote counts must be numbers, got {cells!r}", line) from None
    if any(v < 0 for v in votes):
        raise DatasetError(path, f"negative vote count in {cells!r}", line)
    return votes


def _build(images: np.ndarray, votes: np.ndarray, names: list[str], source: str, vote_set: str) -> ExpressionSet:
    labels = np.array([majority_label(v) for v in votes], dtype=np.int64)
    return ExpressionSet(
        images=images,
        labels=labels,
        classes=FERPLUS_CLASSES,
        names=names,
        soft=vote_distribution(votes),
        source=source,
        info={"dataset": "ferplus", "vote_set": vote_set, "label_rule": "official FERPlus majority"},
    )


def load_ferplus_packed(root: str | os.PathLike, split: str, vote_set: str = "2017") -> ExpressionSet:
    """Read one split from a packed folder: ``images.u8`` (N x 48 x 48 uint8) + ``labels.csv``."""
    _check_split(split)
    _check_vote_set(vote_set)
    root = Path(root)
    csv_path, img_path = root / "labels.csv", root / "images.u8"
    for p in (csv_path, img_path):
        if not p.is_file():
            raise DatasetError(p, "file not found (expected a packed FERPlus folder: images.u8 + labels.csv)")
    rows: list[int] = []
    names: list[str] = []
    votes: list[list[int]] = []
    n_rows = 0
    with open(csv_path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            raise DatasetError(csv_path, "empty file", 1)
        missing = [c for c in PACKED_REQUIRED if c not in header]
        if missing:
            raise DatasetError(csv_path, f"header lacks columns {missing}", 1)
        col = {c: i for i, c in enumerate(header)}
        vote_idx = [col[c] for c in VOTE_SETS[vote_set]]
        for row in reader:
            line = reader.line_num
            if len(row) != len(header):
                raise DatasetError(csv_path, f"expected {len(header)} columns, got {len(row)}", line)
            if row[col["index"]] != str(n_rows):
                raise DatasetError(csv_path, f"index {row[col['index']]!r} should be {n_rows} (row order)", line)
            row_split = row[col["split"]]
            if row_split not in SPLITS:
                raise DatasetError(csv_path, f"unknown split {row_split!r} (expected one of {SPLITS})", line)
            if row_split == split:
                rows.append(n_rows)
                names.append(row[col["image_name"]])
                votes.append(_parse_votes(csv_path, line, [row[i] for i in vote_idx]))
            n_rows += 1
    size = img_path.stat().st_size
    if size != n_rows * IMAGE_SIDE * IMAGE_SIDE:
        raise DatasetError(
            img_path,
            f"size {size} bytes does not match {n_rows} rows of labels.csv x {IMAGE_SIDE}x{IMAGE_SIDE} "
            "(truncated or corrupt file, or images of the wrong size)",
        )
    all_images = np.memmap(img_path, dtype=np.uint8, mode="r", shape=(n_rows, IMAGE_SIDE, IMAGE_SIDE))
    images = np.array(all_images[np.asarray(rows, dtype=np.int64)]) if rows else np.zeros((0, 48, 48), np.uint8)
    votes_arr = np.asarray(votes, dtype=np.int64).reshape(-1, len(VOTE_COLUMNS))
    return _build(images, votes_arr, names, f"packed:{root}", vote_set)


def load_ferplus_original(
    fer2013_csv: str | os.PathLike, fer2013new_csv: str | os.PathLike, split: str
) -> ExpressionSet:
    """Read one split from Microsoft's files: Kaggle ``fer2013.csv`` + FERPlus ``fer2013new.csv``.

    Rows correspond one to one. Rows with an empty FERPlus image name are skipped; when a name
    is used twice the later row wins (as generate_training_data.py overwrote the first image).
    Only the 2017 vote set exists in this format.
    """
    _check_split(split)
    old_path, new_path = Path(fer2013_csv), Path(fer2013new_csv)
    for p in (old_path, new_path):
        if not p.is_file():
            raise DatasetError(p, "file not found")
    kept: dict[str, tuple[np.ndarray, list[int]]] = {}
    with open(old_path, newline="") as fo, open(new_path, newline="") as fn:
        r_old, r_new = csv.reader(fo), csv.reader(fn)
        h_old, h_new = next(r_old, None), next(r_new, None)
        if h_old is None or [c.strip() for c in h_old] != ["emotion", "pixels", "Usage"]:
            raise DatasetError(old_path, f"header must be emotion,pixels,Usage, got {h_old}", 1)
        want_new = ["Usage", "Image name", *VOTE_COLUMNS]
        if h_new is None or [c.strip() for c in h_new] != want_new:
            raise DatasetError(new_path, f"header must be {','.join(want_new)}, got {h_new}", 1)
        for row_old in r_old:
            line_old = r_old.line_num
            row_new = next(r_new, None)
            if row_new is None:
                raise DatasetError(new_path, f"ends before {old_path.name} (which has a row at line {line_old})")
            line_new = r_new.line_num
            if len(row_old) != 3:
                raise DatasetError(old_path, f"expected 3 columns, got {len(row_old)}", line_old)
            if len(row_new) != len(want_new):
                raise DatasetError(new_path, f"expected {len(want_new)} columns, got {len(row_new)}", line_new)
            emotion, pixels, usage = row_old
            if emotion.strip() not in {str(k) for k in range(7)}:
                raise DatasetError(old_path, f"unknown FER2013 emotion label {emotion!r} (expected 0-6)", line_old)
            if usage not in USAGE_TO_SPLIT:
                raise DatasetError(old_path, f"unknown Usage {usage!r}", line_old)
            if row_new[0] != usage:
                raise DatasetError(new_path, f"Usage {row_new[0]!r} differs from {old_path.name} ({usage!r})", line_new)
            name = row_new[1].strip()
            votes = _parse_votes(new_path, line_new, row_new[2:])
            if USAGE_TO_SPLIT[usage] != split or not name:
                continue
            try:
                px = np.array(pixels.split(), dtype=np.int64)
            except ValueError:
                raise DatasetError(old_path, "pixels must be space-separated integers", line_old) from None
            if px.size != IMAGE_SIDE * IMAGE_SIDE:
                expected = f"{IMAGE_SIDE}x{IMAGE_SIDE}={IMAGE_SIDE**2}"
                raise DatasetError(old_path, f"image has {px.size} pixels, expected {expected}", line_old)
            if px.min() < 0 or px.max() > 255:
                raise DatasetError(old_path, "pixel values must be 0-255", line_old)
            kept.pop(name, None)  # a reused name: the later row wins and takes the later position
            kept[name] = (px.astype(np.uint8).reshape(IMAGE_SIDE, IMAGE_SIDE), votes)
        if next(r_new, None) is not None:
            raise DatasetError(new_path, f"has more rows than {old_path.name}", r_new.line_num)
    names = list(kept)
    images = np.stack([kept[n][0] for n in names]) if names else np.zeros((0, 48, 48), np.uint8)
    votes_arr = np.asarray([kept[n][1] for n in names], dtype=np.int64).reshape(-1, len(VOTE_COLUMNS))
    return _build(images, votes_arr, names, f"original:{old_path}+{new_path}", "2017")


def load_ferplus(root: str | os.PathLike, split: str, vote_set: str = "2017") -> ExpressionSet:
    """Load a split from a folder holding either the packed files or fer2013.csv + fer2013new.csv."""
    root = Path(root)
    if (root / "labels.csv").exists() or (root / "images.u8").exists():
        return load_ferplus_packed(root, split, vote_set)
    if (root / "fer2013.csv").exists() or (root / "fer2013new.csv").exists():
        if vote_set != "2017":
            raise ValueError("the original-files format only has the 2017 votes (fer2013new.csv); use vote_set='2017'")
        return load_ferplus_original(root / "fer2013.csv", root / "fer2013new.csv", split)
    raise DatasetError(root, "no FERPlus data: expected images.u8 + labels.csv, or fer2013.csv + fer2013new.csv")
