"""Learn the place ranker's weights (newscorpus/data/place_ranker.json) on the geoparsing tuning sets only:
GeoVirus and the first half of LGL (../shared/benchmarks/geoparsing). The test sets are never read.

    python benchmarks/train_place_ranker.py

For every gold place name with two or more candidates, one of them within 161 km of the gold point, the
candidates' features (newscorpus/nlp/_place_ranker.py) go into a conditional logit: the probability of the
right candidates among all of the name's, maximised by gradient ascent with an L2 penalty. Features are scaled
to unit spread for the fit and the weights scaled back, so they apply to raw features.

The learned weights replace the current ones only if they generalise better: trained on one tuning set, they
must rank the names of the other right more often than the current weights do, both ways round. Otherwise the
script reports the figures and writes nothing.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from newscorpus.config import Settings
from newscorpus.nlp import Annotator
from newscorpus.nlp._gazetteer import distance_km, name_key
from newscorpus.nlp._place_ranker import FEATURES, features, weights
from newscorpus.nlp.components.places import _city_over_region

from places import TUNE_SETS, articles  # benchmarks/places.py: the same split of LGL

WEIGHTS = Path(__file__).resolve().parents[1] / "newscorpus" / "data" / "place_ranker.json"
RIGHT_KM = 161.0
PENALTY = 0.01


def choices(annotator: Annotator, sets: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    """(features of each candidate, which are right) for every gold name of the sets worth ranking."""
    component = annotator.nlp.get_pipe("newscorpus_places")
    upstream = [n for n in annotator.nlp.pipe_names if not n.startswith("newscorpus_")]
    found = []
    for name in sets:
        for row in articles(name):
            with annotator.nlp.select_pipes(enable=upstream):
                doc = annotator.nlp(row["text"])
            spans, golds = [], []
            for toponym in row["toponyms"]:
                span = doc.char_span(toponym["start"], toponym["end"], alignment_mode="expand")
                if span is not None and toponym.get("lat") is not None:
                    spans.append(span)
                    golds.append(toponym)
            candidates = [_city_over_region(span, component._candidates(span)) for span in spans]
            context = component._context(doc, spans, candidates)
            context = type(context)(**{**context.__dict__, "setting": component._setting(context)})
            for span, gold, options in zip(spans, golds, candidates, strict=True):
                right = np.array([p.lat is not None and p.lon is not None
                                  and distance_km(p.lat, p.lon, gold["lat"], gold["lon"]) <= RIGHT_KM
                                  for p in options])
                if len(options) > 1 and right.any() and not right.all():
                    beside = component._beside(span)
                    key = name_key(span.text)
                    found.append((np.array([features(p, key, context, beside) for p in options]), right))
    return found


def fit(data: list[tuple[np.ndarray, np.ndarray]], steps: int = 3000, rate: float = 0.5) -> np.ndarray:
    """Weights of the conditional logit on raw features."""
    spread = np.concatenate([x for x, _ in data]).std(axis=0)
    spread[spread == 0] = 1.0
    scaled = [(x / spread, right) for x, right in data]
    w = np.zeros(len(FEATURES))
    for _ in range(steps):
        gradient = -PENALTY * w
        for x, right in scaled:
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            q = p * right / (p * right).sum()  # the posterior over the right candidates
            gradient += (q - p) @ x
        w += rate * gradient / len(scaled)
    return w / spread


def accuracy(data: list[tuple[np.ndarray, np.ndarray]], w: np.ndarray) -> float:
    return float(np.mean([right[int(np.argmax(x @ w))] for x, right in data]))


def main() -> None:
    argparse.ArgumentParser(description=__doc__.split("\n")[0]).parse_args()
    annotator = Annotator(Settings().spacy_model)
    data = {name: choices(annotator, [name]) for name in TUNE_SETS}
    current = np.array(weights())
    better = True
    for train, test in ((TUNE_SETS[0], TUNE_SETS[1]), (TUNE_SETS[1], TUNE_SETS[0])):
        learned = fit(data[train])
        print(f"trained on {train}, ranked right in {test} ({len(data[test])} ambiguous names): "
              f"{accuracy(data[test], learned):.3f} learned, {accuracy(data[test], current):.3f} current")
        better = better and accuracy(data[test], learned) > accuracy(data[test], current)
    if not better:
        print("the learned weights do not generalise better than the current ones: nothing written")
        return
    new = fit([choice for name in TUNE_SETS for choice in data[name]])
    WEIGHTS.write_text(json.dumps({"features": FEATURES, "weights": [round(float(v), 4) for v in new],
                                   "trained_on": "GeoVirus and the first half of LGL (gold names), "
                                                 "benchmarks/train_place_ranker.py"}, indent=1) + "\n",
                       encoding="utf-8")
    print(f"wrote {WEIGHTS}")


if __name__ == "__main__":
    main()
