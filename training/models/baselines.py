"""The paper's baselines (Table 3): MobileNetV2 (alpha 1.0) and MobileNetV3-small.

Written here as tables, following torchvision's ``mobilenetv2.py`` / ``mobilenetv3.py``
definitions (same rows, same layer order), so they run on any torch >= 1.13 without
torchvision. They share A-MobileNet's interface: ``forward_features`` (pooled feature),
``forward_head`` (dropout 0.5 -> FC), ``forward_with_features`` and a configurable number
of input channels. MobileNetV1 lives in :mod:`training.models.a_mobilenet`.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from .a_mobilenet import ConvBNAct, ExpressionNet, LayerFactory

# MobileNetV2 (Sandler et al. 2018, Table 2): t expansion, c channels, n repeats, s stride.
MOBILENET_V2_SETTING: list[tuple[int, int, int, int]] = [
    # t, c, n, s          # input (224 px)
    (1, 16, 1, 1),  # 112x112x32
    (6, 24, 2, 2),  # 112x112x16
    (6, 32, 3, 2),  # 56x56x24
    (6, 64, 4, 2),  # 28x28x32
    (6, 96, 3, 1),  # 14x14x64
    (6, 160, 3, 2),  # 14x14x96
    (6, 320, 1, 1),  # 7x7x160
]

# MobileNetV3-small (Howard et al. 2019, Table 2): kernel, expanded, out, SE, activation, stride.
MOBILENET_V3_SMALL_SETTING: list[tuple[int, int, int, bool, str, int]] = [
    # k, exp, out, se, act, s   # input (224 px)
    (3, 16, 16, True, "RE", 2),  # 112x112x16
    (3, 72, 24, False, "RE", 2),  # 56x56x16
    (3, 88, 24, False, "RE", 1),  # 28x28x24
    (5, 96, 40, True, "HS", 2),  # 28x28x24
    (5, 240, 40, True, "HS", 1),  # 14x14x40
    (5, 240, 40, True, "HS", 1),  # 14x14x40
    (5, 120, 48, True, "HS", 1),  # 14x14x40
    (5, 144, 48, True, "HS", 1),  # 14x14x48
    (5, 288, 96, True, "HS", 2),  # 14x14x48
    (5, 576, 96, True, "HS", 1),  # 7x7x96
    (5, 576, 96, True, "HS", 1),  # 7x7x96
]


def _make_divisible(v: float, divisor: int = 8) -> int:
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


class InvertedResidual(nn.Module):
    """MobileNetV2 block: 1x1 expand -> 3x3 depthwise -> 1x1 linear project, residual when shapes match."""

    def __init__(self, in_ch: int, out_ch: int, stride: int, expand: int, norm_layer: LayerFactory) -> None:
        super().__init__()
        hidden = in_ch * expand
        self.use_res = stride == 1 and in_ch == out_ch
        layers: list[nn.Module] = []
        if expand != 1:
            layers.append(ConvBNAct(in_ch, hidden, 1, norm_layer=norm_layer))
        layers += [
            ConvBNAct(hidden, hidden, 3, stride, groups=hidden, norm_layer=norm_layer),
            ConvBNAct(hidden, out_ch, 1, norm_layer=norm_layer, act_layer=None),
        ]
        self.conv = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv(x) if self.use_res else self.conv(x)


class SqueezeExcitation(nn.Module):
    """MobileNetV3 SE: avg pool -> 1x1 reduce (ReLU) -> 1x1 expand -> hard sigmoid."""

    def __init__(self, channels: int, squeeze: int) -> None:
        super().__init__()
        self.fc1 = nn.Conv2d(channels, squeeze, 1)
        self.fc2 = nn.Conv2d(squeeze, channels, 1)
        self.act = nn.ReLU(inplace=True)
        self.gate = nn.Hardsigmoid(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = self.gate(self.fc2(self.act(self.fc1(torch.mean(x, dim=(2, 3), keepdim=True)))))
        return x * s


class V3Block(nn.Module):
    """MobileNetV3 bneck: optional 1x1 expand -> kxk depthwise (-> SE) -> 1x1 linear project."""

    def __init__(
        self, in_ch: int, k: int, exp: int, out_ch: int, se: bool, act: str, stride: int, norm_layer: LayerFactory
    ) -> None:
        super().__init__()
        act_layer: LayerFactory = nn.Hardswish if act == "HS" else nn.ReLU
        self.use_res = stride == 1 and in_ch == out_ch
        layers: list[nn.Module] = []
        if exp != in_ch:
            layers.append(ConvBNAct(in_ch, exp, 1, norm_layer=norm_layer, act_layer=act_layer))
        layers.append(ConvBNAct(exp, exp, k, stride, groups=exp, norm_layer=norm_layer, act_layer=act_layer))
        if se:
            layers.append(SqueezeExcitation(exp, _make_divisible(exp // 4)))
        layers.append(ConvBNAct(exp, out_ch, 1, norm_layer=norm_layer, act_layer=None))
        self.block = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.block(x) if self.use_res else self.block(x)


class MobileNetV2(ExpressionNet):
    def __init__(
        self,
        num_classes: int,
        in_chans: int = 3,
        drop_rate: float = 0.5,
        setting: Sequence[tuple[int, int, int, int]] = MOBILENET_V2_SETTING,
        norm_layer: LayerFactory = nn.BatchNorm2d,
    ) -> None:
        super().__init__()
        self.in_chans = in_chans
        layers: list[nn.Module] = [ConvBNAct(in_chans, 32, 3, 2, norm_layer=norm_layer)]
        ch = 32
        for row in setting:
            if len(row) != 4:
                raise ValueError(f"MobileNetV2 rows are (t, c, n, s), got {row!r}")
            t, c, n, s = row
            for i in range(n):
                layers.append(InvertedResidual(ch, c, s if i == 0 else 1, t, norm_layer))
                ch = c
        layers.append(ConvBNAct(ch, 1280, 1, norm_layer=norm_layer))
        self.features = nn.Sequential(*layers)
        self.pre_logits = nn.Identity()
        self._build_head(1280, num_classes, drop_rate)


class MobileNetV3Small(ExpressionNet):
    """MobileNetV3-small; as in torchvision, the head keeps the 576 -> 1024 hardswish layer
    (part of the pooled feature here), which the paper's 1.5 M parameter count includes."""

    def __init__(
        self,
        num_classes: int,
        in_chans: int = 3,
        drop_rate: float = 0.5,
        setting: Sequence[tuple[int, int, int, bool, str, int]] = MOBILENET_V3_SMALL_SETTING,
        norm_layer: LayerFactory = nn.BatchNorm2d,
    ) -> None:
        super().__init__()
        self.in_chans = in_chans
        layers: list[nn.Module] = [ConvBNAct(in_chans, 16, 3, 2, norm_layer=norm_layer, act_layer=nn.Hardswish)]
        ch = 16
        for row in setting:
            if len(row) != 6:
                raise ValueError(f"MobileNetV3 rows are (k, exp, out, se, act, s), got {row!r}")
            k, exp, out, se, act, s = row
            layers.append(V3Block(ch, k, exp, out, se, act, s, norm_layer))
            ch = out
        last = 6 * ch
        layers.append(ConvBNAct(ch, last, 1, norm_layer=norm_layer, act_layer=nn.Hardswish))
        self.features = nn.Sequential(*layers)
        self.pre_logits = nn.Sequential(nn.Linear(last, 1024), nn.Hardswish(inplace=True))
        self._build_head(1024, num_classes, drop_rate)


def mobilenet_v2(num_classes: int, in_chans: int = 3, drop_rate: float = 0.5) -> MobileNetV2:
    return MobileNetV2(num_classes, in_chans, drop_rate)


def mobilenet_v3_small(num_classes: int, in_chans: int = 3, drop_rate: float = 0.5) -> MobileNetV3Small:
    return MobileNetV3Small(num_classes, in_chans, drop_rate)
