"""The paper's numbers, in one place: Nan et al. 2021, "A-MobileNet: An approach of facial expression
recognition", Alexandria Engineering Journal. Training defaults, the deviations the card lists and the
comparison table all read them from here."""

from __future__ import annotations

#: Section 3.1: the training settings (the CLI's defaults).
PAPER_DEFAULTS: dict[str, object] = {
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

#: Table 3: FERPlus test accuracy (%), 8 classes, 224x224 input, ImageNet-initialised.
PAPER_TABLE3: dict[str, float] = {
    "a_mobilenet": 88.11,
    "mobilenet_v1": 85.40,
    "mobilenet_v2": 77.18,
    "mobilenet_v3_small": 73.24,
}

#: A-MobileNet's test accuracy (%) as the paper reports it, per dataset (FERPlus: Table 3).
PAPER_TEST_ACCURACY: dict[str, float] = {"ferplus": PAPER_TABLE3["a_mobilenet"], "rafdb": 84.49}
