"""TF.js graph models without TensorFlow: read the weights manifest, and run the graph in numpy.

The numpy executor follows the graph's own nodes (ops, strides, padding) and knows nothing of the
PyTorch port in :mod:`training.pretrained.faceres`, so comparing the two checks the port.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import numpy as np

DTYPES: dict[str, Any] = {"float32": np.float32, "int32": np.int32, "bool": np.bool_}
QUANT_DTYPES: dict[str, Any] = {"uint8": np.uint8, "uint16": np.uint16, "float16": np.float16}


class TfjsError(ValueError):
    """A manifest or weight file that cannot be read; the message names the file."""


def read_manifest(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise TfjsError(f"{path}: not a readable TF.js model manifest ({e})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("weightsManifest"), list):
        raise TfjsError(f"{path}: no weightsManifest list")
    return manifest


def read_weights(path: str | Path) -> dict[str, np.ndarray]:
    """All weights of a TF.js model.json, by name, as numpy arrays (quantised ones dequantised)."""
    path = Path(path)
    manifest = read_manifest(path)
    out: dict[str, np.ndarray] = {}
    for group in manifest["weightsManifest"]:
        blob = b""
        for part in group.get("paths", []):
            try:
                blob += (path.parent / part).read_bytes()
            except OSError as e:
                raise TfjsError(f"{path.parent / part}: weight file missing or unreadable ({e.strerror})") from None
        offset = 0
        for spec in group.get("weights", []):
            name, shape, dtype = spec["name"], [int(s) for s in spec["shape"]], spec["dtype"]
            quant = spec.get("quantization")
            store = QUANT_DTYPES[quant["dtype"]] if quant else DTYPES.get(dtype)
            if store is None:
                raise TfjsError(f"{path}: weight {name!r} has unsupported dtype {dtype!r}")
            count = int(np.prod(shape)) if shape else 1
            nbytes = count * np.dtype(store).itemsize
            if offset + nbytes > len(blob):
                raise TfjsError(f"{path}: weight files end inside {name!r} ({len(blob)} bytes, need {offset + nbytes})")
            arr = np.frombuffer(blob, dtype=store, count=count, offset=offset).reshape(shape)
            offset += nbytes
            if quant and quant["dtype"] != "float16":
                arr = arr.astype(np.float32) * np.float32(quant["scale"]) + np.float32(quant["min"])
            out[name] = np.array(arr, dtype=np.float32 if quant else store)
        if offset != len(blob):
            raise TfjsError(f"{path}: {len(blob) - offset} bytes of weight data left over: manifest and files disagree")
    return out


def _attr(node: dict[str, Any], key: str) -> Any:
    a = node.get("attr", {}).get(key, {})
    if "s" in a:
        return base64.b64decode(a["s"]).decode()
    if "list" in a:
        return [int(i) for i in a["list"].get("i", [])] or [
            base64.b64decode(s).decode() for s in a["list"].get("s", [])
        ]
    if "b" in a:
        return bool(a["b"])
    if "i" in a:
        return int(a["i"])
    return None


def _same_pad(x: np.ndarray, k: int, stride: int) -> np.ndarray:
    """TensorFlow SAME padding: out = ceil(in / stride), the odd pixel of padding goes bottom/right."""
    pads = []
    for size in x.shape[1:3]:
        total = max((-(-size // stride) - 1) * stride + k - size, 0)
        pads.append((total // 2, total - total // 2))
    return np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))


def _conv(x: np.ndarray, w: np.ndarray, node: dict[str, Any], depthwise: bool) -> np.ndarray:
    strides, padding = _attr(node, "strides"), _attr(node, "padding")
    if _attr(node, "data_format") not in (None, "NHWC") or strides[0] != 1 or strides[1] != strides[2]:
        raise TfjsError(f"node {node['name']}: only NHWC with equal strides is supported")
    kh, kw, s = w.shape[0], w.shape[1], strides[1]
    if padding == "SAME":
        x = _same_pad(x, kh, s)
    elif padding != "VALID":
        raise TfjsError(f"node {node['name']}: padding {padding!r} is not supported")
    oh, ow = (x.shape[1] - kh) // s + 1, (x.shape[2] - kw) // s + 1
    out = None
    for i in range(kh):
        for j in range(kw):
            patch = x[:, i : i + s * (oh - 1) + 1 : s, j : j + s * (ow - 1) + 1 : s, :]
            term = patch * w[i, j, :, 0] if depthwise else patch @ w[i, j]
            out = term if out is None else out + term
    assert out is not None
    return out


def run_graph(model_json: str | Path, inputs: dict[str, np.ndarray], outputs: list[str]) -> dict[str, np.ndarray]:
    """Evaluate the named outputs of a TF.js graph model on NHWC inputs, in float64."""
    manifest = read_manifest(model_json)
    weights = read_weights(model_json)
    nodes = {n["name"]: n for n in manifest["modelTopology"]["node"]}
    memo: dict[str, np.ndarray] = {k: np.asarray(v, np.float64) for k, v in inputs.items()}

    def value(ref: str) -> np.ndarray:
        name = ref.split(":")[0]
        if name not in memo:
            memo[name] = evaluate(nodes[name])
        return memo[name]

    def evaluate(node: dict[str, Any]) -> np.ndarray:
        op, args = node["op"], [value(i) for i in node.get("input", []) if not i.startswith("^")]
        if op == "Const":
            return np.asarray(weights[node["name"]], np.float64)
        if op == "Placeholder":
            raise TfjsError(f"input {node['name']!r} was not given")
        if op in ("Conv2D", "DepthwiseConv2dNative"):
            return _conv(args[0], args[1], node, op == "DepthwiseConv2dNative")
        simple = {
            "Add": lambda a, b: a + b,
            "AddV2": lambda a, b: a + b,
            "BiasAdd": lambda a, b: a + b,
            "Sub": lambda a, b: a - b,
            "Mul": lambda a, b: a * b,
            "Minimum": np.minimum,
            "Maximum": np.maximum,
            "Relu": lambda a: np.maximum(a, 0),
            "Relu6": lambda a: np.clip(a, 0, 6),
            "Sigmoid": lambda a: 1 / (1 + np.exp(-a)),
            "Identity": lambda a: a,
        }
        if op in simple:
            return simple[op](*args)
        if op == "Mean":
            axes = tuple(int(a) for a in np.atleast_1d(args[1]))
            return args[0].mean(axis=axes, keepdims=bool(_attr(node, "keep_dims")))
        if op == "Softmax":
            e = np.exp(args[0] - args[0].max(axis=-1, keepdims=True))
            return e / e.sum(axis=-1, keepdims=True)
        if op == "_FusedMatMul":
            a, b = args[0], args[1]
            y = (a.T if _attr(node, "transpose_a") else a) @ (b.T if _attr(node, "transpose_b") else b)
            for fused in _attr(node, "fused_ops") or []:
                if fused == "BiasAdd":
                    y = y + args[2]
                elif fused == "Relu":
                    y = np.maximum(y, 0)
                else:
                    raise TfjsError(f"node {node['name']}: fused op {fused!r} is not supported")
            return y
        raise TfjsError(f"node {node['name']}: op {op!r} is not supported")

    return {name: value(name) for name in outputs}
