"""Both backends on MASSIVE fr-FR, side by side with linear baselines run in the same process.

    python -m bench.massive_fr [--data ../shared/datasets/massive-fr] [--backends bow snips]

Each backend trains on train.jsonl and is scored on test.jsonl by ``causette evaluate``'s own code,
in a child process of its own so that its peak memory (max RSS) is its alone. The baselines are
scikit-learn pipelines (installed with snips-nlu) trained on the same split: TF-IDF of words with
logistic regression, TF-IDF of words and character n-grams with a linear SVM, and that SVM given
the same pretrained word vectors as bow. They classify intents only. Takes about 17 minutes, most
of it training snips (6 minutes) and bow (5 minutes).

MASSIVE is by Amazon (CC BY 4.0): FitzGerald et al., 2022, https://arxiv.org/abs/2204.08582.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from bench.stats import table
from nlu.backends.bow.word_vectors import vectors_for_language
from nlu.evaluation.labelled import LabelledSet, read_jsonl
from nlu.text import tokenize

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "massive-fr"
HEADER = ["system", "intent accuracy", "slot F1", "training (s)", "median parse (ms)", "peak RSS (MiB)"]


def evaluate_backend(data: Path, backend: str) -> dict[str, float | str]:
    """Train ``backend`` on train.jsonl and score test.jsonl, here; figures plus this process's peak RSS."""
    from nlu.evaluation.report import summary
    from nlu.evaluation.runner import train_and_test

    evaluation = train_and_test(read_jsonl(data / "train.jsonl"), read_jsonl(data / "test.jsonl"), backend, {})
    figures = summary(evaluation)
    figures["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    return figures


def backend_row(data: Path, backend: str) -> list[object]:
    """A table row for ``backend``, measured in a child process."""
    command = [sys.executable, "-m", "bench.massive_fr", "--data", str(data), "--child", backend]
    print(f"training and scoring {backend}...", file=sys.stderr, flush=True)
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    return [
        backend,
        f"{figures['intent_accuracy']:.1%}",
        f"{figures['slot_f1'] * 100:.1f}",
        f"{figures['training_seconds']:.0f}",
        f"{figures['median_parse_ms']:.2f}",
        f"{figures['peak_rss_mib']:.0f}",
    ]


def baseline_rows(train: LabelledSet, test: LabelledSet) -> list[list[object]]:
    """Rows for the scikit-learn baselines (intent accuracy, training time and parse latency)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.preprocessing import FunctionTransformer
    from sklearn.svm import LinearSVC

    def words_and_chars() -> object:
        return make_union(
            TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2)),
            TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(2, 5)),
        )

    vectors = vectors_for_language("fr")
    assert vectors is not None, "French has a word-vector package"
    mean_vectors = FunctionTransformer(lambda texts: np.stack([vectors.of_tokens(tokenize(t)) for t in texts]))
    pipelines = {
        "TF-IDF words + logistic regression": make_pipeline(
            TfidfVectorizer(sublinear_tf=True), LogisticRegression(max_iter=2000)
        ),
        "TF-IDF words + chars + linear SVM": make_pipeline(words_and_chars(), LinearSVC()),
        # The same SVM given bow's pretrained word vectors: what the vectors alone are worth.
        "TF-IDF words + chars + word vectors + linear SVM": make_pipeline(
            make_union(words_and_chars(), mean_vectors), LinearSVC()
        ),
    }
    rows: list[list[object]] = []
    for name, pipeline in pipelines.items():
        started = time.perf_counter()
        pipeline.fit([e.text for e in train.examples], [e.intent for e in train.examples])
        training = time.perf_counter() - started
        parse_seconds, correct = [], 0
        for example in test.examples:
            started = time.perf_counter()
            predicted = pipeline.predict([example.text])[0]
            parse_seconds.append(time.perf_counter() - started)
            correct += predicted == example.intent
        rows.append(
            [
                name,
                f"{correct / len(test.examples):.1%}",
                "–",
                f"{training:.0f}",
                f"{statistics.median(parse_seconds) * 1e3:.2f}",
                "–",
            ]
        )
    return rows


def main() -> None:
    """Print the side-by-side table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with train.jsonl and test.jsonl")
    parser.add_argument("--backends", nargs="+", default=["bow", "snips"])
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(evaluate_backend(args.data, args.child)))
        return
    train, test = read_jsonl(args.data / "train.jsonl"), read_jsonl(args.data / "test.jsonl")
    rows = [backend_row(args.data, backend) for backend in args.backends]
    rows += baseline_rows(train, test)
    print(f"MASSIVE fr-FR: trained on {len(train.examples)} examples, scored on {len(test.examples)}")
    print(table(HEADER, rows))


if __name__ == "__main__":
    main()
