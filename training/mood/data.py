"""Feature lines written by the app (``npm run features:audio``) joined with mer4q's quadrant labels.

The features are computed by the app's TypeScript code only: training reads them, never recomputes them,
so a feature means the same thing here and in the player.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np

QUADRANTS = ("Q1", "Q2", "Q3", "Q4")


class MoodDataError(ValueError):
    pass


@dataclass
class MoodSet:
    names: list[str]
    x: np.ndarray  # (n, features) float64
    y: np.ndarray  # (n,) quadrant index
    valence: np.ndarray  # (n,) +1 / -1
    arousal: np.ndarray  # (n,) +1 / -1
    artists: list[str]
    files: list[str]

    def __len__(self) -> int:
        return len(self.y)

    def subset(self, mask: np.ndarray) -> MoodSet:
        idx = np.flatnonzero(mask)
        return MoodSet(
            self.names,
            self.x[idx],
            self.y[idx],
            self.valence[idx],
            self.arousal[idx],
            [self.artists[i] for i in idx],
            [self.files[i] for i in idx],
        )


def read_feature_lines(path: Path) -> tuple[dict[str, dict], list[str]]:
    """Feature lines by file name, and the files the app could not analyse (with why)."""
    lines: dict[str, dict] = {}
    failed: list[str] = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            line = json.loads(text)
        except json.JSONDecodeError as error:
            raise MoodDataError(f"{path}:{number}: not a JSON line ({error.msg})") from None
        name = PurePosixPath(str(line.get("file", ""))).name
        if not name:
            raise MoodDataError(f"{path}:{number}: the line names no file")
        if "error" in line:
            failed.append(f"{name}: {line['error']}")
            continue
        inputs = line.get("inputs")
        if not isinstance(inputs, dict) or not inputs:
            raise MoodDataError(f"{path}:{number}: no inputs for {name}")
        lines[name] = line
    return lines, failed


def read_labels(path: Path) -> dict[str, dict[str, str]]:
    """mer4q's labels.csv rows by file name; a bad row stops with its line number."""
    rows: dict[str, dict[str, str]] = {}
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = {"file", "split", "quadrant", "valence_sign", "arousal_sign"} - set(reader.fieldnames or [])
        if missing:
            raise MoodDataError(f"{path}: no column(s) {', '.join(sorted(missing))}")
        for number, row in enumerate(reader, start=2):
            if row["quadrant"] not in QUADRANTS or row["split"] not in ("train", "val"):
                raise MoodDataError(f"{path}:{number}: bad quadrant or split: {row['quadrant']!r}, {row['split']!r}")
            if row["valence_sign"] not in ("1", "-1") or row["arousal_sign"] not in ("1", "-1"):
                raise MoodDataError(f"{path}:{number}: valence_sign and arousal_sign must be 1 or -1")
            rows[PurePosixPath(row["file"]).name] = row
    return rows


def load(features: Path, labels: Path) -> tuple[dict[str, MoodSet], dict[str, object]]:
    """The train and val sets, and a summary of what was joined and what was left out (and why)."""
    lines, failed = read_feature_lines(features)
    rows = read_labels(labels)
    joined = sorted(set(lines) & set(rows))
    if not joined:
        raise MoodDataError(f"no file of {features} is in {labels}")
    names = list(lines[joined[0]]["inputs"].keys())
    x = np.zeros((len(joined), len(names)))
    for i, name in enumerate(joined):
        inputs = lines[name]["inputs"]
        if list(inputs.keys()) != names:
            raise MoodDataError(f"{features}: {name} has other inputs than {joined[0]}")
        x[i] = [float(inputs[k]) for k in names]
    if not np.isfinite(x).all():
        raise MoodDataError(f"{features}: inputs that are not finite numbers")
    splits = np.array([rows[n]["split"] for n in joined])
    full = MoodSet(
        names,
        x,
        np.array([QUADRANTS.index(rows[n]["quadrant"]) for n in joined]),
        np.array([int(rows[n]["valence_sign"]) for n in joined]),
        np.array([int(rows[n]["arousal_sign"]) for n in joined]),
        [str(lines[n].get("artist") or "") for n in joined],
        joined,
    )
    summary = {
        "labelled": len(rows),
        "analysed": len(joined),
        "not_analysed": failed,
        "no_label": sorted(set(lines) - set(rows)),
        "no_features": sorted(set(rows) - set(lines) - {f.split(":")[0] for f in failed}),
    }
    return {split: full.subset(splits == split) for split in ("train", "val")}, summary
