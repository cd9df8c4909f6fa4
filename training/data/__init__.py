"""Datasets: FERPlus (packed or original files), RAF-DB basic, the posed set; their splits in ``splits``."""

from __future__ import annotations

from .common import DatasetError, ExpressionSet
from .ferplus import load_ferplus, load_ferplus_original, load_ferplus_packed, majority_label
from .rafdb import load_rafdb
from .splits import load_posed_splits, load_split, load_splits

__all__ = [
    "DatasetError",
    "ExpressionSet",
    "load_ferplus",
    "load_ferplus_original",
    "load_ferplus_packed",
    "load_posed_splits",
    "load_rafdb",
    "load_split",
    "load_splits",
    "majority_label",
]
