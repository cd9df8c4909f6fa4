import numpy as np
import pytest
from PIL import Image

from training.data.transforms import (
    AugmentConfig,
    AugmentParams,
    Preprocess,
    balance_plan,
    balanced_indices,
    sample_params,
    warp,
)


def test_sampled_parameters_stay_in_bounds() -> None:
    cfg = AugmentConfig()
    rng = np.random.default_rng(0)
    ps = [sample_params(rng, cfg, geometric=True) for _ in range(2000)]
    assert all(abs(p.rotation_deg) <= 20 for p in ps)
    assert all(0 <= p.crop <= 0.2 for p in ps)
    assert all(abs(p.crop_dx) <= p.crop / 2 and abs(p.crop_dy) <= p.crop / 2 for p in ps)
    assert all(abs(p.translate_x) <= 0.1 and abs(p.translate_y) <= 0.1 for p in ps)
    assert 0.4 < np.mean([p.flip for p in ps]) < 0.6
    assert max(abs(p.rotation_deg) for p in ps) > 18  # the range is used, not just bounded
    flat = [sample_params(rng, cfg, geometric=False) for _ in range(200)]
    assert all(p.rotation_deg == 0 and p.crop == 0 and p.translate_x == 0 for p in flat)


def test_warp_identity_flip_and_output() -> None:
    rng = np.random.default_rng(0)
    arr = rng.integers(0, 256, (48, 48), dtype=np.uint8)
    img = Image.fromarray(arr)
    assert np.array_equal(np.asarray(warp(img, AugmentParams())), arr)
    assert np.array_equal(np.asarray(warp(img, AugmentParams(flip=True))), arr[:, ::-1])
    pre = Preprocess(size=64, in_chans=1)
    for _ in range(50):
        x = pre(arr, sample_params(rng, AugmentConfig(), geometric=True))
        assert x.shape == (1, 64, 64) and x.dtype.is_floating_point
        assert x.min() >= -1.0 and x.max() <= 1.0
    rgb = Preprocess(size=32, in_chans=3)(rng.integers(0, 256, (100, 100, 3), dtype=np.uint8))
    assert rgb.shape == (3, 32, 32)


def test_crop_zooms_in() -> None:
    # a centred bright square grows under a 0.2 crop (the crop is rescaled to the full size)
    arr = np.zeros((48, 48), np.uint8)
    arr[14:34, 14:34] = 255
    out = np.asarray(warp(Image.fromarray(arr), AugmentParams(crop=0.2)))
    assert (out > 127).sum() == pytest.approx(20 * 20 / 0.8**2, rel=0.1)


def test_balancing_rule() -> None:
    labels = np.array([0] * 100 + [1] * 30 + [2] * 5)
    plan = balance_plan(labels, 4, 0.5)
    assert plan["target"] == 50
    assert plan["after"] == [100, 50, 50, 0]
    assert plan["minority"] == [False, True, True, False]
    idx, aug = balanced_indices(labels, 4, 0.5, np.random.default_rng(0))
    assert np.bincount(labels[idx], minlength=4).tolist() == [100, 50, 50, 0]
    assert set(np.flatnonzero(labels == 2)) <= set(idx)  # every minority image is used
    assert (aug == np.isin(labels[idx], [1, 2])).all()
    assert balance_plan(labels, 4, 0.0)["after"] == [100, 30, 5, 0]


def test_photometric_levers_are_off_by_default_and_keep_earlier_draws() -> None:
    plain, levers = AugmentConfig(), AugmentConfig(brightness=0.2, contrast=0.3, blur_p=0.5, erase_p=0.5)
    a = [sample_params(np.random.default_rng([0, i]), plain, geometric=True) for i in range(200)]
    b = [sample_params(np.random.default_rng([0, i]), levers, geometric=True) for i in range(200)]
    assert all(p.brightness == 0 and p.contrast == 1 and p.blur == 0 and p.erase is None for p in a)
    # the levers draw after the geometric parameters, so those stay as they were
    assert all((p.rotation_deg, p.crop, p.flip) == (q.rotation_deg, q.crop, q.flip) for p, q in zip(a, b))
    assert all(abs(q.brightness) <= 0.2 and 0.7 <= q.contrast <= 1.3 for q in b)
    assert 0.35 < np.mean([q.blur > 0 for q in b]) < 0.65 and 0.35 < np.mean([q.erase is not None for q in b]) < 0.65
    assert all(q.erase is None or (q.erase[0] + q.erase[2] <= 1 and q.erase[1] + q.erase[3] <= 1) for q in b)
    flat = [sample_params(np.random.default_rng([1, i]), levers, geometric=False) for i in range(50)]
    assert all(not p.geometric() or p.flip for p in flat) and any(p.brightness != 0 for p in flat)


def test_photometric_levers_change_the_pixels_as_described() -> None:
    pre = Preprocess(48, 1)
    img = np.tile(np.linspace(40, 200, 48, dtype=np.uint8), (48, 1))
    base = pre(img)
    brighter = pre(img, AugmentParams(brightness=0.1))
    assert torch_close(brighter - base, 0.2, where=(base < 0.7))  # +0.1 in [0, 1] = +0.2 after (x - 0.5) / 0.5
    flat = pre(img, AugmentParams(contrast=0.0))
    assert float(flat.abs().max()) < 1e-6  # zero contrast: everything mid-grey
    erased = pre(img, AugmentParams(erase=(0.25, 0.25, 0.5, 0.5)))
    assert float(erased[0, 12:36, 12:36].abs().max()) == 0 and float((erased[0, :12] - base[0, :12]).abs().max()) == 0
    blurred = pre(np.kron(np.eye(2, dtype=np.uint8) * 255, np.ones((24, 24), np.uint8)), AugmentParams(blur=1.0))
    assert -1 < float(blurred[0, 23, 23]) < 1  # the edge is softened


def torch_close(t, value: float, where) -> bool:  # type: ignore[no-untyped-def]
    return bool(((t - value).abs() < 1e-5)[where].all())
