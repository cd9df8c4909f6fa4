"""Datasets: FERPlus (packed or original files), RAF-DB basic; one factory for the trainer."""

from __future__ import annotations

import os

from .common import DatasetError, ExpressionSet
from .ferplus import load_ferplus, load_ferplus_original, load_ferplus_packed, majority_label
from .rafdb import load_rafdb


def load_split(dataset: str, root: str | os.PathLike, split: str, vote_set: str = "2017") -> ExpressionSet:
    """All images of one split (dropped ones have label -1). RAF-DB has only train and test;
    the trainer holds out part of train as its valid split."""
    if dataset == "ferplus":
        return load_ferplus(root, split, vote_set)
    if dataset == "rafdb":
        return load_rafdb(root, split)
    raise ValueError(f"unknown dataset {dataset!r}; choose ferplus or rafdb")


__all__ = [
    "DatasetError",
    "ExpressionSet",
    "load_ferplus",
    "load_ferplus_original",
    "load_ferplus_packed",
    "load_rafdb",
    "load_split",
    "majority_label",
]
