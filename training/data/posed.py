"""The posed-expression set (``POSED_DIR``, see its README): colour face photographs with a
performer-disjoint train/val split, labelled with FERPlus class names (no contempt).

The photographs are whole frames, so each is cut out as the app cuts a webcam face: the app's
BlazeFace finds the face and :func:`training.blazeface.crop_face` takes the model card's crop around it.
A face the detector misses is left out and counted in ``info``.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from ..blazeface import BlazeFace, CropSpec, crop_face
from ..classes import FERPLUS_CLASSES
from .common import DatasetError, ExpressionSet

REQUIRED = ("file", "label", "split", "performer")
SPLITS = ("train", "val")
# The vote columns, as FERPlus classes; the raters had no neutral or contempt choice.
VOTE_COLUMNS = {
    "vote_happy": "happiness",
    "vote_surprise": "surprise",
    "vote_sad": "sadness",
    "vote_angry": "anger",
    "vote_disgust": "disgust",
    "vote_fear": "fear",
}


def read_rows(root: Path) -> list[tuple[int, dict[str, str]]]:
    """(line, row) of labels.csv; raises DatasetError naming the line of a bad row."""
    path = root / "labels.csv"
    try:
        f = open(path, newline="")
    except OSError as e:
        raise DatasetError(path, f"cannot open ({e.strerror})") from None
    with f:
        reader = csv.DictReader(f)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise DatasetError(path, f"missing columns {missing}", 1)
        rows = []
        for line, row in enumerate(reader, start=2):
            if None in row or any(row.get(c) in (None, "") for c in REQUIRED):
                raise DatasetError(path, "wrong number of cells or an empty required cell", line)
            if row["label"] not in FERPLUS_CLASSES:
                raise DatasetError(path, f"unknown label {row['label']!r}", line)
            if row["split"] not in SPLITS:
                raise DatasetError(path, f"unknown split {row['split']!r} (expected one of {SPLITS})", line)
            name = Path(row["file"])
            if name.is_absolute() or ".." in name.parts:
                raise DatasetError(path, f"file {row['file']!r} is not inside the dataset folder", line)
            rows.append((line, row))
    return rows


def load_posed(
    root: str | os.PathLike,
    split: str,
    detector: BlazeFace,
    crop: CropSpec,
    size: int = 128,
) -> ExpressionSet:
    """One split as RGB face crops (N, size, size, 3), labels in FERPlus class order."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    root = Path(root)
    images, labels, names, missed = [], [], [], []
    for line, row in read_rows(root):
        if row["split"] != split:
            continue
        path = root / row["file"]
        try:
            with Image.open(path) as im:
                rgb = np.asarray(im.convert("RGB"))
        except (OSError, UnidentifiedImageError) as e:
            raise DatasetError(root / "labels.csv", f"image {row['file']!r} cannot be read ({e})", line) from None
        det = detector.detect(rgb)
        if det is None:
            missed.append(row["file"])
            continue
        images.append(crop_face(rgb, det, crop, size))
        labels.append(FERPLUS_CLASSES.index(row["label"]))
        names.append(row["file"])
    return ExpressionSet(
        images=np.stack(images) if images else np.zeros((0, size, size, 3), np.uint8),
        labels=np.array(labels, dtype=np.int64),
        classes=FERPLUS_CLASSES,
        names=names,
        soft=np.eye(len(FERPLUS_CLASSES), dtype=np.float32)[labels] if labels else None,  # posed label as a target
        source=f"posed:{root}",
        info={
            "split": split,
            "detector": detector.name,
            "crop": vars(crop),
            "crop_size": size,
            "not_detected": missed,
        },
    )
