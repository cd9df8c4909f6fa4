"""Compare finished runs: ``python -m training.compare RUN [RUN ...] --out training/results/compare``.

Reads each run folder (``args.json``, ``log.json``, ``eval/metrics.json``), prints a Markdown table of
test accuracy beside the paper's Table 3, and writes it with a chart of valid accuracy per epoch.
Runs are only comparable when they share their settings, so the table lists every setting in which
the runs differ; the command refuses runs that were not evaluated yet.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from .paper import PAPER_TABLE3

DISPLAY_NAME = {
    "a_mobilenet": "A-MobileNet",
    "mobilenet_v1": "MobileNetV1",
    "mobilenet_v2": "MobileNetV2 (alpha 1.0)",
    "mobilenet_v3_small": "MobileNetV3-small",
}
# Settings that do not change what a run learns, so runs may differ in them.
NEUTRAL_ARGS = {"model", "out", "resume", "max_minutes", "threads", "data"}


@dataclass
class Run:
    folder: Path
    args: dict
    command: str
    parameters: int | None
    history: list[dict]
    metrics: dict

    @property
    def model(self) -> str:
        return str(self.args["model"])


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise SystemExit(f"{path}: missing (is this a finished, evaluated run folder?)") from None
    except json.JSONDecodeError as e:
        raise SystemExit(f"{path}: not valid JSON ({e})") from None


def load_run(folder: Path) -> Run:
    info = _read_json(folder / "args.json")
    history = _read_json(folder / "log.json")
    metrics = _read_json(folder / "eval" / "metrics.json")
    if not isinstance(info, dict) or "args" not in info:
        raise SystemExit(f"{folder / 'args.json'}: no 'args' (not written by training.train)")
    if not isinstance(history, list) or not history:
        raise SystemExit(f"{folder / 'log.json'}: no epochs logged")
    if not isinstance(metrics, dict) or "test" not in metrics:
        raise SystemExit(f"{folder / 'eval' / 'metrics.json'}: no test results (run training.evaluate)")
    return Run(
        folder, info["args"], str(info.get("command", "(not recorded)")), info.get("parameters"), history, metrics
    )


def differing_args(runs: list[Run]) -> dict[str, list[object]]:
    keys = sorted(set().union(*(r.args for r in runs)) - NEUTRAL_ARGS)
    out = {}
    for k in keys:
        values = [r.args.get(k) for r in runs]
        if any(v != values[0] for v in values):
            out[k] = values
    return out


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.2f}"


def markdown_table(runs: list[Run]) -> str:
    head = (
        "| model | paper (Table 3) | test acc | balanced | de-dup test acc | best valid (epoch) "
        "| epochs | parameters | train images/s |\n|---|---|---|---|---|---|---|---|---|\n"
    )
    rows = []
    for r in runs:
        best = max(r.history, key=lambda h: h["valid_acc"])
        paper = PAPER_TABLE3.get(r.model)
        speed = sorted(h["images_per_s"] for h in r.history)[len(r.history) // 2]
        params = "n/a" if r.parameters is None else f"{r.parameters:,}"
        rows.append(
            f"| {DISPLAY_NAME.get(r.model, r.model)} | {'n/a' if paper is None else f'{paper:.2f}'} "
            f"| **{_pct(r.metrics['test']['accuracy'])}** | {_pct(r.metrics['test']['balanced_accuracy'])} "
            f"| {_pct(r.metrics.get('test_dedup', {}).get('accuracy'))} "
            f"| {_pct(best['valid_acc'])} ({best['epoch']}) | {len(r.history)} of {r.args['epochs']} "
            f"| {params} | {speed:.0f} |"
        )
    return head + "\n".join(rows) + "\n"


def plot_curves(runs: list[Run], title: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    for r in runs:
        ep = [h["epoch"] for h in r.history]
        name = DISPLAY_NAME.get(r.model, r.model)
        a1.plot(ep, [h["valid_acc"] for h in r.history], marker=".", label=name)
        a2.plot(ep, [h["train_ce"] for h in r.history], label=name)
    a1.set_xlabel("epoch")
    a1.set_ylabel("valid accuracy")
    a1.legend()
    a2.set_xlabel("epoch")
    a2.set_ylabel("train cross-entropy")
    a2.legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> str:
    p = argparse.ArgumentParser(prog="python -m training.compare", description=__doc__)
    p.add_argument("runs", nargs="+", type=Path, help="run folders written by training.train + training.evaluate")
    p.add_argument("--out", type=Path, default=None, help="write <out>.md and <out>-curves.png")
    p.add_argument("--title", default="valid accuracy and train loss per epoch")
    a = p.parse_args(sys.argv[1:] if argv is None else argv)
    runs = [load_run(f) for f in a.runs]
    text = markdown_table(runs)
    diff = differing_args(runs)
    if diff:
        text += "\nSettings that differ between these runs (so the comparison is not like for like):\n\n"
        text += "".join(f"- `{k}`: {', '.join(map(str, v))}\n" for k, v in diff.items())
    text += "\nCommand of each run:\n\n" + "".join(f"- `{r.command}`\n" for r in runs)
    print(text)
    if a.out is not None:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.with_name(a.out.name + ".md").write_text(text)
        plot_curves(runs, a.title, a.out.with_name(a.out.name + "-curves.png"))
    return text


if __name__ == "__main__":
    main()
