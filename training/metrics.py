"""Classification and calibration metrics, temperature scaling, and their plots."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def confusion_matrix(labels: np.ndarray, preds: np.ndarray, k: int) -> np.ndarray:
    """Rows = true class, columns = predicted class (counts)."""
    return np.bincount(labels * k + preds, minlength=k * k).reshape(k, k)


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, n_bins: int = 15) -> float:
    """ECE with equal-width confidence bins (Guo et al. 2017): sum_b |B|/N * |acc(B) - conf(B)|."""
    conf = probs.max(axis=1)
    correct = probs.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf > lo) & (conf <= hi)
        if m.any():
            ece += m.mean() * abs(correct[m].mean() - conf[m].mean())
    return float(ece)


def fit_temperature(logits: np.ndarray, labels: np.ndarray, max_iter: int = 100) -> float:
    """Temperature T > 0 minimising the NLL of softmax(logits / T) (LBFGS on log T)."""
    z = torch.from_numpy(np.asarray(logits, dtype=np.float64))
    y = torch.from_numpy(np.asarray(labels, dtype=np.int64))
    log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([log_t], lr=0.1, max_iter=max_iter, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(z / log_t.exp(), y)
        loss.backward()
        return loss

    opt.step(closure)
    return float(log_t.detach().exp().item())


def classification_report(
    logits: np.ndarray, labels: np.ndarray, classes: tuple[str, ...] | list[str], temperature: float = 1.0
) -> dict[str, object]:
    k = len(classes)
    preds = logits.argmax(axis=1)
    cm = confusion_matrix(labels, preds, k)
    support = cm.sum(axis=1)
    recall = np.divide(np.diag(cm), support, out=np.full(k, np.nan), where=support > 0)
    probs_raw, probs_cal = softmax(logits), softmax(logits, temperature)
    nll = float(-np.log(np.clip(probs_cal[np.arange(len(labels)), labels], 1e-12, None)).mean()) if len(labels) else 0
    return {
        "images": int(len(labels)),
        "accuracy": float((preds == labels).mean()) if len(labels) else 0.0,
        "balanced_accuracy": float(np.nanmean(recall)) if len(labels) else 0.0,
        "per_class_recall": {c: (None if np.isnan(r) else float(r)) for c, r in zip(classes, recall)},
        "support": {c: int(s) for c, s in zip(classes, support)},
        "confusion_matrix": cm.tolist(),
        "nll_calibrated": nll,
        "ece_15_uncalibrated": expected_calibration_error(probs_raw, labels) if len(labels) else 0.0,
        "ece_15_calibrated": expected_calibration_error(probs_cal, labels) if len(labels) else 0.0,
    }


def plot_confusion(cm: np.ndarray, classes: list[str] | tuple[str, ...], title: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cm = np.asarray(cm)
    norm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(7, 6))
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    for i in range(len(classes)):
        for j in range(len(classes)):
            ax.text(
                j,
                i,
                f"{norm[i, j]:.2f}\n({cm[i, j]})",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if norm[i, j] > 0.5 else "black",
            )
    ax.set_xticks(range(len(classes)), classes, rotation=45, ha="right")
    ax.set_yticks(range(len(classes)), classes)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_reliability(
    logits: np.ndarray, labels: np.ndarray, temperature: float, title: str, path: Path, n_bins: int = 15
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    edges = np.linspace(0, 1, n_bins + 1)
    centers = (edges[:-1] + edges[1:]) / 2
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], "k--", lw=1, label="perfect")
    for t, name in ((1.0, "raw"), (temperature, f"T={temperature:.2f}")):
        p = softmax(logits, t)
        conf, correct = p.max(1), p.argmax(1) == labels
        acc = [
            correct[(conf > lo) & (conf <= hi)].mean() if ((conf > lo) & (conf <= hi)).any() else np.nan
            for lo, hi in zip(edges[:-1], edges[1:])
        ]
        ax.plot(centers, acc, "o-", label=f"{name} (ECE {expected_calibration_error(p, labels, n_bins):.3f})")
    ax.set_xlabel("confidence")
    ax.set_ylabel("accuracy")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
