"""Fit the audio mood model on mer4q's train split and write its card:

    npm run features:audio -- "$MER4Q_DIR/audio" --out /tmp/mer4q-features.jsonl
    python -m training.mood --features /tmp/mer4q-features.jsonl --labels "$MER4Q_DIR/labels.csv" \\
        --out models/audio-mood.json

Model and strength are chosen by 5-fold cross-validation on train, folds split by artist (as the dataset's
own train/val split is), so val is touched once, by the chosen model. The temperature and the `neutral` rule
are set on the out-of-fold predictions too. Every training song is seen twice, with and without its genre
tag, so that the model also judges files that have no tags; val is reported both ways.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from ..metrics import classification_report, expected_calibration_error, fit_temperature, softmax
from .data import QUADRANTS, MoodDataError, MoodSet, load
from .model import Layers, ModelConfig, Scaling, fit, logits

CONFIGS = [ModelConfig(0, l2) for l2 in (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2)] + [
    ModelConfig(16, l2) for l2 in (1e-3, 3e-3, 1e-2, 3e-2)
]
#: Share of training songs (out of fold) that the rule may call `neutral`: the few it cannot place.
NEUTRAL_SHARE = 0.05
#: Share of training songs that may be called unusual (inputs outside their typical range).
UNUSUAL_SONGS = 0.01
#: An unusual song's confidence is held below this: the app says "a guess" (src/shared/mood.ts).
UNUSUAL_CAP = 0.5
#: Expected arousal (P(Q1) + P(Q2) - P(Q3) - P(Q4)) above which a Q1 song is `energetic`, not `happy`.
ENERGETIC_AROUSAL = 0.5


def without_tags(x: np.ndarray, names: list[str]) -> np.ndarray:
    out = x.copy()
    out[:, [i for i, n in enumerate(names) if n.startswith("genre_")]] = 0
    return out


def artist_folds(artists: list[str], k: int, seed: int) -> np.ndarray:
    unique = sorted(set(artists))
    order = np.random.RandomState(seed).permutation(len(unique))
    fold_of = {unique[j]: i % k for i, j in enumerate(order)}
    return np.array([fold_of[a] for a in artists])


def fit_scaled(
    x: np.ndarray, y: np.ndarray, names: list[str], config: ModelConfig, seed: int
) -> tuple[Scaling, Layers]:
    both = np.concatenate([x, without_tags(x, names)])
    scaling = Scaling.fit(both, names)
    return scaling, fit(scaling(both), np.concatenate([y, y]), config, seed)


def out_of_fold(train: MoodSet, config: ModelConfig, folds: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold logits with tags and without them."""
    tagged = np.zeros((len(train), 4))
    untagged = np.zeros((len(train), 4))
    for fold in np.unique(folds):
        inside = folds != fold
        scaling, layers = fit_scaled(train.x[inside], train.y[inside], train.names, config, seed)
        held = train.x[~inside]
        tagged[~inside] = logits(layers, scaling(held))
        untagged[~inside] = logits(layers, scaling(without_tags(held, train.names)))
    return tagged, untagged


def auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """Area under the ROC curve: the chance that a positive scores above a negative (ties count half)."""
    pos, neg = scores[positive], scores[~positive]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def report(
    z: np.ndarray, data: MoodSet, temperature: float, neutral_below: float, unusual: np.ndarray | None = None
) -> dict[str, object]:
    p = softmax(z, temperature)
    unusual = np.zeros(len(data), bool) if unusual is None else unusual
    quadrant = classification_report(z, data.y, QUADRANTS, temperature)
    valence_score = p[:, 0] + p[:, 3]
    arousal_score = p[:, 0] + p[:, 1]
    neutral = p.max(axis=1) < neutral_below
    shown_right = (~neutral) & (p.argmax(axis=1) == data.y)
    return {
        "songs": len(data),
        "quadrant_accuracy": quadrant["accuracy"],
        "quadrant_balanced_accuracy": quadrant["balanced_accuracy"],
        "per_quadrant_recall": quadrant["per_class_recall"],
        "confusion_matrix": quadrant["confusion_matrix"],
        "valence_sign_accuracy": float(((valence_score > 0.5) == (data.valence > 0)).mean()),
        "arousal_sign_accuracy": float(((arousal_score > 0.5) == (data.arousal > 0)).mean()),
        "valence_auc": auc(valence_score, data.valence > 0),
        "arousal_auc": auc(arousal_score, data.arousal > 0),
        "neutral_share": float(neutral.mean()),
        "unusual_share": float(unusual.mean()),
        "shown_mood_in_right_quadrant": float(shown_right.mean()),
        "mean_confidence": float(p.max(axis=1).mean()),
        "ece_10_calibrated": expected_calibration_error(p, data.y, 10),
        "ece_10_uncalibrated": expected_calibration_error(softmax(z), data.y, 10),
        "right_vs_wrong_auc": auc(p.max(axis=1), p.argmax(axis=1) == data.y),
        "reliability": reliability(p, data.y),
    }


