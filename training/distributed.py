"""Data-parallel training across processes: ``torchrun --nproc_per_node=N -m training.train ...``.

Same semantics as one process: ``--batch-size`` is the global batch (each rank takes its share of
every epoch's seeded order), gradients are averaged by DistributedDataParallel, the center-loss
centres are updated from the features of the whole global batch on every rank, and rank 0 alone
validates, logs and writes checkpoints. gloo on CPUs, nccl on GPUs. BN statistics are per rank, as
DDP keeps them (its buffers are broadcast from rank 0 at each step).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn
from torch.utils.data import Dataset


@dataclass(frozen=True)
class Distributed:
    rank: int = 0
    world: int = 1
    device: torch.device = torch.device("cpu")

    @property
    def main(self) -> bool:
        return self.rank == 0

    @property
    def active(self) -> bool:
        return self.world > 1


def setup() -> Distributed:
    """Join the process group that torchrun describes in the environment; one process otherwise."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    cuda = torch.cuda.is_available()
    if world == 1:
        return Distributed(device=torch.device("cuda" if cuda else "cpu"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    if cuda:
        torch.cuda.set_device(local)
    dist.init_process_group("nccl" if cuda else "gloo")
    return Distributed(dist.get_rank(), dist.get_world_size(), torch.device(f"cuda:{local}" if cuda else "cpu"))


def teardown(d: Distributed) -> None:
    if d.active and dist.is_initialized():
        dist.destroy_process_group()


class Shard(Dataset):
    """Rank ``rank``'s share of a dataset's current order: items rank, rank + world, ...; every rank
    gets the same number of whole batches."""

    def __init__(self, data: Dataset, rank: int, world: int, batch: int) -> None:
        self.data, self.rank, self.world = data, rank, world
        self.length = (len(data) // (world * batch)) * batch  # type: ignore[arg-type]

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, i: int):  # type: ignore[no-untyped-def]
        return self.data[i * self.world + self.rank]


class WithFeatures(nn.Module):
    """DDP synchronises gradients of what ``forward`` returns: here (logits, pooled features)."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.net.forward_with_features(x)  # type: ignore[operator]


def gather(d: Distributed, feats: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The whole global batch's features and labels, on every rank (equal shard sizes)."""
    if not d.active:
        return feats, labels
    fs = [torch.empty_like(feats) for _ in range(d.world)]
    ls = [torch.empty_like(labels) for _ in range(d.world)]
    dist.all_gather(fs, feats.contiguous())
    dist.all_gather(ls, labels.contiguous())
    return torch.cat(fs), torch.cat(ls)


def mean_over_ranks(d: Distributed, stats: dict[str, float]) -> dict[str, float]:
    """Epoch statistics weighted by each rank's image count (``stats['images']``)."""
    if not d.active:
        return stats
    keys = [k for k in stats if k != "images"]
    t = torch.tensor([stats[k] * stats["images"] for k in keys] + [stats["images"]], dtype=torch.float64)
    dist.all_reduce(t)
    n = float(t[-1])
    return {k: float(v) / max(n, 1) for k, v in zip(keys, t[:-1])} | {"images": n}


def broadcast_flag(d: Distributed, flag: bool) -> bool:
    if not d.active:
        return flag
    t = torch.tensor([int(flag)])
    dist.broadcast(t, 0)
    return bool(t.item())


@torch.no_grad()
def max_divergence(d: Distributed, *modules: nn.Module) -> float:
    """Largest difference between any rank's parameters (and centres) and rank 0's: 0 when in sync."""
    if not d.active:
        return 0.0
    flat = torch.cat(
        [p.detach().reshape(-1).to(torch.float64).cpu() for m in modules for p in m.parameters()]
        + [
            b.detach().reshape(-1).to(torch.float64).cpu()
            for m in modules
            for n, b in m.named_buffers()
            if n.endswith("centers")
        ]
    )
    ref = flat.clone()
    dist.broadcast(ref, 0)
    diff = torch.tensor([float((flat - ref).abs().max())], dtype=torch.float64)
    dist.all_reduce(diff, op=dist.ReduceOp.MAX)
    return float(diff.item())
