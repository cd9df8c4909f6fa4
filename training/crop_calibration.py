"""Measure how a BlazeFace box relates to the FERPlus (FER2013) 48x48 framing:
``python -m training.crop_calibration --detector models/blazeface-front-128.onnx``.

Each valid-split image is placed in the middle of a grey canvas (``--pad`` x its side), resized to
the detector's 128x128 input, and the detector's best box (score-weighted over the overlapping
anchors, as MediaPipe's weighted NMS does) is expressed in pixels of the 48x48 crop. The median
gives the crop the app should take around a BlazeFace box: side = max(w, h) * (1 + 2 * margin),
centre = box centre + (offset_x * w, offset_y * h). The model card's crop numbers come from here.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
from PIL import Image

from .data import load_ferplus

ANCHOR_LAYERS = ((16, 2), (8, 6))  # MediaPipe short-range BlazeFace, 128x128 input


def _anchors() -> np.ndarray:
    pts = [
        ((x + 0.5) / g, (y + 0.5) / g)
        for g, per in ANCHOR_LAYERS
        for y in range(g)
        for x in range(g)
        for _ in range(per)
    ]
    return np.array(pts)


def measure(detector: str, data: str, n: int, pad: float, seed: int = 0) -> dict[str, float]:
    import onnxruntime as ort

    sess = ort.InferenceSession(detector, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    anchors = _anchors()
    d = load_ferplus(data, "valid").labeled()
    idx = np.random.default_rng(seed).permutation(len(d))[:n]
    side = int(48 * pad)
    off = (side - 48) // 2
    rows = []
    for i in idx:
        canvas = np.full((side, side), 128, np.uint8)
        canvas[off : off + 48, off : off + 48] = d.images[i]
        x = np.asarray(Image.fromarray(canvas).resize((128, 128), Image.Resampling.BILINEAR), np.float32)
        x = np.repeat((x / 127.5 - 1)[None, :, :, None], 3, axis=3)
        out = sess.run(None, {sess.get_inputs()[0].name: x})
        o = dict(zip(names, out))
        logits = np.concatenate([o[names[0]].reshape(-1), o[names[1]].reshape(-1)])
        reg = np.concatenate([o[names[2]].reshape(-1, 16), o[names[3]].reshape(-1, 16)])
        s = 1 / (1 + np.exp(-np.clip(logits, -50, 50)))
        if s.max() < 0.5:
            continue
        cx, cy = anchors[:, 0] + reg[:, 0] / 128, anchors[:, 1] + reg[:, 1] / 128
        w, h = reg[:, 2] / 128, reg[:, 3] / 128
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
    p.add_argument("--detector", default="models/blazeface-front-128.onnx")
    p.add_argument("--data", default="/work/shared/data/ferplus")
    p.add_argument("-n", type=int, default=400)
    p.add_argument("--pad", type=float, nargs="+", default=[2.0, 3.0])
    a = p.parse_args(argv)
    for pad in a.pad:
        print(json.dumps({"pad": pad, **measure(a.detector, a.data, a.n, pad)}))


if __name__ == "__main__":
    main()
