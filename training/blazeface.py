"""The app's BlazeFace detector and face crop, in Python, for training and calibration.

The detector is given by its model card (ONNX file, input, outputs, anchors), as in the app
(``src/main/vision/faceDetector.ts``); the crop follows ``src/main/vision/faceCrop.ts``: a square of
side ``max(w, h) * (1 + 2 * margin)`` around the box centre shifted by ``(offset_x * w, offset_y * h)``
along the face's own axes, turned so that the eyes are level, black outside the frame.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
FRONT_DETECTOR = MODELS_DIR / "blazeface-front-128.json"  # the app's first detector; posed faces are near


@dataclass(frozen=True)
class Detection:
    """One face in pixels of the image: box centre and size, score, keypoints (x, y) per row."""

    cx: float
    cy: float
    w: float
    h: float
    score: float
    keypoints: np.ndarray


@dataclass(frozen=True)
class CropSpec:
    margin: float
    offset_x: float
    offset_y: float

    @classmethod
    def from_card(cls, crop: dict[str, object]) -> CropSpec:
        return cls(float(crop["margin"]), float(crop["offset_x"]), float(crop["offset_y"]))  # type: ignore[arg-type]


def anchors(layers: list[dict[str, int]]) -> np.ndarray:
    """Anchor centres in the order the model emits them (as src/main/vision/blazeface.ts)."""
    pts = [
        ((x + 0.5) / layer["grid"], (y + 0.5) / layer["grid"])
        for layer in layers
        for y in range(layer["grid"])
        for x in range(layer["grid"])
        for _ in range(layer["anchorsPerCell"])
    ]
    return np.array(pts)


class BlazeFace:
    def __init__(self, card_path: str | Path) -> None:
        import onnxruntime as ort

        card_path = Path(card_path)
        self.card = json.loads(card_path.read_text())
        self.name = str(self.card["name"])
        self.size = int(self.card["input"]["size"])
        self.range = tuple(self.card["input"]["range"])
        self.keypoints = int(self.card["decode"]["keypoints"])
        self.threshold = float(self.card["decode"]["scoreThreshold"])
        options = ort.SessionOptions()
        options.log_severity_level = 3  # the converted detectors carry unused initializers; ORT warns on each load
        options.intra_op_num_threads = 1
        self.session = ort.InferenceSession(
            str(card_path.parent / self.card["file"]), options, providers=["CPUExecutionProvider"]
        )
        self.score_names = list(self.card["outputs"]["scores"])
        self.reg_names = list(self.card["outputs"]["regressions"])
        self.anchors = anchors(self.card["anchors"])

    def raw(self, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        """Scores (sigmoid) and regressions per anchor for an RGB or grey uint8 image; the image is
        letterboxed into the top-left corner of the square input, as the app does. Returns the scale."""
        img = Image.fromarray(rgb).convert("RGB")
        scale = self.size / max(img.size)
        w, h = max(1, round(img.size[0] * scale)), max(1, round(img.size[1] * scale))
        lo, hi = self.range
        x = np.full((self.size, self.size, 3), lo, np.float32)
        x[:h, :w] = lo + np.asarray(img.resize((w, h), Image.Resampling.BILINEAR), np.float32) / 255 * (hi - lo)
        names = self.score_names + self.reg_names
        out = dict(zip(names, self.session.run(names, {self.card["input"]["name"]: x[None]})))
        logits = np.concatenate([out[k].reshape(-1) for k in self.score_names])
        reg = np.concatenate([out[k].reshape(-1, 4 + 2 * self.keypoints) for k in self.reg_names])
        return 1 / (1 + np.exp(-np.clip(logits, -50, 50))), reg, w / img.size[0]

    def detect(self, rgb: np.ndarray) -> Detection | None:
        """The best face: its box and keypoints score-weighted over the anchors that overlap it
        (MediaPipe's weighted NMS for the top detection); None below the card's threshold."""
        s, reg, scale = self.raw(rgb)
        if s.max() < self.threshold:
            return None
        a = self.anchors
        cx, cy = a[:, 0] + reg[:, 0] / self.size, a[:, 1] + reg[:, 1] / self.size
        w, h = reg[:, 2] / self.size, reg[:, 3] / self.size
        b = int(np.argmax(s))
        near = (s >= self.threshold) & (np.abs(cx - cx[b]) < w[b] / 2) & (np.abs(cy - cy[b]) < h[b] / 2)
        wt = s[near] / s[near].sum()
        kx = a[near, 0:1] + reg[near, 4::2] / self.size
        ky = a[near, 1:2] + reg[near, 5::2] / self.size
        px = self.size / scale  # fractions of the square input -> pixels of the image
        kps = np.stack([(kx * wt[:, None]).sum(0), (ky * wt[:, None]).sum(0)], axis=1) * px
        return Detection(
            cx=float((cx[near] * wt).sum() * px),
            cy=float((cy[near] * wt).sum() * px),
            w=float((w[near] * wt).sum() * px),
            h=float((h[near] * wt).sum() * px),
            score=float(s[b]),
            keypoints=kps,
        )


def crop_face(rgb: np.ndarray, det: Detection, spec: CropSpec, size: int, align: bool = True) -> np.ndarray:
    """The face as the app cuts it (2x2 supersampled bilinear): (size, size[, 3]) uint8."""
    side = max(det.w, det.h) * (1 + 2 * spec.margin)
    angle = 0.0
    if align and len(det.keypoints) >= 2:
        (rx, ry), (lx, ly) = det.keypoints[0], det.keypoints[1]
        angle = math.atan2(ly - ry, lx - rx)
    cos, sin = math.cos(angle), math.sin(angle)
    dx, dy = spec.offset_x * det.w, spec.offset_y * det.h
    cx = det.cx + dx * cos - dy * sin
    cy = det.cy + dx * sin + dy * cos
    big = 2 * size
    step = side / big
    # output pixel (u, v) -> input: centre + R(angle) @ ((u, v) * step - side / 2)
    a, b = cos * step, -sin * step
    d, e = sin * step, cos * step
    c = cx - (a + b) * side / (2 * step)
    f = cy - (d + e) * side / (2 * step)
    img = Image.fromarray(rgb)
    out = img.transform((big, big), Image.Transform.AFFINE, (a, b, c, d, e, f), resample=Image.Resampling.BILINEAR)
    return np.asarray(out.resize((size, size), Image.Resampling.BOX))
