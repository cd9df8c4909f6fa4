"""Small models for four quadrants: multinomial logistic regression or a one-hidden-layer MLP, fitted
full-batch with L-BFGS on standardised inputs, and written as plain dense layers that the app evaluates."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class ModelConfig:
    hidden: int  # 0: logistic regression
    l2: float  # penalty on the weights (not the biases), per training sample

    @property
    def label(self) -> str:
        kind = "logistic" if self.hidden == 0 else f"mlp-{self.hidden}"
        return f"{kind} l2={self.l2:g}"


@dataclass
class Scaling:
    """Inputs are first held to their typical range (the middle 99% of training songs), then
    standardised: a song unlike any in training cannot push the model into wild extrapolation."""

    mean: np.ndarray
    scale: np.ndarray
    low: np.ndarray
    high: np.ndarray

    @staticmethod
    def fit(x: np.ndarray, names: list[str]) -> Scaling:
        flags = np.array([n.startswith("genre_") for n in names])
        low = np.where(flags, 0.0, np.quantile(x, 0.005, axis=0))
        high = np.where(flags, 1.0, np.quantile(x, 0.995, axis=0))
        held = np.clip(x, low, high)
        std = held.std(axis=0)
        # A column that never varies in training (a genre no training song has) is left unscaled.
        return Scaling(held.mean(axis=0), np.where(std > 1e-9, std, 1.0), low, high)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return (np.clip(x, self.low, self.high) - self.mean) / self.scale

    def outside_share(self, x: np.ndarray) -> np.ndarray:
        """Per song, the share of inputs outside their typical range."""
        return ((x < self.low) | (x > self.high)).mean(axis=1)


Layers = list[dict[str, object]]


def fit(x: np.ndarray, y: np.ndarray, config: ModelConfig, seed: int = 0, classes: int = 4) -> Layers:
    """Dense layers (weights as out x in) minimising cross-entropy + l2 * ||W||^2 on standardised x."""
    torch.manual_seed(seed)
    xt = torch.from_numpy(x).double()
    yt = torch.from_numpy(y).long()
    sizes = [x.shape[1]] + ([config.hidden] if config.hidden else []) + [classes]
    params: list[tuple[torch.Tensor, torch.Tensor]] = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        last = i == len(sizes) - 2
        w = (
            torch.zeros(fan_out, fan_in, dtype=torch.float64)
            if last and not config.hidden
            else (torch.randn(fan_out, fan_in, dtype=torch.float64) * np.sqrt(2.0 / fan_in))
        )
        params.append((w.requires_grad_(), torch.zeros(fan_out, dtype=torch.float64, requires_grad=True)))
    flat = [p for pair in params for p in pair]
    opt = torch.optim.LBFGS(flat, lr=1.0, max_iter=500, tolerance_grad=1e-9, line_search_fn="strong_wolfe")

    def forward(inp: torch.Tensor) -> torch.Tensor:
        h = inp
        for i, (w, b) in enumerate(params):
            h = h @ w.T + b
            if i < len(params) - 1:
                h = torch.relu(h)
        return h

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(forward(xt), yt) + config.l2 * sum((w**2).sum() for w, _ in params)
        loss.backward()
        return loss

    opt.step(closure)
    return [
        {
            "weights": w.detach().numpy().tolist(),
            "bias": b.detach().numpy().tolist(),
            "activation": "relu" if i < len(params) - 1 else "linear",
        }
        for i, (w, b) in enumerate(params)
    ]


def logits(layers: Layers, x: np.ndarray) -> np.ndarray:
    """The card's forward pass, exactly as the app runs it."""
    h = x
    for layer in layers:
        h = h @ np.asarray(layer["weights"]).T + np.asarray(layer["bias"])
        if layer["activation"] == "relu":
            h = np.maximum(h, 0)
    return h
