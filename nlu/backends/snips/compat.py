"""Make snips-nlu 0.20.2 (January 2020) run with current scikit-learn and setuptools.

Importing this module changes nothing: :func:`apply` applies every patch below, and
calling it again is harmless. The snips backend calls it before a ``SnipsNLUEngine``
is fitted AND before one is loaded with ``SnipsNLUEngine.from_path``: two of the
patches act at load time. Nothing in site-packages is edited; the patches replace attributes of
already-imported modules.

snips-nlu pins scikit-learn < 0.23. Since then scikit-learn:

1. renamed the ``SGDClassifier`` loss ``"log"`` to ``"log_loss"`` (old name removed
   in 1.3);
2. made ``compute_class_weight`` keyword-only after its first argument (1.0),
   and now requires ``classes`` to be an ndarray;
3. dropped the private ``TfidfTransformer._idf_diag`` in favour of the public
   ``idf_`` array, and started checking ``n_features_in_`` in ``transform``.

And setuptools no longer ships ``pkg_resources``, which snips-nlu imports to tell
whether a resource name is an installed package: without patch 4,
``snips_nlu.resources.load_resources(<folder>)`` raises ``ModuleNotFoundError``.
"""

from __future__ import annotations

import functools
import importlib.metadata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

_PATCHED = "_causette_compat_patch"


def apply() -> None:
    """Apply all patches (idempotent)."""
    _use_log_loss()
    _accept_positional_class_weight_args()
    _tfidf_on_public_idf()
    _is_package_without_pkg_resources()


def _mark(func: Callable[..., Any]) -> Callable[..., Any]:
    setattr(func, _PATCHED, True)
    return func


def _is_patched(obj: object) -> bool:
    # classmethod objects expose the wrapped function as __func__
    return bool(getattr(getattr(obj, "__func__", obj), _PATCHED, False))


# 1. SGDClassifier loss name -------------------------------------------------


def _use_log_loss() -> None:
    """Rename the logistic loss in the dict snips passes to ``SGDClassifier``.

    ``LOG_REG_ARGS`` is a module-level dict read both by ``fit`` and by
    ``from_path``, so mutating it in place fixes training and loading.
    """
    from snips_nlu.intent_classifier import log_reg_classifier

    if log_reg_classifier.LOG_REG_ARGS.get("loss") == "log":
        log_reg_classifier.LOG_REG_ARGS["loss"] = "log_loss"


# 2. compute_class_weight keyword-only arguments ----------------------------


def _accept_positional_class_weight_args() -> None:
    """Wrap ``sklearn.utils.compute_class_weight`` to accept ``classes, y`` by position.

    ``LogRegIntentClassifier.fit`` does ``from sklearn.utils import
    compute_class_weight`` at call time and calls it as
    ``compute_class_weight("balanced", range(n), y)``. Recent releases also
    validate ``classes`` as an ndarray, hence the ``np.asarray``. Replacing the
    attribute on ``sklearn.utils`` is enough; keyword calls with arrays pass
    through unchanged, so other users of the function are not affected.
    """
    import numpy as np
    import sklearn.utils

    original = sklearn.utils.compute_class_weight
    if _is_patched(original):
        return

    @functools.wraps(original)
    def compute_class_weight(class_weight: Any, *args: Any, **kwargs: Any) -> Any:
        if len(args) > 2:
            raise TypeError("compute_class_weight takes at most 3 positional arguments")
        kwargs.update(zip(("classes", "y")[: len(args)], args, strict=True))
        if "classes" in kwargs and not isinstance(kwargs["classes"], np.ndarray):
            kwargs["classes"] = np.asarray(kwargs["classes"])
        return original(class_weight, **kwargs)

    sklearn.utils.compute_class_weight = _mark(compute_class_weight)


# 3. TfidfVectorizer on the public idf_ ---------------------------------------


def _tfidf_on_public_idf() -> None:
    """Rewrite snips' ``TfidfVectorizer.limit_vocabulary`` and ``from_path``.

    Both wrote the private ``_idf_diag`` sparse matrix that current scikit-learn
    no longer reads: ``limit_vocabulary`` (during fit) crashed, and ``from_path``
    built a transformer scikit-learn considers unfitted, so a reloaded engine
    raised ``NotFittedError`` as soon as a query reached the probabilistic parser.
    The rewrites keep snips' behaviour and persisted format (the ``idf_diag``
    list in ``vectorizer.json``) but go through ``idf_``.
    """
    from snips_nlu.common.utils import fitted_required
    from snips_nlu.intent_classifier import featurizer

    vectorizer_cls = featurizer.TfidfVectorizer
    if _is_patched(vectorizer_cls.__dict__["limit_vocabulary"]):
        return
    vectorizer_cls.limit_vocabulary = _mark(fitted_required(_limit_vocabulary))
    vectorizer_cls.from_path = classmethod(_mark(_tfidf_from_path))


