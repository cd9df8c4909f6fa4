"""The pieces ``training.train`` composes, one module each (as timm's train.py composes its factories):
``model`` (network, initialisation, loss), ``data`` (splits, datasets, loaders), ``optim`` (parameter
groups, optimiser, learning-rate schedule) and ``checkpoint`` (resume, selection, last/best, logs)."""
