"""The factories train.py composes: data and loaders, model, optimiser and schedule, checkpointer."""

from __future__ import annotations

import argparse
import csv
import json
import math
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from training import distributed, train
from training.classes import FERPLUS_CLASSES
from training.data.dataset import TrainDataset
from training.engine import torch_load
from training.factory import model as model_factory
from training.factory.checkpoint import Checkpointer, selection_rule, selection_score
from training.factory.data import create_data, epoch_loader, limited
from training.factory.model import create_criterion, create_run_model
from training.factory.optim import create_optimizer, create_schedule, lr_factor, param_groups
from training.losses import JointLoss
from training.models import create_model
from training.models.a_mobilenet import CBAM

CPU = torch.device("cpu")


def args_of(*argv: str) -> argparse.Namespace:
    return train.build_parser().parse_args(["--data", "unused", *argv])


def test_limited_keeps_a_seeded_subset_in_order(learnable_dir: Path) -> None:
    data = create_data(args_of("--data", str(learnable_dir), "--input-size", "32", "--in-chans", "1"))
    assert len(data.train_set) == 96 and len(data.valid_set) == 32 and data.posed_loader is None
    a, b = limited(data.train_set, 20, 7), limited(data.train_set, 20, 7)
    assert a.names == b.names and len(a) == 20 and a.names == sorted(a.names)
    assert limited(data.train_set, 20, 8).names != a.names
    assert limited(data.train_set, None, 7).names == data.train_set.names


def test_epoch_loader_shards_the_global_batch_over_processes(learnable_dir: Path) -> None:
    data = create_data(args_of("--data", str(learnable_dir), "--input-size", "32", "--in-chans", "1"))
    assert isinstance(data.train, TrainDataset)
    one = [y for _, y, _ in epoch_loader(data.train, 2, distributed.Distributed(), 16, 0)]
    assert len(one) == len(data.train) // 16 and all(len(y) == 16 for y in one)
    again = [y for _, y, _ in epoch_loader(data.train, 2, distributed.Distributed(), 16, 0)]
    assert all(torch.equal(a, b) for a, b in zip(one, again))  # an epoch's order is fixed by (seed, epoch)
    ranks = [[y for _, y, _ in epoch_loader(data.train, 2, distributed.Distributed(rank, 2), 16, 0)] for rank in (0, 1)]
    for step, y in enumerate(one):  # rank r takes items r, r + 2, ... of the global batch
        assert torch.equal(ranks[0][step], y[0::2]) and torch.equal(ranks[1][step], y[1::2])


