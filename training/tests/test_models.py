import pytest
import torch
from torch import nn

from training.engine import HFlipAverage
from training.models import MODELS, count_parameters, create_model
from training.models.a_mobilenet import A_MOBILENET_SETTING, CBAM, MobileNet, a_mobilenet


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("in_chans", [1, 3])
def test_output_shapes(name: str, in_chans: int) -> None:
    model = create_model(name, num_classes=8, in_chans=in_chans).eval()
    x = torch.randn(2, in_chans, 64, 64)
    logits = model(x)
    assert logits.shape == (2, 8)
    logits2, feats = model.forward_with_features(x)
    assert feats.shape == (2, model.num_features)
    assert torch.allclose(logits, logits2, atol=1e-6)
    assert torch.allclose(model.forward_head(model.forward_features(x)), logits, atol=1e-6)


def test_parameter_counts_match_paper() -> None:
    # Paper Table 3: A-MobileNet 3.4 M, MobileNetV1 3.2 M, MobileNetV2 2.3 M, MobileNetV3-small 1.5 M (8 classes).
    counts = {name: count_parameters(create_model(name, 8, 3)) for name in MODELS}
    print({k: f"{v:,}" for k, v in counts.items()})
    assert counts["a_mobilenet"] == 3_422_816
    assert round(counts["a_mobilenet"] / 1e6, 1) == 3.4
    assert round(counts["mobilenet_v1"] / 1e6, 1) == 3.2
    assert 2.2e6 < counts["mobilenet_v2"] < 2.35e6
    assert round(counts["mobilenet_v3_small"] / 1e6, 1) == 1.5


def test_cbam_at_table1_places() -> None:
    model = a_mobilenet(num_classes=7).eval()
    shapes: list[tuple[int, ...]] = []
    for m in model.modules():
        if isinstance(m, CBAM):
            m.register_forward_hook(lambda _m, _i, out: shapes.append(tuple(out.shape[1:])))
    with torch.no_grad():
        model(torch.randn(1, 3, 224, 224))
    assert shapes == [(256, 28, 28), (512, 14, 14), (512, 14, 14), (1024, 7, 7)]
    assert sum(isinstance(m, nn.Linear) for m in model.modules()) == 1  # only the FC (CBAM MLP uses 1x1 convs)
    assert model.classifier.out_features == 7


def test_depthwise_linear_and_pointwise_relu6() -> None:
    model = a_mobilenet(8)
    block = model.features[1]  # first depthwise-separable block
    dw, pw = block[0], block[1]
    assert dw[0].groups == dw[0].in_channels and len(dw) == 2  # conv, BN: no activation
    assert isinstance(pw[2], nn.ReLU6)
    v1 = create_model("mobilenet_v1", 8)
    assert isinstance(v1.features[1][0][2], nn.ReLU6)
    assert not any(isinstance(m, CBAM) for m in v1.modules())


def test_width_multiplier_narrows_every_layer_and_keeps_table1_places() -> None:
    full, half = a_mobilenet(8, in_chans=1), create_model("a_mobilenet", 8, in_chans=1, width=0.5)
    convs = [(m.in_channels, m.out_channels) for m in full.modules() if isinstance(m, nn.Conv2d) and m.groups == 1]
    halves = [(m.in_channels, m.out_channels) for m in half.modules() if isinstance(m, nn.Conv2d) and m.groups == 1]
    # every regular conv (stem, pointwise, CBAM MLP and spatial) halves its outputs; the input stays grey
    assert [o for _, o in halves] == [max(o // 2, 1) if o > 2 else o for _, o in convs]
    assert sum(isinstance(m, CBAM) for m in half.modules()) == 4
    assert half.num_features == 512
    # most of the weights sit in the wide pointwise convs, which shrink with width squared
    assert count_parameters(half) < count_parameters(full) / 3.5
    assert half(torch.randn(2, 1, 48, 48)).shape == (2, 8)
    with pytest.raises(ValueError, match="no width multiplier"):
        create_model("mobilenet_v2", 8, width=0.5)
    with pytest.raises(ValueError, match="width"):
        create_model("a_mobilenet", 8, width=0.0)


def test_malformed_table_raises() -> None:
    with pytest.raises(ValueError):
        MobileNet([("dws", 64, 1, 1, False)], 8)
    with pytest.raises(ValueError):
        MobileNet([A_MOBILENET_SETTING[0], ("dws", 64, 3, 1, False)], 8)
    with pytest.raises(ValueError):
        create_model("resnet", 8)


def test_hflip_average_is_the_mean_over_the_mirror_and_mirror_invariant() -> None:
    torch.manual_seed(0)
    model = create_model("mobilenet_v3_small", 8, in_chans=1).eval()
    tta = HFlipAverage(model).eval()
    x = torch.randn(2, 1, 32, 32)
    mirror = torch.flip(x, dims=[3])
    with torch.no_grad():
        assert torch.allclose(tta(x), (model(x) + model(mirror)) / 2, atol=1e-6)
        assert torch.allclose(tta(x), tta(mirror), atol=1e-5)
        assert not torch.equal(model(x), model(mirror))  # the plain model is not
