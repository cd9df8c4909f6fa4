"""A-MobileNet (Nan et al. 2021, Table 1) and the MobileNetV1 it is built on.

The body is the table below, one row per line of the paper's Table 1. Each row is
``(kind, out_channels, stride, repeats, cbam_after)``; ``cbam_after`` puts a CBAM block
after the last repeat of the row, which is where Table 1 lists "cbam channel attention /
spatial attention". The comments give each row's input size for a 224x224 input.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

LayerFactory = Callable[..., nn.Module]

# kind: "conv" = standard 3x3 conv -> BN -> ReLU6; "dws" = depthwise-separable block.
A_MOBILENET_SETTING: list[tuple[str, int, int, int, bool]] = [
    # kind, out, stride, repeats, cbam_after      # input (224 px)
    ("conv", 32, 2, 1, False),  # 224x224x3
    ("dws", 64, 1, 1, False),  # 112x112x32
    ("dws", 128, 2, 1, False),  # 112x112x64
    ("dws", 128, 1, 1, False),  # 56x56x128
    ("dws", 256, 2, 1, True),  # 56x56x128 -> CBAM at 28x28x256
    ("dws", 256, 1, 1, False),  # 28x28x256
    ("dws", 512, 2, 1, True),  # 28x28x256 -> CBAM at 14x14x512
    ("dws", 512, 1, 5, True),  # 14x14x512 (5x) -> CBAM after the group
    ("dws", 1024, 2, 1, False),  # 14x14x512
    ("dws", 1024, 1, 1, True),  # 7x7x1024 -> CBAM at 7x7x1024
]

# MobileNetV1 (Howard et al. 2017): the same table without attention.
MOBILENET_V1_SETTING: list[tuple[str, int, int, int, bool]] = [
    (kind, out, stride, repeats, False) for kind, out, stride, repeats, _ in A_MOBILENET_SETTING
]


class ChannelAttention(nn.Module):
    """CBAM channel attention: avg- and max-pooled descriptors through a shared MLP, summed, sigmoid."""

    def __init__(self, channels: int, reduction: int = 16) -> None:
        super().__init__()
        hidden = max(channels // reduction, 1)
        self.mlp = nn.Sequential(
            nn.Conv2d(channels, hidden, 1, bias=True),
            nn.ReLU(inplace=True),
            nn.Conv2d(hidden, channels, 1, bias=True),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        avg = self.mlp(torch.mean(x, dim=(2, 3), keepdim=True))
        mx = self.mlp(torch.amax(x, dim=(2, 3), keepdim=True))
        return x * torch.sigmoid(avg + mx)


class SpatialAttention(nn.Module):
    """CBAM spatial attention: channel-wise mean and max, concatenated, 7x7 conv, sigmoid."""

    def __init__(self, kernel_size: int = 7) -> None:
        super().__init__()
        self.conv = nn.Conv2d(2, 1, kernel_size, padding=kernel_size // 2, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        desc = torch.cat([torch.mean(x, dim=1, keepdim=True), torch.amax(x, dim=1, keepdim=True)], dim=1)
        return x * torch.sigmoid(self.conv(desc))


class CBAM(nn.Module):
    """Convolutional Block Attention Module (Woo et al. 2018): channel, then spatial attention."""

    def __init__(self, channels: int, reduction: int = 16, kernel_size: int = 7) -> None:
        super().__init__()
        self.channel = ChannelAttention(channels, reduction)
        self.spatial = SpatialAttention(kernel_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.spatial(self.channel(x))


class ConvBNAct(nn.Sequential):
    """Conv -> BN -> activation (``act_layer=None`` for a linear output)."""

    def __init__(
        self,
        in_ch: int,
        out_ch: int,
        kernel_size: int,
        stride: int = 1,
        groups: int = 1,
        norm_layer: LayerFactory = nn.BatchNorm2d,
        act_layer: LayerFactory | None = nn.ReLU6,
    ) -> None:
        layers: list[nn.Module] = [
            nn.Conv2d(in_ch, out_ch, kernel_size, stride, kernel_size // 2, groups=groups, bias=False),
            norm_layer(out_ch),
        ]
        if act_layer is not None:
            layers.append(act_layer(inplace=True))
        super().__init__(*layers)


class DepthwiseSeparable(nn.Sequential):
    """Depthwise 3x3 -> BN (-> act if ``dw_act_layer``), then pointwise 1x1 -> BN -> ReLU6.

    A-MobileNet's "improved DSC" (paper Fig. 6) has a linear depthwise output
    (``dw_act_layer=None``); the original MobileNetV1 has an activation there.
    """

    def __init__(
        self,
        in_ch: int,
        out_ch: int,
        stride: int,
        norm_layer: LayerFactory = nn.BatchNorm2d,
        act_layer: LayerFactory = nn.ReLU6,
        dw_act_layer: LayerFactory | None = None,
    ) -> None:
        super().__init__(
            ConvBNAct(in_ch, in_ch, 3, stride, groups=in_ch, norm_layer=norm_layer, act_layer=dw_act_layer),
            ConvBNAct(in_ch, out_ch, 1, norm_layer=norm_layer, act_layer=act_layer),
        )


class ExpressionNet(nn.Module):
    """The head all our models share: global average pool [-> pre-logits] -> dropout -> FC.

    ``forward_features`` gives the pooled feature the center loss acts on; ``forward_with_features``
    gives ``(logits, features)`` for softmax + center loss. Subclasses set ``features`` and
    ``pre_logits``, then call ``_build_head``.
    """

    features: nn.Sequential
    pre_logits: nn.Module

    def _build_head(self, channels: int, num_classes: int, drop_rate: float) -> None:
        self.global_pool = nn.AdaptiveAvgPool2d(1)
        self.num_features = channels
        self.num_classes = num_classes
        self.dropout = nn.Dropout(drop_rate)
        self.classifier = nn.Linear(channels, num_classes)
        init_weights(self)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """Image batch (N, C, H, W) -> pooled features (N, num_features)."""
        return self.pre_logits(torch.flatten(self.global_pool(self.features(x)), 1))

    def forward_head(self, feats: torch.Tensor, pre_logits: bool = False) -> torch.Tensor:
        feats = self.dropout(feats)
        return feats if pre_logits else self.classifier(feats)

    def forward_with_features(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        feats = self.forward_features(x)
        return self.forward_head(feats), feats

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.forward_features(x))

    def reset_classifier(self, num_classes: int) -> None:
        self.num_classes = num_classes
        self.classifier = nn.Linear(self.num_features, num_classes)


class MobileNet(ExpressionNet):
    """MobileNetV1-style network built from a Table-1 style setting.

    ``forward_features`` returns the globally average-pooled feature (1024-d), the
    feature the center loss acts on; ``forward_head`` applies dropout and the classifier.
    """

    def __init__(
        self,
        setting: Sequence[tuple[str, int, int, int, bool]],
        num_classes: int,
        in_chans: int = 3,
        drop_rate: float = 0.5,
        dw_act_layer: LayerFactory | None = None,
        norm_layer: LayerFactory = nn.BatchNorm2d,
        act_layer: LayerFactory = nn.ReLU6,
        cbam_reduction: int = 16,
    ) -> None:
        super().__init__()
        if num_classes < 1:
            raise ValueError(f"num_classes must be >= 1, got {num_classes}")
        if not setting or setting[0][0] != "conv":
            raise ValueError("the setting must start with a 'conv' stem row")
        layers: list[nn.Module] = []
        channels = in_chans
        for row in setting:
            if len(row) != 5:
                raise ValueError(f"setting rows are (kind, out, stride, repeats, cbam_after), got {row!r}")
            kind, out, stride, repeats, cbam_after = row
            if kind not in ("conv", "dws") or out < 1 or stride not in (1, 2) or repeats < 1:
                raise ValueError(f"malformed setting row {row!r}")
            for i in range(repeats):
                s = stride if i == 0 else 1
                if kind == "conv":
                    layers.append(ConvBNAct(channels, out, 3, s, norm_layer=norm_layer, act_layer=act_layer))
                else:
                    layers.append(
                        DepthwiseSeparable(channels, out, s, norm_layer, act_layer, dw_act_layer=dw_act_layer)
                    )
                channels = out
            if cbam_after:
                layers.append(CBAM(channels, cbam_reduction))
        self.features = nn.Sequential(*layers)
        self.in_chans = in_chans
        self.pre_logits = nn.Identity()
        self._build_head(channels, num_classes, drop_rate)


def scale_setting(
    setting: Sequence[tuple[str, int, int, int, bool]], width: float
) -> list[tuple[str, int, int, int, bool]]:
    """MobileNet's width multiplier (alpha): every layer's channels x ``width``, rounded to a multiple of 8.

    The cost of a forward pass at batch 1 on a CPU is mostly reading the weights, which shrink with
    width squared; the input size hardly matters at 48-64 px. So a low-power model is narrower, not smaller in input."""
    if not 0.0 < width <= 4.0:
        raise ValueError(f"width must be in (0, 4], got {width}")
    return [(kind, make_divisible(out * width), s, n, cbam) for kind, out, s, n, cbam in setting]


def make_divisible(channels: float, divisor: int = 8) -> int:
    """Round to the nearest multiple of ``divisor``, never below it nor 10% under ``channels`` (MobileNet's rule)."""
    rounded = max(divisor, int(channels + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * channels else rounded


def a_mobilenet(num_classes: int, in_chans: int = 3, drop_rate: float = 0.5, width: float = 1.0) -> MobileNet:
    """A-MobileNet: linear depthwise outputs, ReLU6 pointwise, CBAM at Table 1's four places."""
    return MobileNet(scale_setting(A_MOBILENET_SETTING, width), num_classes, in_chans, drop_rate, dw_act_layer=None)


def mobilenet_v1(num_classes: int, in_chans: int = 3, drop_rate: float = 0.5, width: float = 1.0) -> MobileNet:
    """MobileNetV1 (alpha 1.0 unless ``width``): BN + ReLU6 after both the depthwise and the pointwise conv, no CBAM."""
    setting = scale_setting(MOBILENET_V1_SETTING, width)
    return MobileNet(setting, num_classes, in_chans, drop_rate, dw_act_layer=nn.ReLU6)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


if __name__ == "__main__":
    for name, fn in (("a_mobilenet", a_mobilenet), ("mobilenet_v1", mobilenet_v1)):
        for k in (8, 7):
            print(f"{name} {k} classes, 3-channel input: {count_parameters(fn(k)):,} parameters")


def init_weights(model: nn.Module) -> None:
    """MobileNet-style initialisation, shared by A-MobileNet and the baselines."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0, 0.01)
            nn.init.zeros_(m.bias)
