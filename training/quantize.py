"""Static int8 quantisation of an exported expression model, measured against the float model:
``python -m training.quantize --card models/<name>.json --out /tmp/<name>-int8.onnx``.

onnxruntime's static quantisation (QDQ, int8 weights per channel, uint8 activations) is calibrated on
FERPlus valid faces; both models are then run by onnxruntime on FERPlus test (and its de-duplicated
subset) and, with ``--posed-dir``, on the posed val faces. The int8 model is worth shipping only if its
FERPlus test accuracy is within ``--max-drop`` (0.3 points) of the float model's; the verdict and every
number go to ``--results`` (JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from .blazeface import FRONT_DETECTOR
from .data import ExpressionSet, load_posed_splits, load_splits
from .data.transforms import Preprocess
from .evaluate import dedup_mask
from .metrics import classification_report


def batches(data: ExpressionSet, pre: Preprocess, size: int = 256):  # type: ignore[no-untyped-def]
    for i in range(0, len(data), size):
        yield np.stack([pre(im).numpy() for im in data.images[i : i + size]])


def run(model_path: Path, data: ExpressionSet, pre: Preprocess) -> np.ndarray:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    sess = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    return np.concatenate([sess.run(None, {name: x})[0] for x in batches(data, pre)])


def quantize(model: Path, out: Path, calibration: ExpressionSet, pre: Preprocess) -> None:
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.it = iter(batches(calibration, pre, 32))

        def get_next(self) -> dict[str, np.ndarray] | None:
            x = next(self.it, None)
            return None if x is None else {"input": x}

    with tempfile.TemporaryDirectory() as tmp:
        prepared = Path(tmp) / "prepared.onnx"
        quant_pre_process(str(model), str(prepared))
        quantize_static(
            str(prepared),
            str(out),
            Reader(),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
        )


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(prog="python -m training.quantize", description=__doc__)
    p.add_argument("--card", required=True, help="the float model's card (models/<name>.json)")
    p.add_argument("--out", required=True, type=Path, help="where to write the int8 ONNX model")
    p.add_argument("--data", default=os.environ.get("FERPLUS_DIR"), help="FERPlus folder (default $FERPLUS_DIR)")
    p.add_argument("--posed-dir", default=os.environ.get("POSED_DIR"), help="posed set (default $POSED_DIR)")
    p.add_argument("--calibration", type=int, default=512, help="FERPlus valid faces to calibrate on")
    p.add_argument("--max-drop", type=float, default=0.003, help="largest FERPlus test accuracy drop worth shipping")
    p.add_argument("--results", type=Path, default=None, help="write the numbers here (JSON)")
    a = p.parse_args(sys.argv[1:] if argv is None else argv)
    if not a.data:
        raise SystemExit("error: give --data or set FERPLUS_DIR")
    card_path = Path(a.card)
    card = json.loads(card_path.read_text())
    float_model = card_path.parent / card["file"]
    pre = Preprocess.from_card(card)
    classes = list(card["classes"])
    splits = load_splits("ferplus", a.data, ("valid", "test", "train_all"))
    valid = splits["valid"].labeled()
    idx = np.random.default_rng(0).permutation(len(valid))[: a.calibration]
    a.out.parent.mkdir(parents=True, exist_ok=True)
    quantize(float_model, a.out, valid.subset(np.sort(idx)), pre)

    test = splits["test"].labeled()
    sets = {"test": test, "test_dedup": test.subset(dedup_mask(test, splits["train_all"]))}
    if a.posed_dir:
        sets["posed_val"] = load_posed_splits(a.posed_dir, str(FRONT_DETECTOR))[1]
    results: dict[str, object] = {
        "float_model": str(float_model),
        "int8_model": str(a.out),
        "method": "onnxruntime quantize_static, QDQ, int8 weights per channel, uint8 activations, MinMax calibration",
        "calibration": f"{len(idx)} FERPlus valid faces (seed 0)",
        "float_bytes": float_model.stat().st_size,
        "int8_bytes": a.out.stat().st_size,
    }
    for name, data in sets.items():
        for kind, path in (("float", float_model), ("int8", a.out)):
            r = classification_report(run(path, data, pre), data.labels, classes)
            results[f"{name}_{kind}"] = {
                k: r[k] for k in ("images", "accuracy", "balanced_accuracy", "per_class_recall")
            }
            print(f"{name:>10} {kind:>5}: acc {r['accuracy']:.4f} balanced {r['balanced_accuracy']:.4f}")
    accuracy = {k: float(results[f"test_{k}"]["accuracy"]) for k in ("float", "int8")}  # type: ignore[index]
    drop = accuracy["float"] - accuracy["int8"]
    results["test_accuracy_drop"] = drop
    results["ship_int8"] = bool(drop <= a.max_drop)
    print(f"FERPlus test accuracy drop {100 * drop:.2f} points: {'ship' if results['ship_int8'] else 'keep float'}")
    if a.results:
        a.results.write_text(json.dumps(results, indent=1) + "\n")
    return results


if __name__ == "__main__":
    main()
