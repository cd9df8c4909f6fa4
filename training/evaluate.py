"""Evaluate a checkpoint: ``python -m training.evaluate --checkpoint <run>/best.pt``.

Fits a temperature on valid (LBFGS on the NLL), then reports on test and on the de-duplicated
test (test images whose exact pixels also occur in train removed): accuracy, balanced
accuracy, per-class recall, confusion matrix, NLL and ECE (15 bins) before and after
temperature scaling. Writes metrics.json, confusion-matrix and reliability-diagram PNGs. ``--tta hflip`` evaluates the
mean of the logits for each face and its mirror image instead (twice the inference cost).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader

from .blazeface import FRONT_DETECTOR
from .data import ExpressionSet, load_posed_splits, load_splits
from .data.dataset import EvalDataset
from .data.transforms import Preprocess
from .engine import HFlipAverage, predict, torch_load
from .metrics import classification_report, fit_temperature, plot_confusion, plot_reliability
from .models import create_model


def load_model(checkpoint: dict) -> torch.nn.Module:
    meta = checkpoint["meta"]
    args = meta["args"]
    # Checkpoints from before the width flag are full width.
    width = args.get("width", 1.0)
    model = create_model(
        checkpoint["model_name"], checkpoint["num_classes"], checkpoint["in_chans"], args["dropout"], width
    )
    model.load_state_dict(checkpoint["model"])
    return model.eval()


def dedup_mask(test: ExpressionSet, train_all: ExpressionSet) -> np.ndarray:
    """True for test images with no byte-identical copy anywhere in the train split."""
    train_hashes = set(train_all.pixel_hashes())
    return np.array([h not in train_hashes for h in test.pixel_hashes()], dtype=bool)


def neutral_share(logits: np.ndarray, labels: np.ndarray, classes: list[str]) -> float:
    """Share of the faces that are not neutral which the model calls neutral."""
    n = classes.index("neutral")
    other = labels != n
    return float((logits[other].argmax(1) == n).mean()) if other.any() else 0.0


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(prog="python -m training.evaluate", description=__doc__)
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--data", default=None, help="dataset folder (default: the one used for training)")
    p.add_argument("--out", default=None, help="output folder (default: <checkpoint folder>/eval)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--limit", type=int, default=None, help="evaluate only the first N images per split (tests)")
    p.add_argument("--tta", choices=["none", "hflip"], default="none", help="test-time augmentation")
    p.add_argument(
        "--posed-dir", default=None, help="also report the posed val split (default: the run's, if it had one)"
    )
    a = p.parse_args(sys.argv[1:] if argv is None else argv)
    torch.set_num_threads(a.threads)
    ck = torch_load(a.checkpoint)
    meta, targs = ck["meta"], ck["meta"]["args"]
    data_dir = a.data or targs["data"]
    out = Path(a.out or Path(a.checkpoint).parent / ("eval" if a.tta == "none" else f"eval-{a.tta}"))
    out.mkdir(parents=True, exist_ok=True)
    model = load_model(ck) if a.tta == "none" else HFlipAverage(load_model(ck))
    pre = Preprocess(**meta["preprocess"])
    classes = list(meta["classes"])
    dataset = targs["dataset"]

    def logits_of(data: ExpressionSet, name: str) -> tuple[np.ndarray, np.ndarray]:
        loader = DataLoader(EvalDataset(data, pre), batch_size=a.batch_size)
        return predict(model, loader, name)

    def first(data: ExpressionSet) -> ExpressionSet:
        data = data.labeled()
        return data if a.limit is None else data.subset(np.arange(min(a.limit, len(data))))

    splits = load_splits(dataset, data_dir, ("valid", "test", "train_all"), targs["vote_set"], targs["seed"])
    train_all, valid, test = splits["train_all"], first(splits["valid"]), first(splits["test"])
    v_logits, v_labels = logits_of(valid, "valid")
    temperature = fit_temperature(v_logits, v_labels)
    t_logits, t_labels = logits_of(test, "test")
    keep = dedup_mask(test, train_all)

    results = {
        "checkpoint": str(a.checkpoint),
        "epoch": ck["epoch"],
        "dataset": dataset,
        "data": str(data_dir),
        "tta": a.tta,
        "vote_set": targs["vote_set"] if dataset == "ferplus" else None,
        "classes": classes,
        "temperature": temperature,
        "temperature_fit": "LBFGS on log T, NLL on the valid split",
        "valid": classification_report(v_logits, v_labels, classes, temperature),
        "test": classification_report(t_logits, t_labels, classes, temperature),
        "test_dedup": classification_report(t_logits[keep], t_labels[keep], classes, temperature),
        "test_dedup_removed": int((~keep).sum()),
        "test_dedup_rule": "drop test images whose exact pixels (exact_dup_group) also occur in the train split",
    }
    posed_dir = a.posed_dir or (meta.get("posed") or {}).get("source", "").removeprefix("posed:") or None
    if posed_dir:
        _, posed_val = load_posed_splits(posed_dir, targs.get("detector", str(FRONT_DETECTOR)))
        p_logits, p_labels = logits_of(first(posed_val), "posed val")
        results["posed_val"] = classification_report(p_logits, p_labels, classes, temperature)
        results["posed_val"]["neutral_share_of_non_neutral"] = neutral_share(p_logits, p_labels, classes)
        results["posed_val"]["not_detected"] = posed_val.info["not_detected"]
        results["posed_data"] = posed_dir
    (out / "metrics.json").write_text(json.dumps(results, indent=1))
    for split in [s for s in ("test", "test_dedup", "posed_val") if s in results]:
        r = results[split]
        plot_confusion(
            np.array(r["confusion_matrix"]),
            classes,
            f"{meta['args']['model']} {dataset} {split}: acc {r['accuracy']:.4f}",
            out / f"confusion_{split}.png",
        )
    plot_reliability(t_logits, t_labels, temperature, f"{dataset} test reliability", out / "reliability_test.png")
    for split in [s for s in ("valid", "test", "test_dedup", "posed_val") if s in results]:
        r = results[split]
        print(
            f"{split:>10}: n={r['images']} acc {r['accuracy']:.4f} balanced {r['balanced_accuracy']:.4f} "
            f"ECE {r['ece_15_uncalibrated']:.4f} -> {r['ece_15_calibrated']:.4f} (T={temperature:.3f})"
        )
    print(f"wrote {out / 'metrics.json'}")
    return results


if __name__ == "__main__":
    main()
