"""Model registry: ``create_model(name, num_classes, in_chans)``."""

from __future__ import annotations

from collections.abc import Callable

from torch import nn

from .a_mobilenet import a_mobilenet, count_parameters, mobilenet_v1
from .baselines import mobilenet_v2, mobilenet_v3_small

MODELS: dict[str, Callable[..., nn.Module]] = {
    "a_mobilenet": a_mobilenet,
    "mobilenet_v1": mobilenet_v1,
    "mobilenet_v2": mobilenet_v2,
    "mobilenet_v3_small": mobilenet_v3_small,
}


# The MobileNetV1 family takes a width multiplier; the torchvision baselines keep their published widths.
WIDTH_MODELS = ("a_mobilenet", "mobilenet_v1")


def create_model(
    name: str, num_classes: int, in_chans: int = 3, drop_rate: float = 0.5, width: float = 1.0
) -> nn.Module:
    """Build a registered model; every model has forward_features / forward_head / forward_with_features."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose one of {sorted(MODELS)}")
    if width == 1.0:
        return MODELS[name](num_classes=num_classes, in_chans=in_chans, drop_rate=drop_rate)
    if name not in WIDTH_MODELS:
        raise ValueError(f"{name} has no width multiplier; only {', '.join(WIDTH_MODELS)} do")
    return MODELS[name](num_classes=num_classes, in_chans=in_chans, drop_rate=drop_rate, width=width)


__all__ = ["MODELS", "count_parameters", "create_model"]
