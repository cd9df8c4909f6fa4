"""RAF-DB basic: ``EmoLabel/list_patition_label.txt`` + ``Image/aligned/<name>_aligned.jpg`` (100x100 RGB).

Each label line is ``<split>_<number>.jpg <label>`` with labels 1-7 =
surprise, fear, disgust, happiness, sadness, anger, neutral (``RAFDB_CLASSES``).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image

from ..classes import RAFDB_CLASSES
from .common import DatasetError, ExpressionSet

LABEL_FILE = Path("EmoLabel") / "list_patition_label.txt"
ALIGNED_DIR = Path("Image") / "aligned"
RAFDB_SPLITS = ("train", "test")


def load_rafdb(root: str | os.PathLike, split: str, image_size: int = 100) -> ExpressionSet:
    if split not in RAFDB_SPLITS:
        raise ValueError(f"RAF-DB split must be one of {RAFDB_SPLITS}, got {split!r}")
    root = Path(root)
    label_path = root / LABEL_FILE
    if not label_path.is_file():
        raise DatasetError(label_path, "file not found (expected the RAF-DB basic layout)")
    images: list[np.ndarray] = []
    labels: list[int] = []
    names: list[str] = []
    with open(label_path) as f:
        for line_no, raw in enumerate(f, start=1):
            line = raw.strip()
            if not line:
                continue
            parts = line.split()
            if len(parts) != 2:
                raise DatasetError(label_path, f"expected '<image> <label>', got {line!r}", line_no)
            name, label_text = parts
            if not label_text.isdigit() or not 1 <= int(label_text) <= len(RAFDB_CLASSES):
                expected = f"1-{len(RAFDB_CLASSES)}"
                raise DatasetError(label_path, f"unknown label {label_text!r} (expected {expected})", line_no)
            if not name.startswith(split + "_"):
                if not name.startswith(tuple(s + "_" for s in RAFDB_SPLITS)):
                    raise DatasetError(label_path, f"image name {name!r} starts with neither train_ nor test_", line_no)
                continue
            img_path = root / ALIGNED_DIR / f"{Path(name).stem}_aligned{Path(name).suffix}"
            if not img_path.is_file():
                raise DatasetError(img_path, f"image listed at {label_path}, line {line_no} is missing")
            try:
                with Image.open(img_path) as im:
                    arr = np.asarray(im.convert("RGB"))
            except (OSError, ValueError) as e:
                raise DatasetError(img_path, f"cannot decode image (listed at line {line_no}): {e}") from None
            if arr.shape[:2] != (image_size, image_size):
                raise DatasetError(
                    img_path, f"image is {arr.shape[1]}x{arr.shape[0]}, expected {image_size}x{image_size}"
                )
            images.append(arr)
            labels.append(int(label_text) - 1)
            names.append(name)
    return ExpressionSet(
        images=np.stack(images) if images else np.zeros((0, image_size, image_size, 3), np.uint8),
        labels=np.asarray(labels, dtype=np.int64),
        classes=RAFDB_CLASSES,
        names=names,
        source=f"rafdb:{root}",
        info={"dataset": "rafdb"},
    )