def _limit_vocabulary(self: Any, ngrams: Iterable[str]) -> Any:
    """Restrict the vocabulary to ``ngrams``: snips semantics, public sklearn API."""
    ngrams = set(ngrams)
    vocab = self.vocabulary
    extra_values = ngrams - set(vocab)
    if extra_values:
        raise ValueError(f"Invalid ngrams {sorted(extra_values)}, expected values in word_pairs")
    # Sorting keeps snips' invariant: new index i <-> i-th ngram in sorted order.
    new_ngrams, old_indexes = zip(*sorted((ng, vocab[ng]) for ng in ngrams), strict=True)
    sklearn_vectorizer = self._tfidf_vectorizer
    new_idf = sklearn_vectorizer.idf_[list(old_indexes)]
    sklearn_vectorizer.vocabulary_ = {ng: i for i, ng in enumerate(new_ngrams)}
    _set_idf(sklearn_vectorizer, new_idf)
    return self


def _set_idf(sklearn_vectorizer: Any, idf: Any) -> None:
    """Set ``idf_`` and the feature count the transformer checks in ``transform``."""
    sklearn_vectorizer.idf_ = idf  # public setter; creates the transformer if absent
    # TfidfTransformer.transform compares the count matrix width with
    # n_features_in_, which was recorded before the vocabulary was shrunk.
    sklearn_vectorizer._tfidf.n_features_in_ = len(idf)


def _tfidf_from_path(cls: Any, path: Any, **shared: Any) -> Any:
    """Load a snips ``TfidfVectorizer`` persisted by ``persist`` (same file format)."""
    import json

    import numpy as np
    from sklearn.feature_extraction.text import (
        TfidfVectorizer as SklearnTfidfVectorizer,
    )
    from snips_nlu.exceptions import LoadingError
    from snips_nlu.preprocessing import tokenize_light

    model_path = Path(path) / "vectorizer.json"
    if not model_path.exists():
        raise LoadingError(f"Missing vectorizer model file: {model_path.name}")
    with model_path.open("r", encoding="utf-8") as f:
        vectorizer_dict = json.load(f)

    vectorizer = cls(vectorizer_dict["config"], **shared)
    vectorizer._language = vectorizer_dict["language_code"]
    scope = vectorizer_dict["builtin_entity_scope"]
    vectorizer.builtin_entity_scope = set(scope) if scope is not None else None

    persisted = vectorizer_dict["vectorizer"]
    sklearn_vectorizer = None
    if persisted:
        # Same tokenizer as snips' _init_vectorizer; reads the language lazily.
        sklearn_vectorizer = SklearnTfidfVectorizer(tokenizer=lambda x: tokenize_light(x, vectorizer._language))
        sklearn_vectorizer.vocabulary_ = persisted["vocab"]
        _set_idf(sklearn_vectorizer, np.array(persisted["idf_diag"], dtype=np.float64))
    vectorizer._tfidf_vectorizer = sklearn_vectorizer
    return vectorizer


# 4. is_package without pkg_resources -----------------------------------------


def _is_package_without_pkg_resources() -> None:
    """Replace snips' ``is_package`` by an ``importlib.metadata`` equivalent.

    ``load_resources(name)`` asks ``is_package(name)`` before trying ``name`` as a
    folder; the original imports ``pkg_resources``, absent from recent setuptools.
    ``snips_nlu.resources`` imported the function by name, so both bindings are
    replaced.
    """
    from snips_nlu import resources
    from snips_nlu.common import utils

    if _is_patched(utils.is_package):
        return
    utils.is_package = _mark(_is_package)
    resources.is_package = utils.is_package


def _is_package(name: str) -> bool:
    """True if a distribution called ``name`` is installed (``-`` = ``_``, any case)."""

    def canonical(value: str) -> str:
        return value.lower().replace("-", "_")

    wanted = canonical(name)
    return any(canonical(dist.name or "") == wanted for dist in importlib.metadata.distributions())
