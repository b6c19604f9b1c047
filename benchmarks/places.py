"""Places on the geoparsing news benchmarks (../shared/benchmarks/geoparsing), scored with their own score.py,
beside the published figures; end to end and given the gold place names; and the places component's time
beside the spaCy pipeline's on the same articles.

    python benchmarks/places.py [geowebnews lgl-test trnews ...] [--tune]

Tuning data: GeoVirus and the first half of LGL (articles 1-294 in gold.jsonl order, `lgl-tune`); the test
sets are GeoWebNews, TR-News and the second half of LGL (`lgl-test`). --tune runs only the tuning sets.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from spacy.tokens import Doc, Span

from newscorpus.config import Settings
from newscorpus.models import PlaceMention
from newscorpus.nlp import Annotator
from newscorpus.nlp.pipeline import annotations_of

GEOPARSING = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "geoparsing"
TEST_SETS = ["geowebnews", "lgl-test", "trnews"]
TUNE_SETS = ["geovirus", "lgl-tune"]
# Wang & Hu 2019 (EUPEG), best recognition F1 and Acc@161 of the end-to-end systems; Mordecai 3 (Halterman
# 2023) Acc@161 given the gold names; the context-free spaCy + population baseline of the benchmark README.
PUBLISHED: dict[str, dict[str, float]] = {
    "geowebnews": {"best F1": .739, "CamCoder": .839, "Edinburgh": .921, "CLAVIN": .937, "Mordecai 3": .941,
                   "baseline F1": .676, "baseline Acc@161": .395},
    "lgl-test": {"best F1": .713, "CamCoder": .717, "Edinburgh": .819, "CLAVIN": .701, "Mordecai 3": .827,
                 "baseline F1": .687, "baseline Acc@161": .353},
    "trnews": {"best F1": .803, "CamCoder": .824, "Edinburgh": .850, "CLAVIN": .829, "Mordecai 3": .873,
               "baseline F1": .773, "baseline Acc@161": .409},
}
# Given the gold names: released outputs of other resolvers (Hu et al. 2024) re-scored with the same score.py, as
# the benchmark README lists them (LGL: the whole corpus).
RESCORED: dict[str, dict[str, float]] = {
    "geowebnews": {"CamCoder": .591, "CLAVIN": .666, "BLINK": .601, "Bootleg": .558},
    "lgl-test": {"CamCoder": .616, "CLAVIN": .595, "BLINK": .662, "Bootleg": .683},
    "trnews": {"CamCoder": .672, "CLAVIN": .727, "BLINK": .632, "Bootleg": .612},
}


def articles(name: str) -> list[dict[str, Any]]:
    """The gold articles of a set; LGL is split in two halves by file order."""
    folder = name.split("-")[0]
    rows = [json.loads(line) for line in (GEOPARSING / folder / "gold.jsonl").read_text(encoding="utf-8").split("\n")
            if line.strip()]
    if name == "lgl-tune":
        return rows[:len(rows) // 2]
    if name == "lgl-test":
        return rows[len(rows) // 2:]
    return rows


def record(place: PlaceMention) -> dict[str, Any]:
    return {"start": place.start, "end": place.end, "text": place.text, "lat": place.lat, "lon": place.lon,
            "geonameid": place.geonameid, "country_code": place.country_code}


def run(annotator: Annotator, rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], float,
                                                                      float]:
    """End-to-end and gold-span outputs, and the seconds of the upstream pipeline and of the component."""
    component = annotator.nlp.get_pipe("newscorpus_places")
    upstream = [n for n in annotator.nlp.pipe_names if not n.startswith("newscorpus_")]
    end_to_end, given_names, pipeline_seconds, own_seconds = [], [], 0.0, 0.0
    for row in rows:
        started = time.perf_counter()
        with annotator.nlp.select_pipes(enable=upstream):
            doc: Doc = annotator.nlp(row["text"])
        pipeline_seconds += time.perf_counter() - started
        started = time.perf_counter()
        doc = component(doc)
        own_seconds += time.perf_counter() - started
        end_to_end.append({"id": row["id"], "places": [record(p) for p in annotations_of(doc).places]})
        spans: list[Span] = []
        for toponym in row["toponyms"]:
            span = doc.char_span(toponym["start"], toponym["end"], alignment_mode="expand")
            if span is not None:
                spans.append(span)
        resolved = [record(p) for p in component.resolve(doc, spans)]
        given_names.append({"id": row["id"], "places": resolved})
    return end_to_end, given_names, pipeline_seconds, own_seconds


def score(rows: list[dict[str, Any]], output: list[dict[str, Any]], folder: Path, label: str) -> dict[str, Any]:
    gold, system, result = folder / f"{label}-gold.jsonl", folder / f"{label}-sys.jsonl", folder / f"{label}.json"
    gold.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    system.write_text("".join(json.dumps(r) + "\n" for r in output), encoding="utf-8")
    subprocess.run([sys.executable, str(GEOPARSING / "score.py"), "score", str(gold), str(system), "--json",
                    str(result)], check=True, capture_output=True)
    scores: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sets", nargs="*", help=f"sets to run (default: {' '.join(TEST_SETS)})")
    parser.add_argument("--tune", action="store_true", help=f"run the tuning sets ({' '.join(TUNE_SETS)})")
    args = parser.parse_args()
    names = args.sets or (TUNE_SETS if args.tune else TEST_SETS)
    annotator = Annotator(Settings().spacy_model)
    print(f"{'set':11}{'exact F1':>9}{'overlap P':>10}{'R':>6}{'F1':>6}{'Acc@161':>8}{'AUC':>6}"
          f"{'| gold names Acc@161':>21}{'AUC':>6}{'| component/pipeline':>21}")
    for name in names:
        rows = articles(name)
        end_to_end, given_names, pipeline_seconds, own_seconds = run(annotator, rows)
        with tempfile.TemporaryDirectory() as folder:
            e2e = score(rows, end_to_end, Path(folder), "e2e")
            gold = score(rows, given_names, Path(folder), "gold")
        exact, overlap = e2e["recognition_exact"], e2e["recognition_overlap"]
        placed, given = e2e["resolution_all_matched"], gold["resolution_all_matched"]
        print(f"{name:11}{exact['f1']:9.3f}{overlap['precision']:10.3f}{overlap['recall']:6.3f}{overlap['f1']:6.3f}"
              f"{placed['acc161']:8.3f}{placed['auc']:6.3f}{'|':>3}{given['acc161']:18.3f}{given['auc']:6.3f}"
              f"{'|':>3}{100 * own_seconds / pipeline_seconds:17.1f}%")
        if name in PUBLISHED:
            print("   published: " + ", ".join(f"{k} {v:.3f}" for k, v in PUBLISHED[name].items()))
            print("   released outputs re-scored, gold names Acc@161: "
                  + ", ".join(f"{k} {v:.3f}" for k, v in RESCORED[name].items()))


if __name__ == "__main__":
    main()
