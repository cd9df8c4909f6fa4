"""Knowledge distillation from an exported model (``--teacher models/a-mobilenet-ferplus.json``).

The teacher is the shipped ONNX file read through its card, not a PyTorch checkpoint: the card is what
the app runs, so the student learns from exactly the model users have, and a run does not depend on a
checkpoint folder that may be gone. The teacher sees the student's own augmented batch, resized to the
teacher's input size, so both read the same face in every step (Hinton et al. 2015).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .data.transforms import Preprocess


class TeacherError(ValueError):
    """A teacher card or ONNX file that cannot teach this run (missing, unreadable, other classes)."""


def distillation_kl(student_logits: torch.Tensor, teacher_logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """T^2 * KL(softmax(teacher / T) || softmax(student / T)), averaged over the batch.

    The T^2 keeps the gradient's scale independent of T, as in Hinton et al.
    """
    t = temperature
    target = F.softmax(teacher_logits / t, dim=1)
    return F.kl_div(F.log_softmax(student_logits / t, dim=1), target, reduction="batchmean") * t * t


class OnnxTeacher:
    """An exported expression model, run by onnxruntime on one thread, giving logits for a student batch."""

    def __init__(self, card_path: str | Path, classes: tuple[str, ...], student: Preprocess) -> None:
        card_path = Path(card_path).resolve()
        try:
            card = json.loads(card_path.read_text())
            onnx_path = (card_path.parent / card["file"]).resolve()
            pre = Preprocess.from_card(card)
            t_classes = tuple(card["classes"])
        except (OSError, ValueError, KeyError, IndexError, TypeError) as e:
            raise TeacherError(f"teacher card {card_path} cannot be read: {e}") from e
        if onnx_path.parent != card_path.parent:
            raise TeacherError(f"teacher card {card_path} names a file outside its folder: {card['file']!r}")
        if t_classes != tuple(classes):
            raise TeacherError(f"teacher {card_path.name} has classes {list(t_classes)}, this run {list(classes)}")
        if (pre.in_chans, pre.mean, pre.std) != (student.in_chans, student.mean, student.std):
            raise TeacherError(
                f"teacher {card_path.name} reads {pre.in_chans} channel(s) normalised with mean {pre.mean} std "
                f"{pre.std}; this run gives {student.in_chans} channel(s) with mean {student.mean} std {student.std}"
            )
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        try:
            data = onnx_path.read_bytes()
            self.session = ort.InferenceSession(data, opts, providers=["CPUExecutionProvider"])
        except Exception as e:  # onnxruntime raises its own exception types for a bad file
            raise TeacherError(f"teacher model {onnx_path} cannot be loaded: {e}") from e
        self.size = pre.size
        # Kept for --init-from, which reads the weights of exactly the file that was hashed.
        self.model_bytes = data
        self.card = {
            "card": str(card_path),
            "name": card.get("name"),
            "version": card.get("version"),
            "file": onnx_path.name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "input_size": pre.size,
        }

    @torch.no_grad()
    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-1] != self.size or x.shape[-2] != self.size:
            x = F.interpolate(x.float(), size=(self.size, self.size), mode="bilinear", align_corners=False)
        batch = np.ascontiguousarray(x.detach().cpu().numpy(), dtype=np.float32)
        return torch.from_numpy(self.session.run(["logits"], {"input": batch})[0])


class Distillation:
    """The student's loss: (1 - weight) x the run's own loss + weight x the distillation term."""

    def __init__(self, teacher: OnnxTeacher, weight: float, temperature: float) -> None:
        if not 0.0 < weight <= 1.0:
            raise TeacherError(f"--distill-weight must be in (0, 1], got {weight}")
        if temperature <= 0:
            raise TeacherError(f"--distill-temperature must be positive, got {temperature}")
        self.teacher = teacher
        self.weight = weight
        self.temperature = temperature
        self.card = teacher.card | {"weight": weight, "temperature": temperature}

    def __call__(self, x: torch.Tensor, logits: torch.Tensor, loss: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        kd = distillation_kl(logits, self.teacher(x).to(logits.device), self.temperature)
        return (1.0 - self.weight) * loss + self.weight * kd, kd.detach()
