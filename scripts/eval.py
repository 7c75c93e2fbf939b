"""NLU evaluation on the held-out set, ours against Rasa's default pipeline (`make eval`).

For each pipeline (config.yml, config/baseline-rasa-init.yml):
  1. train NLU only on the training data (`rasa train nlu --nlu data`, niced) into
     var/eval/<name>/, unless a model for the same (pipeline + NLU data + Rasa version)
     fingerprint is already there;
  2. parse every message of tests/nlu_eval.yml with it;
  3. score intents and entities (scripts/evaluation.py), draw the intent confusion matrix.
Then print the side-by-side table, the worst errors and the FallbackClassifier threshold chosen
from our predictions, and write results/eval/report.json, confusion-<name>.png,
threshold.png and predictions-<name>.jsonl.

Options: --only ours|baseline|<variant>, --variant NAME=CONFIG (an experiment), --no-train (fail instead of training), --worst N,
--apply-threshold (write the chosen threshold into config.yml when config.yml's own threshold
does worse on the held-out set).

The fingerprint covers the `language` and `pipeline` of the config, without the
FallbackClassifier's thresholds (nothing is trained for them), every data/ YAML file with an
`nlu:` section, the source of the project's own components named in the pipeline, and the
Rasa version. Our entity extractor is not trainable: it reads bot/understanding/extraction.py and
bot/data/*.yml when the model is loaded, so vocabulary edits are measured without retraining
(as in production, where `make train` does not retrain for them either).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import fcntl
import hashlib
import json
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Optional, Sequence

import yaml

from scripts.evaluation import (
    TARGET_ENTITIES,
    Example,
    Prediction,
    as_good_as_chosen,
    choose_threshold,
    evaluate,
    load_examples,
    prediction_from_parse,
)

ROOT = Path(__file__).resolve().parent.parent
EVAL_SET = ROOT / "tests" / "nlu_eval.yml"
MODELS = ROOT / "var" / "eval"
RESULTS = ROOT / "results" / "eval"
CONFIGS = {"ours": ROOT / "config.yml", "baseline": ROOT / "config" / "baseline-rasa-init.yml"}
TRAINED_ONLY_FOR = ("FallbackClassifier",)


# ---- training -----------------------------------------------------------------------------------


def nlu_data_files() -> list[Path]:
    """data/ YAML files that hold NLU training data (what `--nlu data` reads)."""
    files = []
    for path in sorted((ROOT / "data").rglob("*.yml")):
        try:
            content = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError:
            files.append(path)  # a broken file must change the fingerprint too
            continue
        if isinstance(content, dict) and "nlu" in content:
            files.append(path)
    return files


def training_fingerprint(config_path: Path) -> str:
    import rasa

    config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    pipeline = copy.deepcopy(config.get("pipeline") or [])
    for step in pipeline:
        if isinstance(step, dict) and step.get("name") in TRAINED_ONLY_FOR:
            step.pop("threshold", None)
            step.pop("ambiguity_threshold", None)
    digest = hashlib.sha256()
    digest.update(json.dumps({"language": config.get("language"), "pipeline": pipeline,
                              "rasa": rasa.__version__}, sort_keys=True).encode())
    for path in nlu_data_files() + custom_component_files(pipeline):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def custom_component_files(pipeline: list[Any]) -> list[Path]:
    """Source files of the project's own components named in a pipeline ("bot.rasa_adapters.nlu.x.Class")."""
    files = []
    for step in pipeline:
        name = step.get("name", "") if isinstance(step, dict) else ""
        module = name.rpartition(".")[0]
        if module:
            path = ROOT.joinpath(*module.split(".")).with_suffix(".py")
            if path.is_file():
                files.append(path)
    return files