def test_faceres_init_only_on_a_fresh_runs_main_process(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def fake_init(model: nn.Module, *_args: object) -> dict[str, object]:
        calls.append(1)
        return {"alive_features": 1, "num_features": 1}

    monkeypatch.setattr(model_factory, "init_faceres", fake_init)
    common = ("--model", "mobilenet_v3_small", "--in-chans", "1", "--input-size", "32", "--init", "faceres")
    for argv, main_process, expected in (
        ((), True, 1),
        (("--resume", "x/last.pt"), True, 0),  # its weights come from the checkpoint
        ((), False, 0),  # DDP copies rank 0's weights
    ):
        calls.clear()
        model, report = create_run_model(args_of(*common, *argv), 8, None, None, CPU, main_process)  # type: ignore[arg-type]
        assert len(calls) == expected and (report is not None) == bool(expected)
    conv = next(m for m in model.modules() if isinstance(m, nn.Conv2d))
    assert conv.weight.is_contiguous(memory_format=torch.channels_last)
    plain, _ = create_run_model(args_of(*common[:6], "--no-channels-last"), 8, None, None, CPU, True)  # type: ignore[arg-type]
    assert next(m for m in plain.modules() if isinstance(m, nn.Conv2d)).weight.is_contiguous()
    criterion = create_criterion(args_of("--lambda-c", "0.01"), list(FERPLUS_CLASSES), model.num_features, CPU)
    assert criterion.center.centers.shape == (8, model.num_features) and criterion.lambda_c == 0.01
    assert criterion.class_weight is None


def test_class_weights_weigh_the_named_class_for_hard_and_soft_labels_alike() -> None:
    classes = list(FERPLUS_CLASSES)
    args = args_of("--class-weight", "anger=3", "fear=2")
    criterion = create_criterion(args, classes, 16, CPU)
    assert criterion.class_weight is not None
    assert criterion.class_weight.tolist() == [1, 1, 1, 1, 3, 1, 2, 1]
    torch.manual_seed(0)
    logits, feats = torch.randn(6, 8), torch.randn(6, 16)
    labels = torch.tensor([0, 4, 4, 1, 6, 2])
    hard = criterion(logits, feats, labels)[1]
    soft = criterion(logits, feats, labels, F.one_hot(labels, 8).float())[1]
    assert float(hard) == pytest.approx(float(soft), rel=1e-6)  # one-hot soft targets = the hard loss
    plain = create_criterion(args_of(), classes, 16, CPU)(logits, feats, labels)[1]
    nll = -F.log_softmax(logits, 1)[torch.arange(6), labels]
    w = torch.tensor([1.0, 3, 3, 1, 2, 1])
    assert float(hard) == pytest.approx(float((nll * w).sum() / w.sum()), rel=1e-6)
    assert float(plain) == pytest.approx(float(nll.mean()), rel=1e-6)
    for bad in ("angry=2", "anger", "anger=x", "anger=0"):
        with pytest.raises(SystemExit, match="--class-weight"):
            create_criterion(args_of("--class-weight", bad), classes, 16, CPU)


def test_the_body_learns_at_its_multiplier_and_cbam_and_head_at_the_base_rate() -> None:
    model = create_model("a_mobilenet", 8, 1)
    groups = param_groups(model, 1e-3, 0.3)
    body, new = ({id(p) for p in g["params"]} for g in groups)
    assert [g["name"] for g in groups] == ["body", "new"]
    assert groups[0]["lr"] == pytest.approx(3e-4) and groups[1]["lr"] == 1e-3
    assert not body & new and body | new == {id(p) for p in model.parameters()}
    cbam = {id(p) for m in model.modules() if isinstance(m, CBAM) for p in m.parameters()}
    head = {id(p) for name, p in model.named_parameters() if not name.startswith("features.")}
    assert cbam and head and cbam | head == new
    opt = create_optimizer(model, args_of("--lr", "1e-3", "--body-lr-mult", "0.3", "--weight-decay", "1e-5"))
    assert [g["lr"] for g in opt.param_groups] == pytest.approx([3e-4, 1e-3])
    assert all(g["weight_decay"] == 1e-5 for g in opt.param_groups)
    assert len(create_optimizer(model, args_of("--lr", "1e-3")).param_groups) == 1  # no multiplier: one group


def _lrs(argv: tuple[str, ...], steps_per_epoch: int, epochs: int) -> list[float]:
    """The learning rate the training loop sees at every step, with the schedule driven as it drives it."""
    args = args_of("--lr", "1e-2", "--epochs", str(epochs), *argv)
    opt = torch.optim.Adam([nn.Parameter(torch.zeros(1))], lr=args.lr)
    schedule = create_schedule(opt, args, steps_per_epoch)
    seen = []
    for _ in range(epochs):
        for _ in range(steps_per_epoch):
            seen.append(opt.param_groups[0]["lr"])
            opt.step()
            if schedule.on_step:
                schedule.on_step()
        schedule.end_epoch()
    return seen


def test_schedule_warms_up_per_step_then_follows_the_cosine() -> None:
    lrs = _lrs(("--schedule", "cosine", "--warmup-epochs", "1"), 10, 4)
    assert lrs == pytest.approx([1e-2 * lr_factor(s, 10, 4, 1.0, True) for s in range(40)])
    assert lrs[0] == pytest.approx(1e-3) and lrs[9] > lrs[5] > lrs[0]  # linear warm-up over the first epoch
    assert lrs[20] == pytest.approx(0.5e-2) and lrs[39] < 1e-4  # then the cosine, halfway at half of the steps
    per_epoch = _lrs(("--schedule", "cosine"), 3, 4)  # no warm-up: the cosine steps once per epoch
    assert per_epoch[::3] == pytest.approx([1e-2 * 0.5 * (1 + math.cos(math.pi * e / 4)) for e in range(4)])
    assert len(set(per_epoch[:3])) == 1
    assert set(_lrs((), 3, 2)) == {1e-2}  # constant


def test_selection_rule_and_score() -> None:
    assert selection_rule(None, posed=False) == "ferplus-acc"
    assert selection_rule(None, posed=True) == "mean-ferplus-acc-posed-bacc"
    with pytest.raises(SystemExit, match="needs --posed-dir"):
        selection_rule("mean-ferplus-acc-posed-bacc", posed=False)
    assert selection_score("mean-ferplus-acc-posed-bacc", {"valid_acc": 0.5, "posed_val_bacc": 0.7}) == 0.6


def _parts(seed: int) -> tuple[nn.Module, JointLoss, torch.optim.Optimizer, object]:
    torch.manual_seed(seed)
    model = nn.Linear(4, 8)
    criterion = JointLoss(8, 4, 0.003, 0.5)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    schedule = create_schedule(opt, args_of("--epochs", "3", "--schedule", "cosine", "--warmup-epochs", "1"), 2)
    return model, criterion, opt, schedule


def _row(epoch: int, valid_acc: float) -> dict[str, float]:
    return {"epoch": epoch, "lr": 0.1, "train_ce": 1.0, "valid_loss": 1.0, "train_acc": 0.5, "valid_acc": valid_acc}


def test_checkpoint_save_then_resume_restores_where_the_run_stood(tmp_path: Path) -> None:
    model, criterion, opt, schedule = _parts(0)
    x = torch.randn(6, 4)
    for _ in range(3):  # a few real steps, so that Adam has moments and the schedule has moved
        loss = model(x).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        schedule.on_step()  # type: ignore[attr-defined]
    criterion.update_centers(x, torch.tensor([0, 1, 2, 0, 1, 2]))
    meta = {"args": {"model": "tiny", "in_chans": 1}, "classes": ["c"] * 8, "command": "python -m training.train a"}
    ck = Checkpointer(tmp_path, "ferplus-acc")
    assert ck.add_epoch(_row(1, 0.4))
    ck.save(model, criterion, opt, schedule, meta, improved=True)  # type: ignore[arg-type]
    assert not ck.add_epoch(_row(2, 0.3))
    ck.save(model, criterion, opt, schedule, meta, improved=False)  # type: ignore[arg-type]
    after_save = torch.rand(3)

    assert torch_load(tmp_path / "best.pt")["epoch"] == 1 and torch_load(tmp_path / "last.pt")["epoch"] == 2
    assert not (tmp_path / "last.tmp").exists()
    with open(tmp_path / "log.csv") as f:
        assert next(csv.reader(f)) == [*_row(1, 0), "selection_score"]
    assert [r["epoch"] for r in json.loads((tmp_path / "log.json").read_text())] == [1, 2]

    model2, criterion2, opt2, schedule2 = _parts(1)  # other weights, fresh optimiser and schedule
    resumed = Checkpointer(tmp_path, "ferplus-acc")
    got_meta = resumed.resume(tmp_path / "last.pt", model2, criterion2, opt2, schedule2)  # type: ignore[arg-type]
    assert got_meta == meta and resumed.earlier_commands == ["python -m training.train a"]
    assert (resumed.start, resumed.best_score, resumed.best_epoch) == (3, 0.4, 1)
    assert [r["selection_score"] for r in resumed.history] == [0.4, 0.3]
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), model2.state_dict().values()))
    assert torch.equal(criterion.center.centers, criterion2.center.centers)
    assert opt2.state_dict()["state"][0]["step"] == 3
    assert torch.equal(opt.state_dict()["state"][0]["exp_avg"], opt2.state_dict()["state"][0]["exp_avg"])
    assert opt2.param_groups[0]["lr"] == pytest.approx(opt.param_groups[0]["lr"])
    assert schedule2.scheduler.last_epoch == 3  # type: ignore[attr-defined]
    assert torch.equal(torch.rand(3), after_save)  # the RNG continues where the saved run's did
