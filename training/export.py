"""Export a checkpoint to ONNX plus its JSON model card:
``python -m training.export --checkpoint <run>/best.pt --metrics <run>/eval/metrics.json --out models/<name>``.

The ONNX graph takes ``input`` (N, C, S, S) float32 NCHW, N (and, for benchmarks, H and W) dynamic,
and returns ``logits`` (N, K). Probabilities are softmax(logits / temperature). The export fails loudly unless
onnxruntime reproduces PyTorch's logits within 1e-4.
"""

from __future__ import annotations

import argparse
import inspect
import json
import shlex
import sys
from pathlib import Path

import numpy as np
import torch

from .crop_calibration import read_crop
from .engine import torch_load
from .evaluate import load_model
from .models import count_parameters
from .paper import PAPER_DEFAULTS, PAPER_TEST_ACCURACY

OPSET = 17
PARITY_TOL = 1e-4


def ferplus_crop() -> dict[str, object]:
    """The crop around a BlazeFace box that reproduces FER2013's framing, as measured by
    ``python -m training.crop_calibration`` (read from its results file, never typed here)."""
    measured = read_crop()
    return {
        "margin": measured["margin"],
        "offset_x": measured["offset_x"],
        "offset_y": measured["offset_y"],
        "square": True,
        "rule": "square crop, side = max(box w, box h) * (1 + 2 * margin), centre = (box cx + offset_x * box w, "
        "box cy + offset_y * box h); pad with black outside the frame",
        "basis": measured["basis"],
        "calibration_file": "training/results/crop-calibration.json",
        "alignment": "eyes levelled by the app; in training, FER2013 faces are roughly frontal and augmented with "
        "+-20 degree rotations, and posed-set faces are cut with the same crop and levelled eyes",
    }


def export_onnx(model: torch.nn.Module, path: Path, in_chans: int, size: int) -> None:
    dummy = torch.randn(1, in_chans, size, size)
    kwargs: dict[str, object] = {
        "input_names": ["input"],
        "output_names": ["logits"],
        # H and W are dynamic too, so that latency at other input sizes can be measured on the same graph
        # (npm run bench); the model reads faces at the card's size, the one it was trained at.
        "dynamic_axes": {"input": {0: "N", 2: "H", 3: "W"}, "logits": {0: "N"}},
        "opset_version": OPSET,
        "do_constant_folding": True,
    }
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False  # the TorchScript exporter: one self-contained file, as on torch 1.13
    torch.onnx.export(model, (dummy,), str(path), **kwargs)


def parity_check(model: torch.nn.Module, path: Path, in_chans: int, size: int, seed: int = 0) -> float:
    """Max |torch - onnxruntime| over a random batch; raises RuntimeError above PARITY_TOL."""
    import onnx
    import onnxruntime as ort

    onnx.checker.check_model(onnx.load(str(path)))
    # inputs in the normalised pixel range [-1, 1]
    x = torch.from_numpy(np.random.default_rng(seed).uniform(-1, 1, (5, in_chans, size, size)).astype(np.float32))
    with torch.no_grad():
        ref = model(x).numpy()
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = sess.run(["logits"], {"input": x.numpy()})[0]
    diff = float(np.abs(ref - got).max())
    if not np.isfinite(diff) or diff >= PARITY_TOL or got.shape != ref.shape:
        raise RuntimeError(f"ONNX parity check FAILED for {path}: max abs diff {diff:.3g} (limit {PARITY_TOL})")
    return diff


