"""Every dataset's train / valid / test, derived here and nowhere else: the trainer fits and selects on
them, and evaluate, quantize and the crop calibration read the same ones.

* FERPlus: its own splits (train = FER2013 Training, valid = PublicTest, test = PrivateTest).
* RAF-DB: it has no valid split, so a seeded tenth of train is held out as valid.
* The posed set: its ``labels.csv`` names train and val (performer-disjoint); the faces are cut
  out as the app cuts them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import numpy as np

from .common import ExpressionSet
from .ferplus import load_ferplus
from .rafdb import load_rafdb

SPLITS: tuple[str, ...] = ("train", "valid", "test", "train_all")
#: RAF-DB's valid split: 1 / RAFDB_VALID_EVERY of its train images, chosen by the run's seed.
RAFDB_VALID_EVERY = 10


def load_split(dataset: str, root: str | os.PathLike, split: str, vote_set: str = "2017") -> ExpressionSet:
    """One split as the dataset's files define it (RAF-DB's files have only train and test);
    :func:`load_splits` derives the splits a run uses from these."""
    if dataset == "ferplus":
        return load_ferplus(root, split, vote_set)
    if dataset == "rafdb":
        return load_rafdb(root, split)
    raise ValueError(f"unknown dataset {dataset!r}; choose ferplus or rafdb")


def rafdb_holdout(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted indices of RAF-DB's train images that stay in train, and of those held out as valid."""
    perm = np.random.default_rng(seed).permutation(n)
    cut = n // RAFDB_VALID_EVERY
    return np.sort(perm[cut:]), np.sort(perm[:cut])


def load_splits(
    dataset: str,
    root: str | os.PathLike,
    names: Iterable[str] = ("train", "valid", "test"),
    vote_set: str = "2017",
    seed: int = 0,
) -> dict[str, ExpressionSet]:
    """The named splits, every image kept (the ones the label rule dropped have label -1).

    ``train_all`` is every image of the dataset's training files (for RAF-DB, train and the held-out
    valid together): the images a test image must not duplicate. ``seed`` chooses RAF-DB's valid.
    """
    names = tuple(names)
    unknown = [n for n in names if n not in SPLITS]
    if unknown:
        raise ValueError(f"unknown split(s) {unknown}; choose from {SPLITS}")
    if dataset == "ferplus":
        files = {n: "train" if n == "train_all" else n for n in names}
        read = {f: load_split(dataset, root, f, vote_set) for f in dict.fromkeys(files.values())}
        return {n: read[f] for n, f in files.items()}
    if dataset != "rafdb":
        raise ValueError(f"unknown dataset {dataset!r}; choose ferplus or rafdb")
    out = {"test": load_split(dataset, root, "test")} if "test" in names else {}
    derived = [n for n in names if n != "test"]
    if derived:
        full = load_split(dataset, root, "train")  # one read for train, valid and train_all
        keep, held_out = rafdb_holdout(len(full), seed)
        for name in derived:
            out[name] = full if name == "train_all" else full.subset(keep if name == "train" else held_out)
    return {n: out[n] for n in names}


def load_posed_splits(root: str | os.PathLike, detector_card: str) -> tuple[ExpressionSet, ExpressionSet]:
    """The posed set's train and val splits, cut out as the app cuts faces (detector + measured crop)."""
    # Imported here, not above: crop_calibration reads FERPlus through this module (an import cycle).
    from ..blazeface import BlazeFace, CropSpec
    from ..crop_calibration import read_crop
    from .posed import load_posed

    detector, crop = BlazeFace(detector_card), CropSpec.from_card(read_crop())
    return load_posed(root, "train", detector, crop), load_posed(root, "val", detector, crop)
