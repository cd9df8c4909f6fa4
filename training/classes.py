"""Class names, in model output order. The one place where label sets are defined."""

from __future__ import annotations

# FERPlus: the order of the vote columns in fer2013new.csv (minus unknown and NF).
FERPLUS_CLASSES: tuple[str, ...] = (
    "neutral",
    "happiness",
    "surprise",
    "sadness",
    "anger",
    "disgust",
    "fear",
    "contempt",
)
# The two non-emotion vote columns of FERPlus.
FERPLUS_EXTRA_VOTES: tuple[str, ...] = ("unknown", "NF")

# RAF-DB basic: label k (1-based) in EmoLabel/list_patition_label.txt is RAFDB_CLASSES[k - 1].
RAFDB_CLASSES: tuple[str, ...] = (
    "surprise",
    "fear",
    "disgust",
    "happiness",
    "sadness",
    "anger",
    "neutral",
)

DATASET_CLASSES: dict[str, tuple[str, ...]] = {
    "ferplus": FERPLUS_CLASSES,
    "rafdb": RAFDB_CLASSES,
}