def reliability(p: np.ndarray, y: np.ndarray, edges: tuple[float, ...] = (0.0, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0)) -> list:
    """Accuracy against stated confidence, bin by bin: what a word such as "likely" (>= 0.6) is worth."""
    conf, right = p.max(axis=1), p.argmax(axis=1) == y
    rows = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf >= lo) & (conf < hi) if hi < 1 else (conf >= lo)
        rows.append(
            {
                "from": lo,
                "to": hi,
                "songs": int(m.sum()),
                "accuracy": float(right[m].mean()) if m.any() else None,
                "mean_confidence": float(conf[m].mean()) if m.any() else None,
            }
        )
    return rows


def baselines(train: MoodSet, val: MoodSet) -> dict[str, float]:
    majority = int(np.bincount(train.y, minlength=4).argmax())
    return {
        "chance_quadrant": 0.25,
        f"always_{QUADRANTS[majority]}_(train_majority)": float((val.y == majority).mean()),
        "always_Q4_(calm)": float((val.y == 3).mean()),
        "majority_valence_sign": float(max((val.valence > 0).mean(), (val.valence < 0).mean())),
        "majority_arousal_sign": float(max((val.arousal > 0).mean(), (val.arousal < 0).mean())),
    }


def parity_cases(names: list[str], scaling: Scaling, layers: Layers, temperature: float, seed: int) -> list[dict]:
    """Made-up inputs (no song's features) with the probabilities the app must reproduce."""
    rng = np.random.RandomState(seed)
    cases = []
    for _ in range(4):
        x = scaling.mean + rng.randn(len(names)) * scaling.scale
        for i, n in enumerate(names):
            if n.startswith("genre_"):
                x[i] = float(rng.rand() < 0.2)
        p = softmax(logits(layers, scaling(x[None, :])), temperature)[0]
        cases.append({"inputs": dict(zip(names, x.tolist())), "probabilities": p.tolist()})
    return cases


def inputs_digest(*sets: MoodSet) -> str:
    """sha256 of the songs' names and inputs, in order: the same for every run of the same app version
    (timings in the feature lines do not count)."""
    h = hashlib.sha256()
    for data in sets:
        for name, row in zip(data.files, data.x):
            h.update(name.encode())
            h.update(np.ascontiguousarray(row, dtype="<f8").tobytes())
    return h.hexdigest()