def train(name: str, config_path: Path, allow_training: bool) -> tuple[Path, Optional[float]]:
    """The cached model of this pipeline, trained first if needed; (path, seconds or None)."""
    out = MODELS / name
    out.mkdir(parents=True, exist_ok=True)
    fixed = f"nlu-{training_fingerprint(config_path)}"
    target = out / f"{fixed}.tar.gz"
    if target.exists():
        print(f"[{name}] cached model {target.relative_to(ROOT)}", flush=True)
        return target, None
    if not allow_training:
        raise SystemExit(f"[{name}] no model for the current data and pipeline ({target.relative_to(ROOT)}); run without --no-train")
    # One training at a time from `make eval`, however many are started: the machine is small.
    with (MODELS / ".train.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.exists():
            return target, None
        print(f"[{name}] training NLU with {config_path.relative_to(ROOT)} -> {target.relative_to(ROOT)} "
              "(several minutes on this machine)", flush=True)
        env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2",
                   SQLALCHEMY_SILENCE_UBER_WARNING="1", PYTHONPATH=str(ROOT))
        log_path = out / f"{fixed}.train.log"
        started = time.monotonic()
        with log_path.open("w") as log_file:
            result = subprocess.run(  # noqa: S603
                ["nice", "-n", "10", str(Path(sys.executable).parent / "rasa"), "train", "nlu",
                 "--config", str(config_path.relative_to(ROOT)), "--nlu", "data", "--domain", "domain.yml",
                 "--out", str(out.relative_to(ROOT)), "--fixed-model-name", fixed],
                cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
            )
        seconds = time.monotonic() - started
        if result.returncode != 0 or not target.exists():
            tail = "".join(log_path.read_text(errors="replace").splitlines(keepends=True)[-30:])
            raise SystemExit(f"[{name}] training failed (exit {result.returncode}), log {log_path}:\n{tail}")
    for old in out.glob("nlu-*.tar.gz"):
        if old != target:
            old.unlink()
    print(f"[{name}] trained in {seconds:.0f} s", flush=True)
    return target, seconds


# ---- parsing ------------------------------------------------------------------------------------


def quiet_rasa() -> None:
    """Rasa logs every parse at debug level through structlog: warnings only."""
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    for name in ("rasa", "tensorflow", "absl"):
        logging.getLogger(name).setLevel(logging.WARNING)


def load_agent(model_path: Path) -> Any:
    quiet_rasa()
    from rasa.core.agent import Agent

    return Agent.load(str(model_path))


async def _parse_all(agent: Any, texts: Sequence[str]) -> list[dict[str, Any]]:
    return [await agent.parse_message(text) for text in texts]


def parse_all(agent: Any, texts: Sequence[str]) -> list[dict[str, Any]]:
    return asyncio.run(_parse_all(agent, texts))


def predict(model_path: Path, examples: Sequence[Example]) -> tuple[list[Prediction], list[dict[str, Any]], float]:
    started = time.monotonic()
    agent = load_agent(model_path)
    parses = parse_all(agent, [e.text for e in examples])
    return [prediction_from_parse(p) for p in parses], parses, time.monotonic() - started


# ---- output -------------------------------------------------------------------------------------


def _pyplot() -> Any:
    """matplotlib on the Agg backend, without its import-time deprecation chatter."""
    import warnings

    logging.getLogger("matplotlib").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    return plt


