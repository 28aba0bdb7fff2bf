"""`seal bench latency` results as markdown tables and a PNG chart (matplotlib, no display needed);
``fmt`` and ``machine_line`` serve the load report (load_report.py) too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from training.bench.queries import BUCKETS

SEAL_PARTS = ["vad", "features", "encoder", "adapter", "search"]
ASR_PARTS = ["vad", "decode", "embed", "search"]


def fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def machine_line(result: dict[str, Any]) -> str:
    m = result["machine"]
    gpu = f", GPU {m['gpu']}" if m.get("gpu") else ", no GPU"
    start = m.get("load_average_at_start")
    load = f"load average {start[0]} at start, {m['load_average'][0]} at end" if start else f"load average {m['load_average'][0]}"
    return f"{m['cpu']}, {m['cores']} cores{gpu}; {load}; {m['when']}"


def _engine_words(settings: dict[str, Any]) -> str:
    if settings.get("seal_engine") == "onnx":  # the columns then split differently
        return ("engine onnx: SEAL's `encoder` column is the whole speech graph (Whisper encoder, adapters, "
                "CTC scores), `adapter+pool` the CTC compression, the text transformer and pooling; the ASR "
                "side's text embedding runs on onnxruntime too")
    return f"engine torch, speech path quantization {settings.get('seal_quantization', 'none')}"


def latency_markdown(result: dict[str, Any]) -> str:
    s = result["settings"]
    lines = [
        "# seal bench latency",
        "",
        f"Machine: {machine_line(result)}.",
        f"Models: Whisper `{s['whisper_model']}` (SEAL speech tower and ASR), text `{s['text_model']}`, "
        f"SEAL checkpoint {s['checkpoint']} ({_engine_words(s)}); "
        f"ASR {s['asr']}; device {s['device']}. "
        f"VAD hangover setting {s['vad']['end_silence_ms']} ms.",
        "",
        "## Per step, p50 / p95 ms, by utterance length",
        "",
        "From the end of the utterance (the VAD's cut) except `vad` (real end of speech -> VAD decision) "
        "and `end-to-end` (the two added).",
        "",
        "| bucket | n | pipeline | vad | features / decode | encoder / embed | adapter+pool | search | total | end-to-end |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    summary = result["summary"]
    for bucket in ["all", *BUCKETS]:
        if bucket not in summary:
            continue
        b = summary[bucket]
        sl, asr = b["seal"], b["asr"]
        cell = lambda d: f"{fmt(d['p50'])} / {fmt(d['p95'])}"  # noqa: E731
        lines.append(
            f"| {bucket} | {b['n']} | SEAL | {cell(sl['vad'])} | {cell(sl['features'])} | {cell(sl['encoder'])} | "
            f"{cell(sl['adapter'])} | {cell(sl['search'])} | **{cell(sl['total'])}** | {cell(sl['end_to_end'])} |"
        )
        lines.append(
            f"| {bucket} | {b['n']} | ASR | {cell(asr['vad'])} | {cell(asr['decode'])} | {cell(asr['embed'])} | "
            f"- | {cell(asr['search'])} | **{cell(asr['total'])}** | {cell(asr['end_to_end'])} |"
        )
    lines += [
        "",
        "## SEAL / ASR (p50 of totals)",
        "",
        "| bucket | n | from end of utterance | p95 | from end of speech (VAD included) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for bucket in ["all", *BUCKETS]:
        if bucket in summary:
            b = summary[bucket]
            lines.append(
                f"| {bucket} | {b['n']} | {fmt(b['ratio_p50'], 3)} | {fmt(b['ratio_p95'], 3)} | {fmt(b['ratio_end_to_end_p50'], 3)} |"
            )
    lines += ["", *felt_markdown(result)]
    lines += [
        "",
        f"## Search cost by collection size (store: {s['store']}, k={s['k']})",
        "",
        "| passages | seal p50 | seal p95 | text p50 | text p95 | build s |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for size, row in result["search_scale"].items():
        lines.append(
            f"| {int(size):,} | {fmt(row['seal']['p50'], 2)} | {fmt(row['seal']['p95'], 2)} | "
            f"{fmt(row['text']['p50'], 2)} | {fmt(row['text']['p95'], 2)} | {row['build_s']} |"
        )
    lines += ["", "## Targets", "", *latency_targets(result)]
    lines += ["", "Notes:", *[f"- {note}" for note in result["notes"]], ""]
    return "\n".join(lines)


FELT_COLUMNS = [("end_of_turn", "end of turn declared"), ("seal", "SEAL"), ("seal_live", "SEAL, live hits"),
                ("asr", "ASR"), ("fused", "fused (waits for ASR)")]


def felt_markdown(result: dict[str, Any]) -> list[str]:
    """What the user waits for: real end of speech -> final hits, per bucket, with the live-hit shares."""
    summary = result["summary"]
    if "felt" not in summary.get("all", {}):
        return []
    live = result["settings"].get("live", {})
    lines = [
        "## What the user waits for: real end of speech -> final hits, p50 / p95 ms",
        "",
        f"Live hits: SEAL searches the speech so far at each pause of {live.get('pause_ms', '?')} ms inside the "
        "utterance; *reused* = the final SEAL hits were a live search's (nothing said after it), *ready* = that "
        "search was done when the VAD declared the end of turn, so the user waited for the endpointer only.",
        "",
        "| bucket | n | " + " | ".join(label for _, label in FELT_COLUMNS) + " | reused | ready at end of turn | live searches per question |",
        "| --- | --- | " + " | ".join("---" for _ in FELT_COLUMNS) + " | --- | --- | --- |",
    ]
    for bucket in ["all", *BUCKETS]:
        b = summary.get(bucket)
        if not b:
            continue
        cells = [f"{fmt(b['felt'][key]['p50'])} / {fmt(b['felt'][key]['p95'])}" for key, _ in FELT_COLUMNS]
        shares = b["live"]
        pct = lambda x: "-" if x is None else f"{100 * x:.0f} %"  # noqa: E731
        lines.append(f"| {bucket} | {b['n']} | " + " | ".join(cells)
                     + f" | {pct(shares['reused_share'])} | {pct(shares['ready_before_end_share'])} | {fmt(shares['searches_mean'], 2)} |")
    return lines


def latency_targets(result: dict[str, Any]) -> list[str]:
    """The issue's targets against this run (reported, never asserted)."""
    lines = []
    mid = result["summary"].get("3-6 s")
    if mid and mid["ratio_p50"] is not None:
        verdict = "met" if mid["ratio_p50"] <= 0.1 else "not met"
        lines.append(f"- SEAL p50 <= 1/10 of ASR for 3-6 s utterances: {mid['ratio_p50']:.3f} "
                     f"({fmt(mid['seal']['total']['p50'])} vs {fmt(mid['asr']['total']['p50'])} ms): {verdict}")
    else:
        lines.append("- SEAL p50 <= 1/10 of ASR for 3-6 s utterances: no 3-6 s queries in this run")
    big = result["search_scale"].get("100000")
    if big:
        worst = max(big["seal"]["p50"] or 0, big["text"]["p50"] or 0)
        verdict = "met" if worst < 20 else "not met"
        lines.append(f"- search at 100k passages < 20 ms p50 ({result['settings']['store']}): {worst:.1f} ms: {verdict}")
    else:
        lines.append("- search at 100k passages < 20 ms p50: not measured (add 100000 to --passages)")
    if mid and "felt" in mid:
        felt, turn = mid["felt"]["seal_live"]["p50"], mid["felt"]["end_of_turn"]["p50"]
        if felt is not None and turn is not None:
            verdict = "met" if felt <= turn + 30 else "not met"
            lines.append(f"- with live hits, real end of speech -> final SEAL hits p50 at most the end of turn + 30 ms (3-6 s): "
                         f"{felt:.1f} vs {turn:.1f} + 30 ms: {verdict}; final hits ready when the turn was declared over in "
                         f"{100 * (mid['live']['ready_before_end_share'] or 0):.0f} % of the questions")
    return lines