def parity_fixtures(model: torch.nn.Module, onnx_path: Path, in_chans: int, size: int) -> dict:
    """Synthetic inputs made here (noise and gradients, no dataset pixels) with onnxruntime's logits and
    top class, for a test in another runtime (e.g. onnxruntime-node) to compare against."""
    import onnxruntime as ort

    rng = np.random.default_rng(1234)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / (size - 1)
    planes = [
        rng.uniform(-1, 1, (size, size)),
        xx * 2 - 1,
        yy * 2 - 1,
        np.sin(6 * xx) * np.cos(4 * yy),
        np.where((xx - 0.5) ** 2 + (yy - 0.5) ** 2 < 0.1, 0.8, -0.6),
    ]
    x = np.stack([np.repeat(np.asarray(p, np.float32)[None], in_chans, 0) for p in planes]).astype(np.float32)
    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    logits = sess.run(["logits"], {"input": x})[0]
    with torch.no_grad():
        ref = model(torch.from_numpy(x)).numpy()
    return {
        "model": onnx_path.name,
        "input_shape": list(x.shape),
        "inputs": [[round(float(v), 6) for v in xi.reshape(-1)] for xi in x],
        "logits_onnxruntime": logits.round(6).tolist(),
        "logits_torch": ref.round(6).tolist(),
        "top_class": logits.argmax(1).tolist(),
        "note": "synthetic already-normalised inputs (NCHW, flattened C-order); no dataset pixels",
    }


def _epochs_run(checkpoint: Path, ck: dict) -> int:
    """Epochs the run trained (from last.pt beside the checkpoint when there is one)."""
    last = checkpoint.parent / "last.pt"
    history = torch_load(last)["history"] if last.is_file() and last != checkpoint else ck["history"]
    return int(history[-1]["epoch"]) if history else 0


def deviations(args: dict) -> list[str]:
    out = []
    if args["input_size"] != PAPER_DEFAULTS["input_size"]:
        paper = PAPER_DEFAULTS["input_size"]
        out.append(f"input {args['input_size']}x{args['input_size']} instead of {paper}x{paper} (CPU training budget)")
    if args["in_chans"] != PAPER_DEFAULTS["in_chans"]:
        out.append("grey 1-channel input instead of 3 channels (FERPlus is grey; the paper replicates to RGB)")
    if args.get("init_from"):
        out.append(
            f"fine-tuned from the exported model {args['init_from']} (its weights read from the ONNX file, BN "
            "refitted so that the network starts as exactly that model; its card says how it was trained)"
        )
    elif args.get("init", "none") == "faceres":
        out.append(
            "body initialised from faceres-deep (Keras MobileNetV1, ImageNet then VGGFace2 face identity) instead of "
            "ImageNet; its BN layers re-fitted so that the linear depthwise outputs keep the source's statistics"
        )
    else:
        out.append("trained from scratch: no ImageNet initialisation (no pretrained weights available offline)")
    if args.get("posed_dir"):
        out.append(
            f"trained on FERPlus plus the posed set's train split ({args['posed_weight']} x its size per epoch), "
            "checkpoint chosen on both domains"
        )
    if args.get("teacher"):
        out.append(
            f"distilled from the exported model {args['teacher']} ({args['distill_weight']} of the loss is "
            f"T^2 KL at temperature {args['distill_temperature']}, the rest the paper's loss); "
            "the paper does not distil"
        )
    if args.get("class_weight"):
        out.append(
            f"cross-entropy weighted per class ({', '.join(args['class_weight'])}; others 1); the paper weighs none"
        )
    if args.get("body_lr_mult", 1.0) != 1.0:
        out.append(f"pretrained body at {args['body_lr_mult']} x the learning rate of CBAM and the head")
    if args.get("warmup_epochs", 0):
        out.append(f"linear learning-rate warm-up over {args['warmup_epochs']} epoch(s)")
    jitter = args.get("jitter", [0, 0])
    for on, text in (
        (jitter[0] or jitter[1], f"brightness/contrast jitter +-{jitter[0]}/+-{jitter[1]}"),
        (args.get("blur"), f"Gaussian blur on {args.get('blur')} of the images"),
        (args.get("erase"), f"random erasing on {args.get('erase')} of the images"),
    ):
        if on:
            out.append(text + " (not in the paper)")
    for key, label in (
        ("epochs", "epochs"),
        ("lr", "learning rate"),
        ("batch_size", "batch size"),
        ("dropout", "dropout"),
        ("weight_decay", "weight decay"),
    ):
        if args[key] != PAPER_DEFAULTS[key]:
            out.append(f"{label} {args[key]} instead of {PAPER_DEFAULTS[key]}")
    if args.get("schedule", "none") != "none":
        out.append(f"{args['schedule']} learning-rate schedule (the paper names none)")
    out.append("'decay 1e-5' read as Adam weight decay (in Keras, Adam(decay=) is a learning-rate time decay)")
    out.append(
        f"center loss lambda {args['lambda_c']}, alpha {args['alpha_c']}, reduction {args['center_reduction']} "
        "(the paper gives no values)"
    )
    out.append(
        f"class balancing: {args['balance_fraction']} x largest class (the paper says 'as balanced as possible')"
    )
    if args.get("augment_all"):
        out.append("rotation/crop/translation augmentation on every class, not only the oversampled minority classes")
    if args.get("soft_labels"):
        out.append("soft-label cross-entropy on vote shares instead of majority labels")
    if args.get("limit"):
        out.append(f"trained on a {args['limit']}-image subset")
    return out


