"""Measure how a BlazeFace box relates to the FERPlus (FER2013) 48x48 framing:
``python -m training.crop_calibration --detector models/blazeface-front-128.json``.

The detector is given by its model card (the app's: ONNX file, input size and name, outputs,
anchor layers). Each valid-split image is placed in the middle of a grey canvas (``--pad`` x its
side), resized to the detector's input, and the detector's best box (score-weighted over the overlapping
anchors, as MediaPipe's weighted NMS does) is expressed in pixels of the 48x48 crop. The median
gives the crop the app should take around a BlazeFace box: side = max(w, h) * (1 + 2 * margin),
centre = box centre + (offset_x * w, offset_y * h). The model card's crop numbers come from here.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

from .blazeface import MODELS_DIR, BlazeFace
from .data import load_splits

CALIBRATION_FILE = Path(__file__).parent / "results" / "crop-calibration.json"


def measure(card_path: str, data: str, n: int, pad: float, seed: int = 0) -> dict[str, float]:
    det = BlazeFace(card_path)
    d = load_splits("ferplus", data, ("valid",))["valid"].labeled()
    idx = np.random.default_rng(seed).permutation(len(d))[:n]
    side = int(48 * pad)
    off = (side - 48) // 2
    rows = []
    for i in idx:
        canvas = np.full((side, side), 128, np.uint8)
        canvas[off : off + 48, off : off + 48] = d.images[i]
        found = det.detect(canvas)
        if found is None:
            continue
        rows.append((found.w, found.h, found.cx - off, found.cy - off))
    r = np.array(rows)
    big = np.maximum(r[:, 0], r[:, 1])
    return {
        "images": int(len(idx)),
        "detected": int(len(r)),
        "box_w_px": float(np.median(r[:, 0])),
        "box_h_px": float(np.median(r[:, 1])),
        "margin": float(np.median((48 / big - 1) / 2)),
        "margin_iqr": [float(np.percentile((48 / big - 1) / 2, q)) for q in (25, 75)],
        "offset_x": float(np.median((24 - r[:, 2]) / r[:, 0])),
        "offset_y": float(np.median((24 - r[:, 3]) / r[:, 1])),
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m training.crop_calibration", description=__doc__)
    p.add_argument(
        "--detector",
        nargs="+",
        default=[str(MODELS_DIR / "blazeface-front-128.json"), str(MODELS_DIR / "blazeface-back-256.json")],
        help="the detectors' model cards (the app's cascade uses both)",
    )
    p.add_argument("--data", default=os.environ.get("FERPLUS_DIR"), help="FERPlus folder (default $FERPLUS_DIR)")
    p.add_argument("-n", type=int, default=400)
    p.add_argument("--pad", type=float, nargs="+", default=[2.0, 3.0])
    p.add_argument("--out", type=Path, default=None, help="write the measurements and the crop here (JSON)")
    a = p.parse_args(argv)
    if not a.data:
        raise SystemExit("error: give --data or set FERPLUS_DIR")
    runs = []
    for card in a.detector:
        for pad in a.pad:
            runs.append({"detector": Path(card).stem, "pad": pad, **measure(card, a.data, a.n, pad)})
            print(json.dumps(runs[-1]))
    result = {
        "crop": crop_from(runs),
        "runs": runs,
        "command": "python -m training.crop_calibration " + " ".join(argv or sys.argv[1:]),
    }
    print(json.dumps(result["crop"]))
    if a.out:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = a.out.with_suffix(".tmp")
        tmp.write_text(json.dumps(result, indent=1) + "\n")
        tmp.replace(a.out)


def crop_from(runs: list[dict[str, object]]) -> dict[str, float]:
    """The crop the app takes: the median over every detector and canvas of the measured numbers."""
    return {k: round(float(np.median([float(r[k]) for r in runs])), 3) for k in ("margin", "offset_x", "offset_y")}  # type: ignore[arg-type]


def read_crop(path: str | os.PathLike = CALIBRATION_FILE) -> dict[str, object]:
    """The measured crop and how it was measured, for the model card."""
    path = Path(path)
    try:
        result = json.loads(path.read_text())
        crop = {k: float(result["crop"][k]) for k in ("margin", "offset_x", "offset_y")}
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise SystemExit(
            f"error: {path}: no crop calibration ({e}); run python -m training.crop_calibration --out {path}"
        ) from None
    detectors = sorted({str(r["detector"]) for r in result["runs"]})
    n = sum(int(r["detected"]) for r in result["runs"])
    return {
        **crop,
        "file": str(path),
        "basis": f"measured by {result['command']}: median over {len(result['runs'])} runs "
        f"({', '.join(detectors)}; FERPlus valid images in a grey canvas), {n} boxes",
    }


if __name__ == "__main__":
    main()
