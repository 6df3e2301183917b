"""evalkit: train Siamese trackers and evaluate them with each public toolkit's exact numbers."""

__version__ = "0.1.0"
