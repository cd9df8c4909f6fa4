"""Emotune training package: A-MobileNet (Nan et al. 2021), data, training, evaluation, export."""

__version__ = "0.1.0"
