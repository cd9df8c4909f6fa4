"""The in-memory form every loader returns, and the error every loader raises."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np


class DatasetError(ValueError):
    """Bad dataset input. The message names the file and, where there is one, the row (line)."""

    def __init__(self, path: object, message: str, line: int | None = None) -> None:
        where = f"{path}" if line is None else f"{path}, line {line}"
        super().__init__(f"{where}: {message}")
        self.path = str(path)
        self.line = line


@dataclass
class ExpressionSet:
    """One split of a dataset: uint8 images (N, H, W) grey or (N, H, W, 3) RGB, and labels.

    ``labels[i] == -1`` marks an image the label rule dropped (kept so that de-duplication
    can see every image of a split); use :meth:`labeled` for training and evaluation.
    """

    images: np.ndarray
    labels: np.ndarray
    classes: tuple[str, ...]
    names: list[str]
    soft: np.ndarray | None = None  # (N, K) float32 vote shares, FERPlus only
    source: str = ""
    info: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.images) != len(self.labels) or len(self.names) != len(self.labels):
            raise ValueError("images, labels and names must have the same length")

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, mask_or_idx: np.ndarray) -> ExpressionSet:
        idx = np.flatnonzero(mask_or_idx) if mask_or_idx.dtype == bool else np.asarray(mask_or_idx)
        return ExpressionSet(
            images=self.images[idx],
            labels=self.labels[idx],
            classes=self.classes,
            names=[self.names[i] for i in idx],
            soft=None if self.soft is None else self.soft[idx],
            source=self.source,
            info=dict(self.info),
        )

    def labeled(self) -> ExpressionSet:
        return self.subset(self.labels >= 0)

    def pixel_hashes(self) -> list[str]:
        """sha1 of each image's raw bytes: byte-identical images share a hash."""
        return [hashlib.sha1(np.ascontiguousarray(im).tobytes()).hexdigest() for im in self.images]

    def class_counts(self) -> dict[str, int]:
        counts = np.bincount(self.labels[self.labels >= 0], minlength=len(self.classes))
        return {c: int(n) for c, n in zip(self.classes, counts)}