def selection(meta: dict, ck: dict) -> dict[str, object]:
    """The rule that chose the checkpoint, and every number it looked at for the chosen epoch."""
    rule = meta.get("selection") or {"rule": "ferplus-acc", "means": "FERPlus valid accuracy"}
    row = next((h for h in ck["history"] if h["epoch"] == ck["epoch"]), {})
    keys = ("valid_acc", "posed_val_acc", "posed_val_bacc", "selection_score")
    return {**rule, "epoch": ck["epoch"], "score": ck["best_acc"], **{k: row[k] for k in keys if k in row}}


def pipeline_metrics(paths: list[str]) -> dict[str, object] | None:
    """Whole-pipeline results (npm run bench:pipeline JSON), by set and subset, with the baselines beside."""
    out: dict[str, object] = {}
    for path in paths:
        r = json.loads(Path(path).read_text())
        for subset, reports in r["subsets"].items():
            out[f"{r['set']}_{subset}"] = [
                {
                    k: rep[k]
                    for k in (
                        "system",
                        "images",
                        "accuracy",
                        "balancedAccuracy",
                        "perClassRecall",
                        "neutralShareOfNonNeutral",
                        "noFace",
                        "confusion",
                    )
                }
                for rep in reports
            ]
    return out or None


def main(argv: list[str] | None = None) -> dict:
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(prog="python -m training.export", description=__doc__)
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--metrics", default=None, help="metrics.json from training.evaluate (temperature, metrics)")
    p.add_argument("--out", required=True, help="output path without extension, e.g. models/a-mobilenet-ferplus")
    p.add_argument("--name", default=None)
    p.add_argument("--version", default="1.0.0")
    p.add_argument("--fixtures", default=None, help="also write synthetic parity fixtures (JSON) to this path")
    p.add_argument(
        "--pipeline",
        nargs="*",
        default=[],
        help="results of npm run bench:pipeline with this model (JSON), for the card's whole-pipeline metrics",
    )
    a = p.parse_args(argv)
    ck = torch_load(a.checkpoint)
    meta, targs = ck["meta"], ck["meta"]["args"]
    model = load_model(ck)
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx_path, card_path = out.with_suffix(".onnx"), out.with_suffix(".json")
    size, in_chans = targs["input_size"], ck["in_chans"]
    export_onnx(model, onnx_path, in_chans, size)
    diff = parity_check(model, onnx_path, in_chans, size)
    print(f"parity OK: max abs diff {diff:.2e} (< {PARITY_TOL})")

    metrics = json.loads(Path(a.metrics).read_text()) if a.metrics else None
    pre = meta["preprocess"]
    import onnxruntime

    card = {
        "name": a.name or out.name,
        "version": a.version,
        "file": onnx_path.name,
        "format": f"onnx opset {OPSET}",
        "architecture": {
            "model": ck["model_name"],
            "width": ck["meta"]["args"].get("width", 1.0),
            "parameters": count_parameters(model),
            "paper": "A-MobileNet, Nan et al., Alexandria Engineering Journal 2021 (Table 1)",
        },
        "input": {
            "name": "input",
            "shape": ["N", in_chans, size, size],
            "dtype": "float32",
            "layout": "NCHW",
            "colour": "grey" if in_chans == 1 else "rgb",
            "size": size,
        },
        "output": {
            "name": "logits",
            "shape": ["N", ck["num_classes"]],
            "probabilities": "softmax(logits / temperature)",
        },
        "preprocessing": {
            "crop": ferplus_crop() if targs["dataset"] == "ferplus" else {"margin": None, "rule": "RAF-DB aligned"},
            "resize": {"size": [size, size], "interpolation": "bilinear"},
            "colour": "grey = ITU-R 601-2 luma (0.299 R + 0.587 G + 0.114 B), as PIL 'L'" if in_chans == 1 else "RGB",
            "scale": "pixel / 255 -> [0, 1]",
            "mean": [pre["mean"]] * in_chans,
            "std": [pre["std"]] * in_chans,
            "formula": "x = (pixel / 255 - mean) / std",
        },
        "classes": list(meta["classes"]),
        "temperature": metrics["temperature"] if metrics else 1.0,
        "training": {
            "dataset": targs["dataset"],
            "data_source": meta.get("train_source"),
            "vote_set": (
                f"{targs['vote_set']} (" + ("fer2013new.csv" if targs["vote_set"] == "2017" else "2016 label.csv") + ")"
            )
            if targs["dataset"] == "ferplus"
            else None,
            "label_rule": meta.get("data_info", {}).get("label_rule"),
            "splits": {
                "train": "FER2013 Training",
                "valid (model selection, temperature)": "FER2013 PublicTest",
                "test (reported once)": "FER2013 PrivateTest",
            }
            if targs["dataset"] == "ferplus"
            else None,
            "train_images": meta["train_images"],
            "balance": meta["balance"],
            "epochs_run": _epochs_run(Path(a.checkpoint), ck),
            "selected_epoch": ck["epoch"],
            "selection": selection(meta, ck),
            "init": meta.get("init"),
            "teacher": meta.get("teacher"),
            "posed": {k: v for k, v in (meta.get("posed") or {}).items() if k != "not_detected"} or None,
            "args": targs,
            "command": meta["command"],
            "earlier_commands": meta.get("earlier_commands", []),
            "torch": meta.get("torch"),
        },
        "deviations_from_paper": deviations(targs),
        "export": {
            "command": "python -m training.export " + " ".join(shlex.quote(x) for x in argv),
            "parity_max_abs_diff": diff,
            "onnxruntime": onnxruntime.__version__,
            "torch": torch.__version__,
        },
        "metrics": None
        if metrics is None
        else {
            k: {
                m: metrics[k][m]
                for m in (
                    "images",
                    "accuracy",
                    "balanced_accuracy",
                    "per_class_recall",
                    "confusion_matrix",
                    "nll_calibrated",
                    "ece_15_uncalibrated",
                    "ece_15_calibrated",
                )
            }
            for k in ("valid", "test", "test_dedup", "posed_val")
            if k in metrics
        }
        | {
            "test_dedup_removed": metrics["test_dedup_removed"],
            "test_dedup_rule": metrics["test_dedup_rule"],
            "paper_test_accuracy": round(PAPER_TEST_ACCURACY[targs["dataset"]] / 100, 4),
        }
        | (
            {"posed_val_neutral_share_of_non_neutral": metrics["posed_val"]["neutral_share_of_non_neutral"]}
            if "posed_val" in metrics
            else {}
        )
        | {"whole_pipeline": pipeline_metrics(a.pipeline)},
        "data_terms": "FER2013 pixels (and, where trained on it, the posed set's photographs) are third-party, "
        "research-use-only; the model was trained on them.",
    }
    card_path.write_text(json.dumps(card, indent=1) + "\n")
    if a.fixtures:
        Path(a.fixtures).parent.mkdir(parents=True, exist_ok=True)
        Path(a.fixtures).write_text(json.dumps(parity_fixtures(model, onnx_path, in_chans, size)) + "\n")
        print(f"wrote {a.fixtures}")
    print(f"wrote {onnx_path} and {card_path}")
    return card


if __name__ == "__main__":
    main()
