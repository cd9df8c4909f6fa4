"""Train A-MobileNet (or a baseline) on FERPlus / RAF-DB: ``python -m training.train --help``.

Defaults are the paper's settings (section 3.1): Adam, lr 1e-4, weight decay 1e-5, batch 64,
dropout 0.5, 100 epochs, input 224. Every deviation is a flag; the resolved args are saved
in the run folder (args.json) and copied into each checkpoint and the model card.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader

from .data import ExpressionSet, load_split
from .data.dataset import EvalDataset, TrainDataset
from .data.transforms import AugmentConfig, Preprocess, balance_plan
from .engine import predict, torch_load, train_one_epoch
from .losses import JointLoss
from .models import count_parameters, create_model

PAPER_DEFAULTS = {
    "optimizer": "adam",
    "lr": 1e-4,
    "weight_decay": 1e-5,
    "batch_size": 64,
    "dropout": 0.5,
    "epochs": 100,
    "input_size": 224,
    "in_chans": 3,
    "imagenet_init": True,
}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m training.train", description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    p.add_argument("--dataset", choices=["ferplus", "rafdb"], default="ferplus")
    p.add_argument("--data", default="/work/shared/data/ferplus", help="dataset folder")
    p.add_argument(
        "--vote-set",
        choices=["2017", "2016"],
        default="2017",
        help="FERPlus votes: 2017 fer2013new.csv or 2016 label.csv",
    )
    p.add_argument(
        "--model", default="a_mobilenet", choices=["a_mobilenet", "mobilenet_v1", "mobilenet_v2", "mobilenet_v3_small"]
    )
    p.add_argument(
        "--in-chans",
        type=int,
        choices=[1, 3],
        default=3,
        help="1 = grey input, 3 = grey/colour replicated to RGB (paper)",
    )
    p.add_argument("--input-size", type=int, default=224)
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--weight-decay", type=float, default=1e-5)
    p.add_argument("--schedule", choices=["none", "cosine"], default="none")
    p.add_argument("--dropout", type=float, default=0.5)
    p.add_argument("--lambda-c", type=float, default=0.003, help="center-loss weight (0 = softmax only)")
    p.add_argument("--alpha-c", type=float, default=0.5, help="center update rate")
    p.add_argument("--center-reduction", choices=["mean", "sum"], default="mean")
    p.add_argument("--soft-labels", action="store_true", help="cross-entropy on FERPlus vote shares")
    p.add_argument(
        "--balance-fraction",
        type=float,
        default=0.5,
        help="oversample (and augment) classes to at least this fraction of the largest class",
    )
    p.add_argument(
        "--augment-all",
        action="store_true",
        help="geometric augmentation on every class, not only the oversampled ones",
    )
    p.add_argument(
        "--channels-last",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="channels-last memory format (about 1.4x faster on CPU; same model)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--limit", type=int, default=None, help="use a random subset of this many train images")
    p.add_argument("--limit-valid", type=int, default=None, help="use a random subset of valid")
    p.add_argument("--out", default=None, help="run folder (default training/runs/<time>)")
    p.add_argument("--resume", default=None, help="checkpoint to resume from (e.g. <run>/last.pt)")
    p.add_argument(
        "--max-minutes", type=float, default=None, help="stop after the epoch that passes this wall-clock budget"
    )
    return p


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


def _subset(data: ExpressionSet, n: int | None, seed: int) -> ExpressionSet:
    data = data.labeled()
    if n is None or n >= len(data):
        return data
    idx = np.sort(np.random.default_rng(seed).permutation(len(data))[:n])
    return data.subset(idx)


def load_train_valid(args: argparse.Namespace) -> tuple[ExpressionSet, ExpressionSet]:
    if args.dataset == "ferplus":
        train = load_split("ferplus", args.data, "train", args.vote_set)
        valid = load_split("ferplus", args.data, "valid", args.vote_set)
    else:  # RAF-DB has no valid split: hold out 10% of train, fixed by the seed
        full = load_split("rafdb", args.data, "train")
        perm = np.random.default_rng(args.seed).permutation(len(full))
        cut = len(full) // 10
        train, valid = full.subset(np.sort(perm[cut:])), full.subset(np.sort(perm[:cut]))
    return _subset(train, args.limit, args.seed), _subset(valid, args.limit_valid, args.seed + 1)


def write_logs(run: Path, history: list[dict[str, float]]) -> None:
    (run / "log.json").write_text(json.dumps(history, indent=1))
    with open(run / "log.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(history[0]))
        w.writeheader()
        w.writerows(history)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ep = [h["epoch"] for h in history]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    a1.plot(ep, [h["train_ce"] for h in history], label="train CE")
    a1.plot(ep, [h["valid_loss"] for h in history], label="valid CE")
    a1.set_xlabel("epoch")
    a1.set_ylabel("loss")
    a1.legend()
    a2.plot(ep, [h["train_acc"] for h in history], label="train acc")
    a2.plot(ep, [h["valid_acc"] for h in history], label="valid acc")
    a2.set_xlabel("epoch")
    a2.set_ylabel("accuracy")
    a2.legend()
    fig.suptitle(run.name)
    fig.tight_layout()
    fig.savefig(run / "curve.png", dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> Path:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    if args.soft_labels and args.dataset != "ferplus":
        raise SystemExit("--soft-labels needs FERPlus vote counts")
    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    run = Path(args.out or Path("training/runs") / time.strftime("%Y%m%d-%H%M%S"))
    run.mkdir(parents=True, exist_ok=True)
    command = "python -m training.train " + " ".join(shlex.quote(a) for a in argv)

    train_set, valid_set = load_train_valid(args)
    classes = train_set.classes
    pre = Preprocess(args.input_size, args.in_chans)
    plan = balance_plan(train_set.labels, len(classes), args.balance_fraction)
    print(f"balancing: {plan['rule']}")
    for c, b, a in zip(classes, plan["before"], plan["after"]):  # type: ignore[arg-type]
        print(f"  {c:>10}: {b:6d} -> {a:6d}")
    train_ds = TrainDataset(train_set, pre, args.seed, args.balance_fraction, AugmentConfig(), args.augment_all)
    valid_loader = DataLoader(EvalDataset(valid_set, pre), batch_size=256)

    model = create_model(args.model, len(classes), args.in_chans, args.dropout)
    print(
        f"{args.model}: {count_parameters(model):,} parameters, {len(classes)} classes, "
        f"input {args.in_chans}x{args.input_size}x{args.input_size}"
    )
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
    criterion = JointLoss(len(classes), model.num_features, args.lambda_c, args.alpha_c, args.center_reduction)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    scheduler = (
        torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs) if args.schedule == "cosine" else None
    )

    start, best_acc, best_epoch, history = 1, -1.0, 0, []
    earlier_commands: list[str] = []
    if args.resume:
        ck = torch_load(args.resume)
        # A resumed model was made by every command of the run, so all of them go into its card.
        earlier_commands = [*ck["meta"].get("earlier_commands", []), ck["meta"]["command"]]
        model.load_state_dict(ck["model"])
        criterion.load_state_dict(ck["criterion"])
        optimizer.load_state_dict(ck["optimizer"])
        if scheduler is not None and ck.get("scheduler"):
            scheduler.load_state_dict(ck["scheduler"])
        start, best_acc, best_epoch, history = ck["epoch"] + 1, ck["best_acc"], ck["best_epoch"], ck["history"]
        torch.set_rng_state(ck["rng"]["torch"])
        np.random.set_state(ck["rng"]["numpy"])
        random.setstate(ck["rng"]["python"])
        print(f"resumed from {args.resume} at epoch {start}")

    meta = {
        "args": vars(args),
        "command": command,
        "earlier_commands": earlier_commands,
        "classes": list(classes),
        "preprocess": pre.card(),
        "balance": plan,
        "train_images": len(train_set),
        "valid_images": len(valid_set),
        "train_source": train_set.source,
        "data_info": train_set.info,
        "paper_defaults": PAPER_DEFAULTS,
        "torch": torch.__version__,
        "parameters": count_parameters(model),
    }
    (run / "args.json").write_text(json.dumps(meta, indent=1))
    t0 = time.time()
    isatty = sys.stderr.isatty()
    for epoch in range(start, args.epochs + 1):
        te = time.time()
        train_ds.set_epoch(epoch)
        loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=False, drop_last=True)
        tr = train_one_epoch(
            model,
            criterion,
            loader,
            optimizer,
            args.soft_labels,
            f"epoch {epoch}/{args.epochs}",
            mininterval=0.5 if isatty else 60.0,
        )
        lr = optimizer.param_groups[0]["lr"]
        if scheduler is not None:
            scheduler.step()
        logits, labels = predict(model, valid_loader, "valid", args.channels_last)
        v_loss = float(torch.nn.functional.cross_entropy(torch.from_numpy(logits), torch.from_numpy(labels)))
        v_acc = float((logits.argmax(1) == labels).mean())
        secs = time.time() - te
        history.append(
            {
                "epoch": epoch,
                "lr": lr,
                "train_loss": tr["loss"],
                "train_ce": tr["ce"],
                "train_center": tr["center"],
                "train_acc": tr["acc"],
                "valid_loss": v_loss,
                "valid_acc": v_acc,
                "seconds": round(secs, 1),
                "images_per_s": round(tr["images"] / secs, 1),
            }
        )
        improved = v_acc > best_acc
        if improved:
            best_acc, best_epoch = v_acc, epoch
        ck = {
            "model": model.state_dict(),
            "criterion": criterion.state_dict(),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict() if scheduler else None,
            "epoch": epoch,
            "best_acc": best_acc,
            "best_epoch": best_epoch,
            "history": history,
            "rng": {"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "python": random.getstate()},
            "model_name": args.model,
            "num_classes": len(classes),
            "in_chans": args.in_chans,
            "meta": meta,
        }
        torch.save(ck, run / "last.tmp")
        (run / "last.tmp").replace(run / "last.pt")
        if improved:
            torch.save(ck, run / "best.pt")
        write_logs(run, history)
        print(
            f"epoch {epoch}: train loss {tr['loss']:.4f} acc {tr['acc']:.4f} | valid loss {v_loss:.4f} "
            f"acc {v_acc:.4f} | best {best_acc:.4f} @ {best_epoch} | {secs:.0f}s",
            flush=True,
        )
        if args.max_minutes is not None and (time.time() - t0) / 60 > args.max_minutes and epoch < args.epochs:
            print(f"stopping: --max-minutes {args.max_minutes} passed after epoch {epoch}")
            break
    return run


if __name__ == "__main__":
    main()
