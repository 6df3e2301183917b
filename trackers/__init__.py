"""Tracker adapters behind evalkit's common interface and the Siamese model family."""
