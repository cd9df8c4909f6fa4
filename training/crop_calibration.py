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
from pathlib import Path

import numpy as np
from PIL import Image

from .data import load_ferplus


def _anchors(layers: list[dict[str, int]]) -> np.ndarray:
    """Anchor centres in the order the model emits them (as src/main/vision/blazeface.ts)."""
    pts = [
        ((x + 0.5) / layer["grid"], (y + 0.5) / layer["grid"])
        for layer in layers
        for y in range(layer["grid"])
        for x in range(layer["grid"])
        for _ in range(layer["anchorsPerCell"])
    ]
    return np.array(pts)


def measure(card_path: str, data: str, n: int, pad: float, seed: int = 0) -> dict[str, float]:
    import onnxruntime as ort

    card = json.loads(Path(card_path).read_text())
    size = int(card["input"]["size"])
    lo, hi = card["input"]["range"]
    per_anchor = 4 + 2 * int(card["decode"]["keypoints"])  # box, then x and y of each keypoint
    options = ort.SessionOptions()
    options.log_severity_level = 3  # the converted detectors carry unused initializers; ORT warns on each load
    sess = ort.InferenceSession(str(Path(card_path).parent / card["file"]), options, providers=["CPUExecutionProvider"])
    score_names, reg_names = card["outputs"]["scores"], card["outputs"]["regressions"]
    anchors = _anchors(card["anchors"])
    d = load_ferplus(data, "valid").labeled()
    idx = np.random.default_rng(seed).permutation(len(d))[:n]
    side = int(48 * pad)
    off = (side - 48) // 2
    rows = []
    for i in idx:
        canvas = np.full((side, side), 128, np.uint8)
        canvas[off : off + 48, off : off + 48] = d.images[i]
        x = np.asarray(Image.fromarray(canvas).resize((size, size), Image.Resampling.BILINEAR), np.float32)
        x = np.repeat((lo + x / 255 * (hi - lo))[None, :, :, None], 3, axis=3)
        o = dict(zip(score_names + reg_names, sess.run(score_names + reg_names, {card["input"]["name"]: x})))
        logits = np.concatenate([o[k].reshape(-1) for k in score_names])
        reg = np.concatenate([o[k].reshape(-1, per_anchor) for k in reg_names])
        s = 1 / (1 + np.exp(-np.clip(logits, -50, 50)))
        if s.max() < 0.5:
            continue
        cx, cy = anchors[:, 0] + reg[:, 0] / size, anchors[:, 1] + reg[:, 1] / size
        w, h = reg[:, 2] / size, reg[:, 3] / size
        b = int(np.argmax(s))
        near = (s >= 0.5) & (np.abs(cx - cx[b]) < w[b] / 2) & (np.abs(cy - cy[b]) < h[b] / 2)
        wt = s[near] / s[near].sum()
        bw, bh = float((w[near] * wt).sum() * side), float((h[near] * wt).sum() * side)
        bx, by = float((cx[near] * wt).sum() * side - off), float((cy[near] * wt).sum() * side - off)
        rows.append((bw, bh, bx, by))
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
    p.add_argument("--detector", default="models/blazeface-front-128.json", help="the detector's model card")
    p.add_argument("--data", default="/work/shared/data/ferplus")
    p.add_argument("-n", type=int, default=400)
    p.add_argument("--pad", type=float, nargs="+", default=[2.0, 3.0])
    a = p.parse_args(argv)
    for pad in a.pad:
        print(json.dumps({"pad": pad, **measure(a.detector, a.data, a.n, pad)}))


if __name__ == "__main__":
    main()
