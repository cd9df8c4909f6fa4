"""Training-step throughput: ``python -m training.bench --input-size 48 64 --threads 1``.

Prints images/s for forward + backward + Adam step (+ center loss) on random data. No assertions.
"""

from __future__ import annotations

import argparse
import time

import torch

from .losses import JointLoss
from .models import create_model
from .paper import PAPER_DEFAULTS


def bench(
    model_name: str,
    size: int,
    in_chans: int,
    batch: int,
    steps: int,
    warmup: int,
    classes: int,
    channels_last: bool,
    width: float = 1.0,
) -> float:
    torch.manual_seed(0)
    model = create_model(model_name, classes, in_chans, width=width)
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    model = model.to(memory_format=fmt)
    crit = JointLoss(classes, model.num_features, 0.003, 0.5)
    lr, decay = PAPER_DEFAULTS["lr"], PAPER_DEFAULTS["weight_decay"]
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=decay)  # type: ignore[arg-type]
    x = torch.randn(batch, in_chans, size, size).contiguous(memory_format=fmt)
    y = torch.randint(0, classes, (batch,))
    model.train()
    t0 = 0.0
    for i in range(warmup + steps):
        if i == warmup:
            t0 = time.perf_counter()
        logits, feats = model.forward_with_features(x)
        loss = crit(logits, feats, y)[0]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        crit.update_centers(feats.detach(), y)
    return batch * steps / (time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m training.bench", description=__doc__)
    p.add_argument("--model", default="a_mobilenet")
    p.add_argument("--input-size", type=int, nargs="+", default=[48, 64])
    p.add_argument("--in-chans", type=int, default=1)
    p.add_argument("--width", type=float, nargs="+", default=[1.0], help="width multipliers to compare")
    p.add_argument("--batch-size", type=int, default=PAPER_DEFAULTS["batch_size"])
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--classes", type=int, default=8)
    p.add_argument("--channels-last", action=argparse.BooleanOptionalAction, default=True)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    layout = "channels-last" if a.channels_last else "contiguous"
    print(f"torch {torch.__version__}, {a.threads} thread(s), batch {a.batch_size}, model {a.model}, {layout}")
    for w in a.width:
        for s in a.input_size:
            ips = bench(a.model, s, a.in_chans, a.batch_size, a.steps, a.warmup, a.classes, a.channels_last, w)
            print(f"width {w:g}, input {a.in_chans}x{s}x{s}: {ips:.1f} images/s (train step)", flush=True)


if __name__ == "__main__":
    main()
