"""`seal bench load` results as a markdown table and a PNG chart (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from training.bench.report import fmt, machine_line


def load_markdown(result: dict[str, Any]) -> str:
    c = result["config"]
    lines = [
        "# seal bench load",
        "",
        f"Machine: {machine_line(result)}. Target: {result['url']} (server pid {result['server_pid'] or 'not found'}).",
        f"Each session streams TTS questions at real-time pace in {c['frame_ms']} ms PCM16 frames with "
        f"{c['gap_s'][0]}-{c['gap_s'][1]} s of silence between them; pipelines {', '.join(c['pipelines'])}; "
        f"answers {'on' if c['answer'] else 'off'}.",
        "",
        f"Latency = {result['definition']}.",
        "",
    ]
    levels = result.get("levels") or []
    if levels:
        lines += [
            "| sessions | live hits | refused | questions | handled | errors | end of speech -> SEAL hits p50 / p95 ms | "
            "server end_to_hits p50 / p95 | server CPU % mean / p95 | server RSS MB start -> end | client lag max ms | "
            "live hits sent / final from them |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for level in levels:
            lines.append(_load_row(level))
    soak = result.get("soak")
    if soak:
        trend = soak["rss"]
        lines += [
            f"## Soak: {soak['sessions']} sessions for {result['config']['soak_s']:.0f} s",
            "",
            "| sessions | live hits | refused | questions | handled | errors | end of speech -> SEAL hits p50 / p95 ms | "
            "server end_to_hits p50 / p95 | server CPU % mean / p95 | server RSS MB start -> end | client lag max ms | "
            "live hits sent / final from them |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
            _load_row(soak),
            "",
            f"RSS after {trend.get('warmup_dropped_s', '-')} s warm-up: {trend.get('rss_mb_after_warmup', '-')} MB -> "
            f"{trend.get('rss_mb_end', '-')} MB; slope {trend.get('slope_mb_per_min', '-')} MB/min "
            f"(fitted growth {trend.get('fitted_growth_mb', '-')} MB); flat (< 5 % growth): {trend.get('flat')}.",
        ]
    lines += ["", "Target: 8 concurrent real-time sessions on 2 cores, no errors, p95 end of speech -> hits < 1 s:"]
    for level in [*levels, *([soak] if soak else [])]:
        p95 = level["end_of_speech_to_seal_hits_ms"]["p95"]
        clean = not level["errors"] and level["unanswered"] == 0
        verdict = "met" if clean and p95 is not None and p95 < 1000 else "not met"
        lines.append(f"- {level['sessions']} sessions{_live_words(level)}: errors {sum(level['errors'].values())}, unanswered "
                     f"{level['unanswered']}, p95 {fmt(p95, 0)} ms: {verdict}")
    examples = [m for level in [*levels, *([soak] if soak else [])] for m in level.get("error_examples", [])]
    if examples:
        lines += ["", "Errors seen (first few):", *[f"- {m}" for m in examples[:8]]]
    return "\n".join(lines) + "\n"


def _live_words(level: dict[str, Any]) -> str:
    return "" if "live" not in level else f", live hits {'on' if level['live'] else 'off'}"


def _load_row(level: dict[str, Any]) -> str:
    lat, srv, server = level["end_of_speech_to_seal_hits_ms"], level["server_end_to_hits_ms"], level["server"]
    errors = ", ".join(f"{code} {n}" for code, n in level["errors"].items()) or "0"
    if server.get("measured"):
        cpu = f"{server['cpu_percent_mean']} / {server['cpu_percent_p95']}"
        rss = f"{server['rss_mb_start']:.0f} -> {server['rss_mb_end']:.0f}"
    else:
        cpu = rss = "not measured"
    live = {True: "on", False: "off"}.get(level.get("live"), "-")
    share = level.get("final_from_partial_share")
    reused = f"{level.get('live_partials', 0)} / {'-' if share is None else f'{100 * share:.0f} %'}"
    return (
        f"| {level['sessions']} | {live} | {level['sessions_refused']} | {level['questions_sent']} | {level['utterances_handled']} | "
        f"{errors} | {fmt(lat['p50'], 0)} / {fmt(lat['p95'], 0)} | {fmt(srv['p50'], 0)} / {fmt(srv['p95'], 0)} | {cpu} | {rss} | "
        f"{level['client_max_lag_ms']} | {reused} |"
    )


def load_chart(result: dict[str, Any], path: Path) -> Path:
    """Latency p50/p95 and server CPU against the number of sessions; the soak's RSS over time."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    levels = result.get("levels") or []
    soak = result.get("soak")
    fig, axes = plt.subplots(1, 2 if soak and levels else 1, figsize=(11 if soak and levels else 6.5, 4.4), squeeze=False)
    ax = axes[0][0]
    if levels:
        variants = list(dict.fromkeys(level.get("live") for level in levels))
        for variant, color in zip(variants, ("#0d9488", "#9ca3af")):
            chosen = [level for level in levels if level.get("live") == variant]
            x = [level["sessions"] for level in chosen]
            suffix = "" if variant is None or len(variants) == 1 else f", live hits {'on' if variant else 'off'}"
            ax.plot(x, [level["end_of_speech_to_seal_hits_ms"]["p50"] or float("nan") for level in chosen], "o-", color=color, label="p50" + suffix)
            ax.plot(x, [level["end_of_speech_to_seal_hits_ms"]["p95"] or float("nan") for level in chosen], "o--", color=color, label="p95" + suffix)
        x = sorted({level["sessions"] for level in levels})
        ax.axhline(1000, color="grey", ls=":", lw=0.8, label="1 s target (p95)")
        ax.set_xlabel("concurrent real-time sessions")
        ax.set_ylabel("end of speech -> final SEAL hits, ms")
        ax.set_xticks(x)
        cpu = {level["sessions"]: level["server"].get("cpu_percent_mean") for level in levels if level.get("live") == variants[0]}
        if any(v is not None for v in cpu.values()):
            ax2 = ax.twinx()
            ax2.bar(list(cpu), [v or 0 for v in cpu.values()], width=max(1, min(x)) * 0.4, alpha=0.2, color="grey", label="server CPU % (mean)")
            ax2.set_ylabel("server CPU % of one core")
        ax.legend(fontsize=8, loc="upper left")
        ax.set_title("Latency under load")
    if soak:
        sax = axes[0][1] if levels else ax
        series = soak["rss"].get("series") or []
        if series:
            sax.plot([t / 60 for t, _ in series], [v for _, v in series], "-", color="#3182bd")
        sax.set_xlabel("minutes")
        sax.set_ylabel("server RSS MB")
        sax.set_title(f"Soak: {soak['sessions']} sessions, slope {soak['rss'].get('slope_mb_per_min')} MB/min", fontsize=9)
    fig.suptitle(machine_line(result), fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