def write_json_atomically(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.chmod(tmp, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="python -m training.mood", description=__doc__.split("\n\n")[0])
    ap.add_argument("--features", type=Path, required=True, help="JSON lines from npm run features:audio")
    ap.add_argument("--labels", type=Path, required=True, help="mer4q labels.csv")
    ap.add_argument("--out", type=Path, required=True, help="the card to write (models/audio-mood.json)")
    ap.add_argument("--version", default="1")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    try:
        sets, joined = load(args.features, args.labels)
    except (MoodDataError, OSError) as error:
        sys.exit(f"cannot fit the mood model: {error}")
    train, val = sets["train"], sets["val"]
    if len(train) < 4 * args.folds or len(val) == 0:
        sys.exit(f"cannot fit the mood model: {len(train)} train and {len(val)} val songs are too few")
    print(f"{len(train)} train songs, {len(val)} val songs, {len(train.names)} inputs", file=sys.stderr)

    folds = artist_folds(train.artists, args.folds, args.seed)
    cv = []
    for config in CONFIGS:
        tagged, untagged = out_of_fold(train, config, folds, args.seed)
        acc = [float((z.argmax(1) == train.y).mean()) for z in (tagged, untagged)]
        cv.append(
            {
                "model": config.label,
                "hidden": config.hidden,
                "l2": config.l2,
                "oof_accuracy_tags": acc[0],
                "oof_accuracy_no_tags": acc[1],
                "score": float(np.mean(acc)),
                "_oof": (tagged, untagged),
            }
        )
        print(
            f"  {config.label:<22} out-of-fold quadrant accuracy {acc[0]:.3f} with tags, {acc[1]:.3f} without",
            file=sys.stderr,
        )
    best = max(cv, key=lambda c: c["score"])
    config = ModelConfig(int(best["hidden"]), float(best["l2"]))
    oof = np.concatenate(best["_oof"])
    temperature = fit_temperature(oof, np.concatenate([train.y, train.y]))
    neutral_below = float(np.floor(100 * np.quantile(softmax(oof, temperature).max(axis=1), NEUTRAL_SHARE)) / 100)

    scaling, layers = fit_scaled(train.x, train.y, train.names, config, args.seed)
    audio = np.array([not n.startswith("genre_") for n in train.names])
    outside = Scaling(scaling.mean[audio], scaling.scale[audio], scaling.low[audio], scaling.high[audio])
    unusual_share = float(
        max(0.1, np.ceil(100 * np.quantile(outside.outside_share(train.x[:, audio]), 1 - UNUSUAL_SONGS)) / 100)
    )
    val_unusual = outside.outside_share(val.x[:, audio]) > unusual_share
    val_tags = report(logits(layers, scaling(val.x)), val, temperature, neutral_below, val_unusual)
    val_audio = report(
        logits(layers, scaling(without_tags(val.x, val.names))), val, temperature, neutral_below, val_unusual
    )
    oof_report = report(best["_oof"][0], train, temperature, neutral_below)
    print(f"chose {config.label}; temperature {temperature:.3f}; neutral below {neutral_below:.2f}", file=sys.stderr)
    for label, r in (("val, with tags", val_tags), ("val, audio only", val_audio)):
        print(
            f"  {label}: quadrant {r['quadrant_accuracy']:.3f}, valence sign {r['valence_sign_accuracy']:.3f}, "
            f"arousal sign {r['arousal_sign_accuracy']:.3f}, neutral {r['neutral_share']:.3f}, recall "
            + " ".join(f"{q} {v:.2f}" for q, v in r["per_quadrant_recall"].items()),
            file=sys.stderr,
        )

    card = {
        "name": "emotune-audio-mood",
        "version": args.version,
        "description": "Quadrant of Russell's valence-arousal plane from the app's audio features and tag hints.",
        "outputs": list(QUADRANTS),
        "inputs": train.names,
        "scaling": {
            "low": scaling.low.tolist(),
            "high": scaling.high.tolist(),
            "mean": scaling.mean.tolist(),
            "scale": scaling.scale.tolist(),
            "means": "each input is held within [low, high] (the middle 99% of training songs; genre flags 0-1), "
            "then (x - mean) / scale",
        },
        "layers": layers,
        "temperature": temperature,
        "mood_rule": {
            "neutral_below": neutral_below,
            "energetic_arousal": ENERGETIC_AROUSAL,
            "unusual_share": unusual_share,
            "unusual_cap": UNUSUAL_CAP,
            "means": "argmax quadrant: Q1 happy (energetic when expected arousal >= energetic_arousal), Q2 tense, "
            "Q3 sad, Q4 calm; neutral when the top calibrated probability is below neutral_below; a song with more "
            "than unusual_share of its audio inputs outside [low, high] is unusual, its confidence held below "
            "unusual_cap",
        },
        "training": {
            "data": "mer4q (Panda, Malheiro & Paiva 2018): 30 s previews, 22,050 Hz mono; train split only",
            "features": "computed by the app (npm run features:audio); genre_* inputs are tag hints, 0 without tags",
            "inputs_sha256": inputs_digest(train, val),
            "joined": {k: (v if isinstance(v, int) else len(v)) for k, v in joined.items()},
            "not_analysed": joined["not_analysed"],
            "tag_dropout": "every training song twice: with its genre flags and with them all 0",
            "selection": f"{args.folds}-fold cross-validation on train, folds by artist; best mean out-of-fold "
            "quadrant accuracy with and without tags",
            "cross_validation": [{k: v for k, v in c.items() if k != "_oof"} for c in cv],
            "chosen": config.label,
            "calibration": "temperature fitted on the out-of-fold logits (train), so val measures it honestly",
            "neutral_rule": f"neutral_below = the {NEUTRAL_SHARE:.0%} quantile of out-of-fold top probabilities",
            "command": "python -m training.mood " + " ".join(argv if argv is not None else sys.argv[1:]),
        },
        "metrics": {
            "val_with_tags": val_tags,
            "val_audio_only": val_audio,
            "train_out_of_fold_with_tags": oof_report,
            "baselines_val": baselines(train, val),
        },
        "parity": parity_cases(train.names, scaling, layers, temperature, args.seed),
        "data_terms": "fitted on mer4q, third-party research data; no clip or feature of it is shipped",
    }
    write_json_atomically(args.out, card)
    print(f"wrote {args.out}", file=sys.stderr)
    return card
