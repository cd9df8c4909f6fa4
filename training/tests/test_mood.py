"""The audio mood fitter on feature lines and labels that the tests make (no song of any dataset)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from training.metrics import softmax
from training.mood.fit import main
from training.mood.model import logits

QUADRANT_CENTRES = {"Q1": (1, 1), "Q2": (-1, 1), "Q3": (-1, -1), "Q4": (1, -1)}
SIGNS = {"Q1": (1, 1), "Q2": (-1, 1), "Q3": (-1, -1), "Q4": (1, -1)}


def write_set(root: Path, per_quadrant: int = 30, seed: int = 0) -> tuple[Path, Path]:
    rng = np.random.RandomState(seed)
    features, labels = root / "features.jsonl", root / "labels.csv"
    lines, rows = [], []
    for q, (cx, cy) in QUADRANT_CENTRES.items():
        for i in range(per_quadrant):
            name = f"{q}-{i}.mp3"
            # Artists never straddle the split, as in the real set.
            split = "val" if i % 5 == 0 else "train"
            inputs = {
                "mode": cx + 0.6 * rng.randn(),
                "rms_db_mean": -20 + 4 * cy + 2 * rng.randn(),
                "noise": rng.randn(),
                "genre_rock": float(rng.rand() < 0.5),
                "genre_jazz": 0.0,
            }
            lines.append(json.dumps({"file": name, "artist": f"artist-{q}-{i // 5}", "inputs": inputs}))
            rows.append(
                {
                    "file": f"audio/{name}",
                    "split": split,
                    "quadrant": q,
                    "valence_sign": SIGNS[q][0],
                    "arousal_sign": SIGNS[q][1],
                }
            )
    lines.append(json.dumps({"file": "broken.mp3", "error": "cannot decode broken.mp3"}))
    features.write_text("\n".join(lines) + "\n")
    with labels.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["file", "split", "quadrant", "valence_sign", "arousal_sign"])
        w.writeheader()
        w.writerows(rows)
    return features, labels


def test_fits_a_card_the_app_can_reproduce(tmp_path: Path) -> None:
    features, labels = write_set(tmp_path)
    out = tmp_path / "models" / "audio-mood.json"
    card = main(["--features", str(features), "--labels", str(labels), "--out", str(out), "--folds", "3"])
    assert json.loads(out.read_text()) == card
    assert [p.name for p in out.parent.iterdir()] == ["audio-mood.json"]
    assert card["outputs"] == ["Q1", "Q2", "Q3", "Q4"]
    assert card["inputs"] == ["mode", "rms_db_mean", "noise", "genre_rock", "genre_jazz"]
    assert card["training"]["not_analysed"] == ["broken.mp3: cannot decode broken.mp3"]
    val = card["metrics"]["val_with_tags"]
    assert val["songs"] == 24 and val["quadrant_accuracy"] > 0.85
    assert val["valence_sign_accuracy"] > 0.85 and val["arousal_sign_accuracy"] > 0.85
    # The neutral rule is set so that few training songs (out of fold) are called neutral.
    assert 0.25 <= card["mood_rule"]["neutral_below"] < 1 and card["temperature"] > 0
    assert card["metrics"]["train_out_of_fold_with_tags"]["neutral_share"] <= 0.1
    # A genre no training song has keeps its scale at 1 and can never move the answer.
    assert card["scaling"]["scale"][4] == 1.0
    # The parity cases are what the card's own numbers give, computed here independently.
    low, high = np.array(card["scaling"]["low"]), np.array(card["scaling"]["high"])
    mean, scale = np.array(card["scaling"]["mean"]), np.array(card["scaling"]["scale"])
    # Genre flags are never held; audio inputs are held within the middle 99% of training songs.
    assert list(low[3:]) == [0, 0] and list(high[3:]) == [1, 1]
    assert (low[:3] < mean[:3]).all() and (mean[:3] < high[:3]).all()
    assert card["metrics"]["val_with_tags"]["unusual_share"] <= 0.1
    held = 0
    for case in card["parity"]:
        raw = np.array([case["inputs"][n] for n in card["inputs"]])
        held += int(((raw < low) | (raw > high)).sum())
        x = (np.clip(raw, low, high) - mean) / scale
        h = x
        for layer in card["layers"]:
            h = np.asarray(layer["weights"]) @ h + np.asarray(layer["bias"])
            h = np.maximum(h, 0) if layer["activation"] == "relu" else h
        np.testing.assert_allclose(softmax(h[None] / 1.0, card["temperature"])[0], case["probabilities"], atol=1e-9)
        np.testing.assert_allclose(logits(card["layers"], x[None])[0], h, atol=1e-12)
    assert held > 0  # the cases also check that inputs are held in range


def test_a_bad_label_row_is_named(tmp_path: Path) -> None:
    features, labels = write_set(tmp_path)
    text = labels.read_text().splitlines()
    text[2] = text[2].replace(",Q1,", ",Q5,")
    labels.write_text("\n".join(text) + "\n")
    with pytest.raises(SystemExit, match=r"labels.csv:3: bad quadrant"):
        main(["--features", str(features), "--labels", str(labels), "--out", str(tmp_path / "card.json")])
    assert not (tmp_path / "card.json").exists()


def test_a_broken_feature_line_is_named(tmp_path: Path) -> None:
    features, labels = write_set(tmp_path)
    features.write_text(features.read_text() + "{not json\n")
    with pytest.raises(SystemExit, match=r"features.jsonl:122: not a JSON line"):
        main(["--features", str(features), "--labels", str(labels), "--out", str(tmp_path / "card.json")])
