"""The CLI's defaults are the paper's settings, read from the one module that holds them."""

from __future__ import annotations

from training.paper import PAPER_DEFAULTS
from training.train import build_parser


def test_train_defaults_are_the_papers() -> None:
    args = build_parser().parse_args([])
    for key in ("lr", "weight_decay", "batch_size", "dropout", "epochs", "input_size", "in_chans"):
        assert getattr(args, key) == PAPER_DEFAULTS[key], key
