#!/usr/bin/env python3
"""Sentences/s of the sentiment scorer's encoder: Java (SentenceEncoder) beside Python, same run, same files.

Both sides embed the same sentences of datasets/sentiment/sentences.csv with the same all-MiniLM-L6-v2 int8 ONNX
file and tokenizer.json (extracted from the Maven jar the Java side loads), the same algorithm (tokenize, pad per
batch, ONNX Runtime with the same session options, mean pooling over the real tokens, L2 normalisation) and the
same ONNX Runtime version (Java: com.microsoft.onnxruntime in sentiment/pom.xml; Python: tools/requirements.txt):

* batch 1: one text per call (tokenize it, run it);
* batch 32: every text tokenized in one batch call, sorted by token count, run in batches of 32;

each with 1 and 2 intra-op threads. Tokenizing, inference and pooling are all timed. The sides run one after the
other (never at once: they would share the cores), alternating for --rounds rounds; the table shows medians.

Usage (from the repository root; builds the sentiment module first unless --no-build)::

    .venv/bin/python tools/bench_sentiment.py [--sentences 3000] [--rounds 2] [--configs 1x1,1x2,32x1,32x2] [--no-build]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "datasets" / "sentiment" / "sentences.csv"
MAX_TOKENS = 128


def read_texts(n: int) -> list[str]:
    import csv
    with open(DATA, newline="", encoding="utf-8") as f:
        return [row["text"] for row in csv.DictReader(f)][:n]


class PythonEncoder:
    """The Python path: HF tokenizers + onnxruntime, mirroring SentenceEncoder step by step."""

    def __init__(self, model_dir: Path, threads: int):
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()  # tokenizer.json pads to 128: batches are padded here, after sorting
        self.tokenizer.enable_truncation(MAX_TOKENS)
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(model_dir / "model.onnx"), so, providers=["CPUExecutionProvider"])

    def _run(self, rows: list[list[int]]) -> np.ndarray:
        length = max(len(r) for r in rows)
        ids = np.zeros((len(rows), length), dtype=np.int64)
        mask = np.zeros((len(rows), length), dtype=np.int64)
        for i, r in enumerate(rows):
            ids[i, :len(r)] = r
            mask[i, :len(r)] = 1
        hidden = self.session.run(["last_hidden_state"], {
            "input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
        summed = (hidden * mask[:, :, None]).sum(axis=1)
        mean = summed / mask.sum(axis=1, keepdims=True)
        return mean / np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)

    def embed_one(self, text: str) -> np.ndarray:
        return self._run([self.tokenizer.encode(text).ids])[0]

    def embed(self, texts: list[str], batch: int) -> np.ndarray:
        rows = [e.ids for e in self.tokenizer.encode_batch(texts)]
        order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
        out = np.empty((len(rows), 384), dtype=np.float32)
        for start in range(0, len(order), batch):
            chunk = order[start:start + batch]
            out[chunk] = self._run([rows[i] for i in chunk])
        return out


def python_side(model_dir: Path, texts: list[str], warmup: list[str], configs: list[tuple[int, int]]):
    """Yields one result per configuration, as measured."""
    for batch, threads in configs:
        encoder = PythonEncoder(model_dir, threads)
        run = (lambda t: [encoder.embed_one(x) for x in t]) if batch == 1 else (lambda t: encoder.embed(t, batch))
        run(warmup)
        start = time.perf_counter()
        done = len(run(texts))
        seconds = time.perf_counter() - start
        yield {"side": "python", "batch": batch, "threads": threads, "sentences": done,
               "seconds": seconds, "per_s": done / seconds}


def java_command(cp_file: Path) -> list[str]:
    cp = ":".join([str(REPO / "sentiment/target/test-classes"), str(REPO / "sentiment/target/classes"),
                   cp_file.read_text().strip()])
    return ["java", "-Xmx1g", "-Dai.djl.offline=true", "-cp", cp, "org.streamlab.sentiment.ScorerBenchmark"]


def java_side(cmd: list[str], args: list[str]) -> list[dict]:
    result = subprocess.run(cmd + args, cwd=REPO, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("the Java side failed:\n" + result.stdout + result.stderr)
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--configs", default="1x1,1x2,32x1,32x2", help="BATCHxTHREADS,...")
    parser.add_argument("--no-build", action="store_true", help="use the sentiment module as built")
    args = parser.parse_args()
    configs = [tuple(int(v) for v in c.split("x")) for c in args.configs.split(",")]

    cp_file = REPO / "sentiment/target/test.cp"
    if not args.no_build:
        print("building the sentiment module (mvn) ...", flush=True)
        subprocess.run(["mvn", "-q", "-B", "-pl", "sentiment", "-am", "install", "-DskipTests"], cwd=REPO, check=True)
        subprocess.run(["mvn", "-q", "-B", "-pl", "sentiment", "test-compile", "dependency:build-classpath",
                        "-Dmdep.includeScope=test", "-Dmdep.outputFile=target/test.cp"], cwd=REPO, check=True)
    cmd = java_command(cp_file)
    texts = read_texts(args.sentences)
    warmup = read_texts(10**6)[-100:]
    print(f"{len(texts)} sentences, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
          f"onnxruntime {ort.__version__} (Python)", flush=True)

    with tempfile.TemporaryDirectory(prefix="bench-sentiment-") as tmp:
        model_dir = Path(tmp)
        java_side(cmd, ["--extract", str(model_dir)])  # the very files the Java side loads from its jar
        # correctness first: the two paths must compute the same embeddings
        reference = PythonEncoder(model_dir, 1)
        sample = texts[:50]
        (model_dir / "reference.json").write_text(json.dumps(
            {"texts": sample, "embeddings": [reference.embed_one(t).tolist() for t in sample]}))
        diff = java_side(cmd, ["--compare", str(model_dir / "reference.json"), "--configs", "1x1", "--sentences", "1"])
        print(f"largest |Java - Python| over {len(sample)} embeddings of 384 values: {diff[0]['max_abs_difference']:.2e}")

        results: list[dict] = []
        for r in range(args.rounds):
            for side, rows in (("Python", lambda: python_side(model_dir, texts, warmup, configs)),
                               ("Java", lambda: java_side(cmd, ["--sentences", str(len(texts)), "--configs", args.configs]))):
                print(f"round {r + 1}/{args.rounds}, {side}:", flush=True)
                for row in rows():
                    print(f"  batch {row['batch']:>2}, {row['threads']} thread(s): {row['per_s']:7.1f} sentences/s "
                          f"(load average {os.getloadavg()[0]:.1f})", flush=True)
                    results.append(row)

    print()
    print("| batch | threads | Python sentences/s | Java sentences/s | Java/Python |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for batch, threads in configs:
        def median(side: str) -> float:
            return statistics.median(x["per_s"] for x in results
                                     if x["side"] == side and x["batch"] == batch and x["threads"] == threads)
        py, jv = median("python"), median("java")
        label = "1" if batch == 1 else f"{batch} (length-sorted)"
        print(f"| {label} | {threads} | {py:.0f} | {jv:.0f} | {jv / py:.2f}x |")
    print(f"\nmedians of {args.rounds} round(s); load average now {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
