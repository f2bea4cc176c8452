"""Turn MASSIVE's official release into the train/test JSONL that `causette evaluate` and
`bench.massive_fr` read.

    python -m bench.massive_data amazon-massive-dataset-1.1/1.1/data/fr-FR.jsonl --out data/massive-fr

MASSIVE 1.1 (Amazon, CC BY 4.0; FitzGerald et al., 2022) is published as one JSONL file per locale,
each line with ``partition`` (train, dev, test), ``intent``, ``utt`` and ``annot_utt``, the text with
its slots written ``[slot : value]``. Each line written has ``id``, ``text``, ``intent`` and
``slots`` (``slot``, ``start``, ``end``, ``value``; offsets into ``text``, end exclusive).
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

ANNOTATION = re.compile(r"\[(?P<slot>[^\[\]:]+?) : (?P<value>[^\[\]]*?)\]")
PARTITIONS = ("train", "test")


def convert_line(record: dict[str, str]) -> dict[str, object]:
    """One official record as a labelled example: the annotations become character spans."""
    text, slots, position = "", [], 0
    annotated = record["annot_utt"]
    for match in ANNOTATION.finditer(annotated):
        text += annotated[position : match.start()]
        value = match["value"].strip()
        slots.append({"slot": match["slot"].strip(), "start": len(text), "end": len(text) + len(value), "value": value})
        text += value
        position = match.end()
    text += annotated[position:]
    return {"id": f"{record['partition']}-{record['id']}", "text": text, "intent": record["intent"], "slots": slots}


def split(lines: Iterable[str]) -> Iterator[tuple[str, dict[str, object]]]:
    """(partition, example) for every train and test line; dev is left for the user's own tuning."""
    for line in lines:
        if line.strip():
            record = json.loads(line)
            if record["partition"] in PARTITIONS:
                yield record["partition"], convert_line(record)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("release_file", type=Path, help="the locale's file of the official release (fr-FR.jsonl)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write train.jsonl and test.jsonl in")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    outputs = {name: (args.out / f"{name}.jsonl").open("w", encoding="utf-8") for name in PARTITIONS}
    counts = dict.fromkeys(PARTITIONS, 0)
    with args.release_file.open(encoding="utf-8") as release:
        for partition, example in split(release):
            outputs[partition].write(json.dumps(example, ensure_ascii=False) + "\n")
            counts[partition] += 1
    for output in outputs.values():
        output.close()
    print(", ".join(f"{name}: {count} examples" for name, count in counts.items()), "->", args.out)


if __name__ == "__main__":
    main()
