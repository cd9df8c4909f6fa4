"""Start a run from an exported model (``--init-from models/a-mobilenet-ferplus.json``).

The shipped ONNX file is what users run, and the checkpoint it came from may be gone; so a run that
continues from a shipped model (a fine-tune with another lever) reads its weights from the ONNX file.
The export folded each BatchNorm into the conv before it, so each conv comes back with its folded
weight and bias, and its BN is set so that the network computes exactly the exported function in
eval mode *and* roughly the same in training mode: BN's running statistics are those of the conv's
own output on a calibration batch, and its scale and shift undo them (y = z + bias for that batch's
statistics). CBAM and the classifier keep their PyTorch names in the graph and load as they are.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..distill import OnnxTeacher
from ..models.a_mobilenet import CBAM, MobileNet
from .faceres import _channel_stats, _set_bn, _units


class ExportedInitError(ValueError):
    """An exported model whose weights do not fit this run's network."""


def _graph_weights(onnx_bytes: bytes) -> tuple[dict[str, np.ndarray], list[tuple[np.ndarray, np.ndarray]]]:
    """Named weights (CBAM, classifier), and the folded convs' (weight, bias) in the order they run."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load_from_string(onnx_bytes).graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    named = {k: v for k, v in inits.items() if not k.startswith("onnx::")}
    folded: list[tuple[np.ndarray, np.ndarray]] = []
    seen: set[str] = set()
    for node in graph.node:
        # CBAM's shared MLP runs twice (average and max): each weight is taken once, where it first runs.
        if node.op_type != "Conv" or node.input[1] in named or node.input[1] in seen:
            continue
        seen.add(node.input[1])
        if len(node.input) < 3:
            raise ExportedInitError(f"conv {node.name} has no bias: its BatchNorm was not folded into it")
        folded.append((inits[node.input[1]], inits[node.input[2]]))
    return named, folded


@torch.no_grad()
def init_from_exported(model: MobileNet, exported: OnnxTeacher, x: torch.Tensor) -> dict[str, object]:
    """Load the exported model's weights into ``model`` and fit its BNs on the calibration batch ``x``
    (the run's own normalised images); returns a report for args.json and the card."""
    named, folded = _graph_weights(exported.model_bytes)
    state = model.state_dict()
    for name, value in named.items():
        if name not in state or tuple(state[name].shape) != value.shape:
            have = tuple(state[name].shape) if name in state else "nothing"
            raise ExportedInitError(f"{name}: the exported model has {value.shape}, this network {have}")
        state[name].copy_(torch.from_numpy(value.copy()))
    units = [u for u in _units(model) if not isinstance(u, CBAM)]
    if len(units) != len(folded):
        raise ExportedInitError(f"the exported model has {len(folded)} folded convs, this network {len(units)}")
    for i, (unit, (w, b)) in enumerate(zip(units, folded, strict=True)):
        conv, bn = unit[0], unit[1]
        if tuple(conv.weight.shape) != w.shape:
            raise ExportedInitError(
                f"conv {i}: the exported model has {w.shape}, this network {tuple(conv.weight.shape)}"
            )
        conv.weight.copy_(torch.from_numpy(w.copy()))
        _set_bn(bn, None, b)  # BN = + bias: the exported function, exactly, whatever the statistics
    # Each BN's input on the calibration batch, all in one eval pass (the function is already exact).
    stats: dict[nn.Module, tuple[torch.Tensor, torch.Tensor]] = {}

    def record(bn: nn.Module, args: tuple[torch.Tensor, ...]) -> None:
        stats[bn] = _channel_stats(args[0])

    hooks = [unit[1].register_forward_pre_hook(record) for unit in units]
    model.eval()
    try:
        model(x)
    finally:
        for h in hooks:
            h.remove()
    for unit in units:
        bn: nn.BatchNorm2d = unit[1]
        mean, var = stats[bn]
        bias = bn.bias.clone()
        # gamma (z - mean) / sqrt(var + eps) + beta = z + bias, with the batch's own statistics.
        bn.running_mean.copy_(mean)
        bn.running_var.copy_(var)
        bn.weight.copy_((var + bn.eps).sqrt())
        bn.bias.copy_(bias + mean)
    # The same function as the file: checked on the calibration batch at the exported model's size.
    size = exported.size
    xs = torch.nn.functional.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
    diff = float((model(xs) - exported(xs)).abs().max())
    return {
        "init": "exported",
        "card": exported.card["card"],
        "name": exported.card["name"],
        "version": exported.card["version"],
        "file": exported.card["file"],
        "sha256": exported.card["sha256"],
        "calibration_images": int(x.shape[0]),
        "max_logit_difference": diff,
    }
