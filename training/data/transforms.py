"""Preprocessing and the paper's class-balancing augmentation.

Augmentation (paper section 3.1): rotation (0-20 degrees either way), crop (0-0.2 of the
side, the crop is rescaled to the input size), translation, applied to the minority classes
that the balancing rule oversamples; horizontal flip for every training image. One affine
warp does all of it (PIL, bilinear), so the result is deterministic given the parameters.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

import numpy as np
import torch
from PIL import Image, ImageFilter


@dataclass(frozen=True)
class AugmentConfig:
    max_rotation_deg: float = 20.0
    max_crop: float = 0.2  # fraction of the side removed by the crop
    max_translate: float = 0.1  # fraction of the side
    flip_p: float = 0.5
    # Photometric levers (off by default), on every training image: other cameras and rooms.
    brightness: float = 0.0  # shift drawn from +-brightness, in [0, 1] pixel units
    contrast: float = 0.0  # factor drawn from 1 +- contrast, about mid-grey
    blur_p: float = 0.0  # chance of a Gaussian blur (radius 0.3-1.2 px at 48 px, scaled to the input)
    erase_p: float = 0.0  # chance of random erasing: a rectangle of 2-20% of the area set to mid-grey


@dataclass(frozen=True)
class AugmentParams:
    rotation_deg: float = 0.0
    crop: float = 0.0
    crop_dx: float = 0.0  # crop-window offset from the centre, fraction of the side
    crop_dy: float = 0.0
    translate_x: float = 0.0
    translate_y: float = 0.0
    flip: bool = False
    brightness: float = 0.0
    contrast: float = 1.0
    blur: float = 0.0  # radius in pixels of a 48 px image
    erase: tuple[float, float, float, float] | None = None  # x, y, w, h as fractions of the side

    def geometric(self) -> bool:
        return (self.rotation_deg, self.crop, self.translate_x, self.translate_y, self.flip) != (0, 0, 0, 0, False)


def sample_params(rng: np.random.Generator, cfg: AugmentConfig, geometric: bool) -> AugmentParams:
    """Random parameters; ``geometric=False`` gives only the flip (for majority classes), plus the
    photometric levers that are on. Draws happen in a fixed order, the levers' last, so that a
    config without them reproduces earlier runs exactly."""
    flip = bool(rng.random() < cfg.flip_p)
    p = AugmentParams(flip=flip)
    if geometric:
        crop = float(rng.uniform(0.0, cfg.max_crop))
        p = AugmentParams(
            rotation_deg=float(rng.uniform(-cfg.max_rotation_deg, cfg.max_rotation_deg)),
            crop=crop,
            crop_dx=float(rng.uniform(-crop / 2, crop / 2)),
            crop_dy=float(rng.uniform(-crop / 2, crop / 2)),
            translate_x=float(rng.uniform(-cfg.max_translate, cfg.max_translate)),
            translate_y=float(rng.uniform(-cfg.max_translate, cfg.max_translate)),
            flip=flip,
        )
    extra: dict[str, object] = {}
    if cfg.brightness > 0:
        extra["brightness"] = float(rng.uniform(-cfg.brightness, cfg.brightness))
    if cfg.contrast > 0:
        extra["contrast"] = float(rng.uniform(1 - cfg.contrast, 1 + cfg.contrast))
    if cfg.blur_p > 0 and rng.random() < cfg.blur_p:
        extra["blur"] = float(rng.uniform(0.3, 1.2))
    if cfg.erase_p > 0 and rng.random() < cfg.erase_p:
        area, aspect = rng.uniform(0.02, 0.2), math.exp(rng.uniform(math.log(0.3), math.log(3.3)))
        w, h = min(math.sqrt(area * aspect), 1.0), min(math.sqrt(area / aspect), 1.0)
        extra["erase"] = (float(rng.uniform(0, 1 - w)), float(rng.uniform(0, 1 - h)), w, h)
    return replace(p, **extra) if extra else p  # type: ignore[arg-type]


def warp(img: Image.Image, p: AugmentParams) -> Image.Image:
    """Apply crop/rescale, rotation, translation and flip about the image centre, same output size."""
    w, h = img.size
    k = 1.0 - p.crop  # the output shows a (1 - crop) fraction of the side: a zoom-in
    t = math.radians(p.rotation_deg)
    cos, sin = math.cos(t), math.sin(t)
    fx = -1.0 if p.flip else 1.0
    # output (x, y) -> input: centre + R(t) @ (k * diag(fx, 1) @ (out - centre)) + shift
    a, b = cos * k * fx, -sin * k
    d, e = sin * k * fx, cos * k
    cx = w / 2 + (p.crop_dx - p.translate_x) * w
    cy = h / 2 + (p.crop_dy - p.translate_y) * h
    c = cx - a * w / 2 - b * h / 2
    f = cy - d * w / 2 - e * h / 2
    return img.transform((w, h), Image.Transform.AFFINE, (a, b, c, d, e, f), resample=Image.Resampling.BILINEAR)


@dataclass(frozen=True)
class Preprocess:
    """uint8 face crop -> normalised float tensor (C, S, S): resize to S, scale to [0, 1], (x - mean) / std."""

    size: int
    in_chans: int = 1
    mean: float = 0.5
    std: float = 0.5

    def to_pil(self, arr: np.ndarray) -> Image.Image:
        img = Image.fromarray(arr)
        img = img.convert("L") if self.in_chans == 1 else img.convert("RGB")
        if img.size != (self.size, self.size):
            img = img.resize((self.size, self.size), Image.Resampling.BILINEAR)
        return img

    def to_tensor(self, img: Image.Image) -> torch.Tensor:
        return self.normalise(np.asarray(img, dtype=np.float32) / 255.0)

    def normalise(self, x: np.ndarray) -> torch.Tensor:
        """(H, W[, C]) floats in [0, 1] -> (C, H, W) tensor, (x - mean) / std."""
        x = x[None] if x.ndim == 2 else x.transpose(2, 0, 1)
        return torch.from_numpy((x - self.mean) / self.std)

    def __call__(self, arr: np.ndarray, params: AugmentParams | None = None) -> torch.Tensor:
        img = self.to_pil(arr)
        if params is None or params == AugmentParams():
            return self.to_tensor(img)
        if params.geometric():
            img = warp(img, params)
        if params.blur > 0:
            img = img.filter(ImageFilter.GaussianBlur(params.blur * self.size / 48))
        x = np.asarray(img, dtype=np.float32) / 255.0
        if params.contrast != 1.0 or params.brightness != 0.0:
            x = np.clip((x - 0.5) * params.contrast + 0.5 + params.brightness, 0.0, 1.0)
        if params.erase is not None:
            ex, ey, ew, eh = (round(v * self.size) for v in params.erase)
            x = x.copy()
            x[ey : ey + max(eh, 1), ex : ex + max(ew, 1)] = 0.5
        return self.normalise(x)

    def card(self) -> dict[str, object]:
        return {**asdict(self)}

    @classmethod
    def from_card(cls, card: dict) -> Preprocess:
        """The preprocessing an exported model card (``training.export``) asks for."""
        channels = 1 if card["input"]["colour"] == "grey" else 3
        return cls(card["input"]["size"], channels, card["preprocessing"]["mean"][0], card["preprocessing"]["std"][0])


def balance_plan(labels: np.ndarray, num_classes: int, target_fraction: float) -> dict[str, object]:
    """The balancing rule: every class with fewer than ``ceil(target_fraction * largest)`` images
    is oversampled up to that count (with augmentation); larger classes are used once per epoch."""
    counts = np.bincount(labels, minlength=num_classes)
    target = int(math.ceil(target_fraction * counts.max())) if target_fraction > 0 else 0
    after = [int(max(n, target)) if n > 0 else 0 for n in counts]
    return {
        "rule": f"oversample each class to at least ceil({target_fraction} x largest class) = {target}",
        "target": target,
        "before": [int(n) for n in counts],
        "after": after,
        "minority": [bool(0 < n < target) for n in counts],
    }


def balanced_indices(
    labels: np.ndarray, num_classes: int, target_fraction: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """One epoch's sample indices under :func:`balance_plan`, and which of them get the
    geometric augmentation (all samples of minority classes). Shuffled."""
    plan = balance_plan(labels, num_classes, target_fraction)
    idx: list[np.ndarray] = []
    aug: list[np.ndarray] = []
    for c in range(num_classes):
        members = np.flatnonzero(labels == c)
        want = plan["after"][c]  # type: ignore[index]
        if len(members) == 0:
            continue
        reps, rest = divmod(want, len(members))
        chosen = np.concatenate([np.tile(members, reps), rng.choice(members, rest, replace=False)])
        idx.append(chosen)
        aug.append(np.full(len(chosen), plan["minority"][c]))  # type: ignore[index]
    all_idx, all_aug = np.concatenate(idx), np.concatenate(aug)
    order = rng.permutation(len(all_idx))
    return all_idx[order], all_aug[order]
