"""Write bench/latest.json's figures into docs/performance.md (between its two marker lines), each with the
machine, the date, the machine's load and the command that measured it: the document's figures are never typed."""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from measures import MEASURES, verdict  # noqa: E402

DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- figures: bench/report.py writes from here -->", "<!-- figures: to here -->"


def stamp(measured: dict) -> str:
    load = "–".join(f"{x:g}" for x in measured["load_average"])
    return f"{measured['date']}, load {load}, `{measured['command']}`"


def figures_table(latest: dict) -> str:
    rows = ["| figure | what it measures | value | goal | measured |", "|---|---|---|---|---|"]
    for key, (part, what, _goal, unit) in MEASURES.items():
        value = latest.get(key)
        if not isinstance(value, (int, float)):
            continue
        when = latest.get("measured", {}).get(part)
        shown = f"{value:.0f}" if abs(value) >= 1000 else f"{value:.3g}"  # 6659 MB, not 6.66e+03 MB
        rows.append(f"| `{key}` | {what} | {shown}{' ' + unit if unit else ''} | {verdict(key, value)} | "
                    f"{stamp(when) if when else latest.get('date', '')} |")
    return "\n".join(rows)


def class_table(latest: dict) -> str:
    classes = latest.get("class", {})
    if not classes:
        return ""
    from class_load import summary

    def label(entry):  # "30" (warm, or from before the warm pool), "30-cold"
        n, _, how = entry.partition("-")
        return f"**{n} learners{', ' + how if how else ''}**"

    return "\n\n".join(f"{label(n)} ({classes[n].get('date', 'date not recorded')}, "
                       f"`{classes[n].get('command', 'command not recorded')}`): {summary(classes[n])}"
                       for n in sorted(classes, key=lambda k: (int(k.split("-")[0]), k)))


def render(latest: dict) -> str:
    parts = [f"Machine: {latest['machine']}; torch {latest['torch']}.", figures_table(latest), class_table(latest)]
    return "\n\n".join(p for p in parts if p)


def main():
    latest = json.loads((ROOT / "bench" / "latest.json").read_text())
    doc = DOC.read_text()
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(f"{head}{BEGIN}\n{render(latest)}\n{END}{tail}")
    print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