def latency_chart(result: dict[str, Any], path: Path) -> Path:
    """Stacked p50 bars per step, SEAL beside ASR for each length bucket; search cost against size."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summary = result["summary"]
    buckets = [b for b in BUCKETS if b in summary] or ["all"]
    felt = "felt" in summary.get("all", {})
    fig, axes = plt.subplots(1, 3 if felt else 2, figsize=(18 if felt else 12, 4.8),
                             gridspec_kw={"width_ratios": [2, 1, 2] if felt else [2, 1]})
    ax, ax2 = axes[0], axes[1]
    if felt:
        _felt_panel(axes[2], summary, buckets)
    colors = {"vad": "#bbbbbb", "features": "#9ecae1", "encoder": "#3182bd", "adapter": "#08519c",
              "decode": "#fdae6b", "embed": "#e6550d", "search": "#31a354"}
    width = 0.38
    for i, bucket in enumerate(buckets):
        for offset, pipeline, parts in ((-width / 2, "seal", SEAL_PARTS), (width / 2, "asr", ASR_PARTS)):
            bottom = 0.0
            for part in parts:
                value = summary[bucket][pipeline][part]["p50"] or 0.0
                label = part if i == 0 and not (pipeline == "asr" and part in ("vad", "search")) else None
                ax.bar(i + offset, value, width, bottom=bottom, color=colors[part], label=label, edgecolor="white")
                bottom += value
            ax.text(i + offset, bottom, f"{'SEAL' if pipeline == 'seal' else 'ASR'}\n{bottom:.0f}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(buckets)), [f"{b}\n(n={summary[b]['n']})" for b in buckets])
    ax.set_ylabel("p50 ms from the real end of speech")
    ax.set_title("Per-step latency, SEAL (left) vs ASR + text (right)")
    ax.legend(fontsize=8, ncol=2, loc="upper left")
    ax.margins(y=0.35)  # room for the legend above the bars

    sizes = [int(s) for s in result["search_scale"]]
    for name, color in (("seal", "#3182bd"), ("text", "#e6550d")):
        p50 = [result["search_scale"][str(s)][name]["p50"] for s in sizes]
        p95 = [result["search_scale"][str(s)][name]["p95"] for s in sizes]
        ax2.plot(sizes, p50, "o-", color=color, label=f"{name} p50")
        ax2.plot(sizes, p95, "o--", color=color, alpha=0.5, label=f"{name} p95")
    ax2.axhline(20, color="grey", lw=0.8, ls=":", label="20 ms target")
    ax2.set_xscale("log")
    ax2.set_xlabel("passages in the collection")
    ax2.set_ylabel("search ms")
    ax2.set_title(f"Search cost ({result['settings']['store']})", fontsize=9)
    ax2.legend(fontsize=8)
    fig.suptitle(machine_line(result), fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _felt_panel(ax, summary: dict[str, Any], buckets: list[str]) -> None:
    """p50 real end of speech -> final hits per bucket: SEAL without and with live hits, ASR, fused;
    the grey band is the end of turn (what the user waits for the VAD alone)."""
    series = [("seal", "SEAL", "#5eead4"), ("seal_live", "SEAL, live hits", "#0d9488"),
              ("asr", "ASR", "#c084fc"), ("fused", "fused", "#1d4ed8")]
    width = 0.8 / len(series)
    for i, bucket in enumerate(buckets):
        turn = summary[bucket]["felt"]["end_of_turn"]["p50"] or 0.0
        ax.bar(i, turn, 0.9, color="#e5e7eb", label="end of turn declared" if i == 0 else None, zorder=0)
        for j, (key, label, color) in enumerate(series):
            value = summary[bucket]["felt"][key]["p50"] or 0.0
            x = i - 0.4 + width * (j + 0.5)
            ax.bar(x, value, width * 0.9, color=color, label=label if i == 0 else None, zorder=2)
            ax.text(x, value, f"{value:.0f}", ha="center", va="bottom", fontsize=7)
        ready = summary[bucket]["live"]["ready_before_end_share"]
        if ready is not None:
            ax.text(i, 0, f"ready at end of turn: {100 * ready:.0f} %", ha="center", va="bottom", fontsize=7, zorder=3)
    ax.set_xticks(range(len(buckets)), [f"{b}\n(n={summary[b]['n']})" for b in buckets])
    ax.set_ylabel("p50 ms, real end of speech -> final hits")
    ax.set_title("What the user waits for", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    ax.margins(y=0.25)
