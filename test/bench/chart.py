"""Draws a benchmark report's timeline as a PNG: python3 chart.py <report.json> <out.png>.

Throughput, healthy-cohort latency and consumer lag over the run, phases shaded. Needs
matplotlib; the harness writes an SVG of the same without it.
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def phase_spans(points):
    spans = []
    for point in points:
        if spans:
            spans[-1][1] = point["t"]
        if not spans or spans[-1][2] != point["phase"]:
            spans.append([point["t"], point["t"], point["phase"]])
    return spans


def main(report_path, out_path):
    with open(report_path) as handle:
        report = json.load(handle)
    points = report["timeline"]
    t = [p["t"] for p in points]
    fig, (top, middle, bottom) = plt.subplots(3, 1, figsize=(14, 10), sharex=True)
    top.plot(t, [p["publishedPerS"] for p in points], color="#888888", label="events published/s")
    top.plot(t, [p["deliveredPerS"] for p in points], color="#1f77b4", label="webhooks delivered/s")
    top.set_ylabel("per second")
    top.legend(loc="upper left")
    middle.plot(t, [max(p["p50Ms"], 0.1) for p in points], color="#2ca02c", label="p50")
    middle.plot(t, [max(p["p99Ms"], 0.1) for p in points], color="#d62728", label="p99")
    middle.set_yscale("log")
    middle.set_ylabel("latency, ms (healthy cohort)")
    middle.legend(loc="upper left")
    bottom.plot(t, [p["mainLag"] for p in points], color="#9467bd", label="lag: filter + renderer + delivery")
    bottom.set_ylabel("records")
    bottom.set_xlabel("seconds since the load started")
    bottom.legend(loc="upper left")
    for index, (start, end, phase) in enumerate(phase_spans(points)):
        for axis in (top, middle, bottom):
            axis.axvspan(start, end, color="#f0f0f0" if phase == "drain" else "#fbfbe8", zorder=0)
        if phase != "drain":
            top.annotate(phase, (start, 1.0), xycoords=("data", "axes fraction"), fontsize=8,
                         rotation=30, va="bottom")
    title = f"campaign-webhooks benchmark {report['startedAt']}"
    if any(p["otherCores"] > 0.2 for p in report["phases"]):
        title += " (noisy machine)"
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(out_path, dpi=100)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