def plot_confusion(report: dict[str, Any], title: str, path: Path) -> None:
    plt = _pyplot()

    labels, matrix = report["confusion"]["labels"], report["confusion"]["matrix"]
    size = max(6.0, 0.5 * len(labels) + 2)
    fig, ax = plt.subplots(figsize=(size + 1.5, size))
    image = ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xlabel("predicted intent")
    ax.set_ylabel("true intent")
    top = max((max(row) for row in matrix), default=0)
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            if count:
                ax.text(j, i, str(count), ha="center", va="center", fontsize=7,
                        color="white" if count > top / 2 else ("crimson" if i != j else "black"))
    micro = report["intent"]["micro"]["f1"]
    ax.set_title(f"{title}: intent confusion, {report['messages']} held-out messages, micro-F1 {micro:.3f}", fontsize=10)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_threshold(choice: dict[str, Any], path: Path) -> None:
    plt = _pyplot()

    rows = choice["table"]
    xs = [r["threshold"] for r in rows]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(xs, [r["wrong_confident_rate"] for r in rows], marker="o", label="wrong and confident (acts on a wrong guess)")
    ax.plot(xs, [r["needless_fallback_rate"] for r in rows], marker="o", label="needless 'did you mean?' (was right)")
    ax.plot(xs, [r["fallback_rate"] for r in rows], linestyle="--", label="all fallbacks")
    ax.axvline(choice["threshold"], color="grey", linestyle=":", label=f"chosen {choice['threshold']:.2f}")
    ax.axhline(0.02, color="crimson", linewidth=0.8, linestyle=":")
    ax.set_xlabel("FallbackClassifier threshold")
    ax.set_ylabel("share of held-out messages")
    ax.set_ylim(0, max(0.1, max(r["fallback_rate"] for r in rows) * 1.05))
    ax.legend(fontsize=8)
    ax.set_title("Confidence threshold from the held-out set (our pipeline)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _cell(score: Optional[dict[str, Any]]) -> str:
    if not score:
        return f"{'-':>5} {'-':>5} {'-':>5}"
    return f"{score['precision']:5.3f} {score['recall']:5.3f} {score['f1']:5.3f}"


def side_by_side(reports: dict[str, dict[str, Any]], kind: str) -> str:
    names = list(reports)
    labels = sorted({label for r in reports.values() for label in r[kind]["labels"]})
    if kind == "entity":
        labels = [label for label in labels if any(r[kind]["labels"].get(label, {}).get("support") for r in reports.values())] or labels
    width = max(24, max((len(label) for label in labels), default=0) + 2)
    head = f"{kind:<{width}}{'n':>5}  " + "  ".join(f"{n + ' P/R/F1':^17}" for n in names)
    lines = [head, "-" * len(head)]
    for label in labels:
        support = max(r[kind]["labels"].get(label, {}).get("support", 0) for r in reports.values())
        mark = " *" if kind == "entity" and label in TARGET_ENTITIES else ""
        lines.append(f"{label + mark:<{width}}{support:>5}  " + "  ".join(_cell(reports[n][kind]["labels"].get(label)) for n in names))
    lines.append("-" * len(head))
    total = reports[names[0]]["messages"] if kind == "intent" else max(r[kind]["micro"]["support"] for r in reports.values())
    lines.append(f"{'micro':<{width}}{total:>5}  " + "  ".join(_cell(reports[n][kind]["micro"]) for n in names))
    lines.append(f"{'macro':<{width}}{'':>5}  " + "  ".join(_cell(reports[n][kind]["macro"]) for n in names))
    if kind == "entity":
        support = reports[names[0]][kind]["targets_micro"]["support"]
        lines.append(f"{'* targets (micro)':<{width}}{support:>5}  " + "  ".join(_cell(reports[n][kind]["targets_micro"]) for n in names))
    return "\n".join(lines)


def markdown_tables(reports: dict[str, dict[str, Any]]) -> str:
    """The side-by-side tables as Markdown (results/eval/table.md, for docs/nlu-evaluation.md)."""
    names = list(reports)
    out = []
    for kind in ("intent", "entity"):
        labels = sorted({label for r in reports.values() for label in r[kind]["labels"]})
        labels = [l for l in labels if any(r[kind]["labels"].get(l, {}).get("support") for r in reports.values())]
        head = f"| {kind} | n | " + " | ".join(f"{n} P | {n} R | {n} F1" for n in names) + " |"
        out += [head, "|" + "---|" * (2 + 3 * len(names))]

        def row(label: str, support: Any, cells: list[Optional[dict[str, Any]]], bold: bool = False) -> str:
            values = []
            for c in cells:
                values += [f"{c[k]:.3f}" if c else "-" for k in ("precision", "recall", "f1")]
            name = f"**{label}**" if bold else label
            return f"| {name} | {support} | " + " | ".join(values) + " |"

        for label in labels:
            support = max(r[kind]["labels"].get(label, {}).get("support", 0) for r in reports.values())
            mark = " *" if kind == "entity" and label in TARGET_ENTITIES else ""
            out.append(row(label + mark, support, [reports[n][kind]["labels"].get(label) for n in names]))
        total = reports[names[0]]["messages"] if kind == "intent" else reports[names[0]][kind]["micro"]["support"]
        out.append(row("micro", total, [reports[n][kind]["micro"] for n in names], bold=True))
        out.append(row("macro", "", [reports[n][kind]["macro"] for n in names], bold=True))
        if kind == "entity":
            out.append(row("targets * (micro)", reports[names[0]][kind]["targets_micro"]["support"],
                           [reports[n][kind]["targets_micro"] for n in names], bold=True))
        out.append("")
    return "\n".join(out)


def current_threshold(config_path: Path) -> tuple[Optional[float], Optional[float]]:
    config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    for step in config.get("pipeline") or []:
        if isinstance(step, dict) and step.get("name") == "FallbackClassifier":
            return float(step.get("threshold", 0.3)), float(step.get("ambiguity_threshold", 0.1))
    return None, None


def apply_threshold(config_path: Path, threshold: float) -> bool:
    """Rewrite the FallbackClassifier threshold line in place (comments kept)."""
    text = config_path.read_text(encoding="utf-8")
    pattern = re.compile(r"(-\s*name:\s*FallbackClassifier\s*\n(?:\s+\w+:.*\n)*?\s+threshold:\s*)([0-9.]+)")
    new, count = pattern.subn(lambda m: f"{m.group(1)}{threshold:g}", text, count=1)
    if count:
        config_path.write_text(new, encoding="utf-8")
    return bool(count)


# ---- main ---------------------------------------------------------------------------------------


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", action="append", help="evaluate only these pipelines (ours, baseline, a variant)")
    parser.add_argument("--variant", action="append", default=[], metavar="NAME=CONFIG",
                        help="also evaluate another pipeline config (an experiment), trained into var/eval/NAME")
    parser.add_argument("--no-train", action="store_true", help="fail instead of training a missing model")
    parser.add_argument("--worst", type=int, default=20)
    parser.add_argument("--apply-threshold", action="store_true", help="write the chosen threshold into config.yml")
    args = parser.parse_args(argv)
    logging.getLogger("rasa").setLevel(logging.WARNING)
    started = time.monotonic()
    configs = dict(CONFIGS)
    for variant in args.variant:
        name, _, path = variant.partition("=")
        if not name or not path or not (ROOT / path).is_file():
            parser.error(f"--variant {variant!r}: NAME=path/to/config.yml expected")
        resolved = (ROOT / path).resolve()
        if ROOT not in resolved.parents:
            parser.error(f"--variant {variant!r}: the config must be inside the repository "
                         f"(e.g. var/{Path(path).name}); training runs from the repository root")
        configs[name] = resolved
    names = args.only or list(configs)
    unknown = [n for n in names if n not in configs]
    if unknown:
        parser.error(f"unknown pipeline(s) {unknown}; known: {sorted(configs)}")
    examples = load_examples(EVAL_SET)
    RESULTS.mkdir(parents=True, exist_ok=True)
    reports: dict[str, dict[str, Any]] = {}
    meta: dict[str, dict[str, Any]] = {}
    predictions: dict[str, list[Prediction]] = {}
    for name in names:  # train everything first: parsing loads TensorFlow models
        model, seconds = train(name, configs[name], not args.no_train)
        meta[name] = {"config": str(configs[name].relative_to(ROOT)), "model": str(model.relative_to(ROOT)),
                      "train_seconds": None if seconds is None else round(seconds, 1)}
    for name in names:
        model = ROOT / meta[name]["model"]
        print(f"[{name}] parsing {len(examples)} held-out messages", flush=True)
        preds, parses, seconds = predict(model, examples)
        predictions[name] = preds
        meta[name]["parse_seconds"] = round(seconds, 1)
        with (RESULTS / f"predictions-{name}.jsonl").open("w", encoding="utf-8") as handle:
            for example, parse in zip(examples, parses):
                handle.write(json.dumps({"gold_intent": example.intent,
                                         "gold_entities": {k: sorted(v) for k, v in example.entities.items()},
                                         "parse": parse}, default=str) + "\n")
        reports[name] = evaluate(examples, preds, worst=args.worst)
        plot_confusion(reports[name], name, RESULTS / f"confusion-{name}.png")

    print()
    print(f"Held-out set: {EVAL_SET.relative_to(ROOT)}, {len(examples)} messages. P/R/F1 per label.")
    print()
    print(side_by_side(reports, "intent"))
    print()
    print("Entities: (name, canonical value) sets per message; negated values are not predictions.")
    print(side_by_side(reports, "entity"))

    first = names[0]
    print()
    print(f"{min(args.worst, len(reports[first]['worst_errors']))} worst errors ({first}; {reports[first]['errors']} messages with an error):")
    for error in reports[first]["worst_errors"]:
        intent = error["gold_intent"] if error["gold_intent"] == error["predicted_intent"] else \
            f"{error['gold_intent']} -> {error['predicted_intent']} ({error['confidence']:.2f})"
        ents = " ".join([f"-{m}" for m in error["missing"]] + [f"+{x}" for x in error["extra"]])
        print(f"  {error['severity']:4.2f}  {error['text'][:90]!r}  {intent}  {ents}")

    threshold: Optional[dict[str, Any]] = None
    if "ours" in predictions:
        current, ambiguity = current_threshold(CONFIGS["ours"])
        threshold = choose_threshold(examples, predictions["ours"], ambiguity=ambiguity if ambiguity is not None else 0.1)
        threshold["current"] = current
        threshold["current_as_good"] = current is not None and as_good_as_chosen(examples, predictions["ours"], threshold, current)
        chosen = threshold["chosen"]
        low, high = threshold["best_range"]
        print()
        print(f"FallbackClassifier threshold: {threshold['threshold']:.2f}, the middle of the best range "
              f"{low:.2f}-{high:.2f} ({threshold['rule']}; ambiguity_threshold {threshold['ambiguity_threshold']}).")
        print(f"  At {threshold['threshold']:.2f}: fallbacks {chosen['fallback_rate']:.1%} (needless {chosen['needless_fallback_rate']:.1%}), "
              f"wrong and confident {chosen['wrong_confident_rate']:.1%}, correct-or-fallback {chosen['correct_or_fallback']:.1%}.")
        plot_threshold(threshold, RESULTS / "threshold.png")
        if current is None:
            print("  config.yml has no FallbackClassifier")
        elif threshold["current_as_good"]:
            print(f"  config.yml's {current:g} does as well on the held-out set: kept.")
        elif args.apply_threshold and apply_threshold(CONFIGS["ours"], threshold["threshold"]):
            print(f"  config.yml: FallbackClassifier threshold {current:g} -> {threshold['threshold']:.2f}")
        else:
            print(f"  config.yml's {current:g} does worse: rerun with --apply-threshold to write {threshold['threshold']:.2f}")

    elapsed = time.monotonic() - started
    report = {
        "eval_set": str(EVAL_SET.relative_to(ROOT)),
        "messages": len(examples),
        "target_entities": list(TARGET_ENTITIES),
        "models": {name: {**meta[name], **reports[name]} for name in names},
        "threshold": threshold,
        "seconds": round(elapsed, 1),
    }
    (RESULTS / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "table.md").write_text(markdown_tables(reports), encoding="utf-8")
    print()
    print(f"wrote {(RESULTS / 'report.json').relative_to(ROOT)} and the plots in {RESULTS.relative_to(ROOT)}/ ({elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
