"""How many CPU threads numeric work may use, for training beside a server."""

from __future__ import annotations


def use_one_compute_thread() -> None:
    """Make numeric work started from the calling thread use one CPU thread.

    A server that retrains while it serves must leave the other cores to its requests: torch's
    default (one thread per core) makes training and requests fight over every core, which on a
    small machine slows both many times over. With torch's OpenMP backend (the CPU wheels') the
    setting belongs to the calling thread, so requests served by other threads keep theirs.
    """
    import torch  # imported here: backends that do not use torch need not load it

    torch.set_num_threads(1)
