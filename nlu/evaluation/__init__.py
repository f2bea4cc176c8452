"""Measuring a backend: train on one labelled set, score another, or cross-validate one.

``causette evaluate`` (channels/cli/evaluate.py) is the way in; the pieces are here so that
benchmarks and tests can use them directly.
"""
