import pytest
import torch

from training.losses import CenterLoss, JointLoss, soft_cross_entropy


def _example() -> tuple[CenterLoss, torch.Tensor, torch.Tensor]:
    loss = CenterLoss(num_classes=3, feat_dim=2, alpha=0.5, reduction="sum")
    loss.centers.copy_(torch.tensor([[0.0, 0.0], [1.0, 1.0], [5.0, 5.0]]))
    x = torch.tensor([[1.0, 2.0], [3.0, 1.0], [2.0, 2.0]], requires_grad=True)
    y = torch.tensor([0, 1, 0])
    return loss, x, y


def test_center_loss_value_and_gradient() -> None:
    loss, x, y = _example()
    value = loss(x, y)
    # 1/2 * (|(1,2)-(0,0)|^2 + |(3,1)-(1,1)|^2 + |(2,2)-(0,0)|^2) = 1/2 * (5 + 4 + 8) = 8.5
    assert value.item() == pytest.approx(8.5)
    value.backward()
    assert torch.allclose(x.grad, torch.tensor([[1.0, 2.0], [2.0, 0.0], [2.0, 2.0]]))  # x_i - c_{y_i}
    loss.reduction = "mean"
    assert loss(x, y).item() == pytest.approx(8.5 / 3)


def test_center_update_rule() -> None:
    loss, x, y = _example()
    loss.update_centers(x, y)
    # class 0: delta = ((c0 - x0) + (c0 - x2)) / (1 + 2) = ((-1,-2) + (-2,-2)) / 3 = (-1, -4/3)
    #          c0 <- c0 - 0.5 * delta = (0.5, 2/3)
    # class 1: delta = (c1 - x1) / 2 = (-1, 0); c1 <- (1.5, 1)
    # class 2: no samples, unchanged
    expected = torch.tensor([[0.5, 2.0 / 3.0], [1.5, 1.0], [5.0, 5.0]])
    assert torch.allclose(loss.centers, expected)
    assert not loss.centers.requires_grad


def test_joint_loss_and_soft_labels() -> None:
    torch.manual_seed(0)
    logits = torch.randn(4, 3, requires_grad=True)
    feats = torch.randn(4, 5, requires_grad=True)
    y = torch.tensor([0, 1, 2, 1])
    crit = JointLoss(3, 5, lambda_c=0.1, alpha_c=0.5, reduction="mean")
    total, ce, center = crit(logits, feats, y)
    assert total.item() == pytest.approx(ce.item() + 0.1 * center.item(), rel=1e-6)
    onehot = torch.nn.functional.one_hot(y, 3).float()
    assert soft_cross_entropy(logits, onehot).item() == pytest.approx(
        torch.nn.functional.cross_entropy(logits, y).item(), rel=1e-6
    )
    total.backward()
    # gradient of lambda * center (mean) w.r.t. feats is lambda * (x - c) / m with c = 0
    assert torch.allclose(feats.grad, 0.1 * feats.detach() / 4, atol=1e-6)
    assert JointLoss(3, 5, lambda_c=0.0)(logits, feats, y)[2].item() == 0.0
