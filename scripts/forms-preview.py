#!/usr/bin/env python3
"""Render form definitions to PNG pages to look at them (not needed at build time).

    pip install typst==0.15.0
    CARGO_TARGET_DIR=/work/main/target scripts/forms-preview.py credit_survey survey_plan --filled --out /tmp/fp

Each form goes through the Rust loader first (`cargo run --example form_json`), so the preview
sees exactly the validated, span-resolved JSON the renderer will send. The layout engine
templates/form.typ is compiled with typst 0.15 (the PyPI build) against the bundled Noto Sans
CJK SC fonts only. `--filled` adds a second render with a made-up record for every key, so
checked boxes, dates and table rows can be inspected too.
"""

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import typst

ROOT = pathlib.Path(__file__).resolve().parent.parent
FORMS = ROOT / "templates" / "forms"


def load_specs(paths):
    out = subprocess.run(
        ["cargo", "run", "-q", "--example", "form_json", "--", *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        sys.exit(1)
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


SAMPLE_TEXT = "上海某某科技有限公司华东分公司采购部"


def sample_value(f):
    kind = f.get("kind", "text")
    opts = f.get("options", [])
    if kind == "date":
        return "2023年05月15日"
    if kind == "datetime":
        return "2024年03月01日 15时00分"
    if kind == "month":
        return "2024年03月"
    if kind == "money":
        return "¥1,234,567.50"
    if kind == "number":
        return "12"
    if kind in ("choice", "bool", "option_amount"):
        return opts[min(1, len(opts) - 1)] if opts else None
    if kind == "multi":
        return opts[:2]
    if kind == "textarea":
        return "客户反映交货期偏长,希望每月固定两次送货;" * 2
    if kind == "month_range":
        return "9"
    return SAMPLE_TEXT[: 4 + (len(f.get("label", "")) * 3) % 12]


def sample_record(spec):
    rec = {}
    fields = [f for s in spec["sections"] for row in s.get("rows", []) for f in row]
    fields += spec.get("header", [])
    for f in fields:
        if f.get("key"):
            rec[f["key"]] = sample_value(f)
        if f.get("key_to"):
            rec[f["key_to"]] = "12"
        for a in f.get("amounts", []):
            rec[a["key"]] = "500,000"
    for s in spec["sections"]:
        t = s.get("table")
        if t and t.get("key"):
            rows = []
            for r in range(3):
                row = {}
                for i, c in enumerate(t["columns"]):
                    k = c.get("key") or c["label"]
                    kind = c.get("kind", "text")
                    row[k] = {"money": f"¥{(r + 1) * 1234:,}.00", "number": str((r + 1) * 7)}.get(
                        kind, f"{c['label']}{r + 1}"
                    )
                rows.append(row)
            rec[t["key"]] = rows
    roles = spec.get("footer", {}).get("signatures") or []
    rec["signatures"] = {r: "张三" for r in roles if r != "日期"}
    return rec


def render(spec, records, out_png_pattern):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        shutil.copy(ROOT / "templates" / "form.typ", tmp / "form.typ")
        data = {"form": spec, "records": records, "company": "示例商贸有限公司", "lang": "zh"}
        (tmp / "data.json").write_text(json.dumps(data, ensure_ascii=False))
        compiler = typst.Compiler(
            str(tmp / "form.typ"),
            root=str(tmp),
            font_paths=[str(ROOT / "templates" / "fonts")],
            ignore_system_fonts=True,
        )
        pages, warnings = compiler.compile_with_warnings(format="png", ppi=100)
        if isinstance(pages, bytes):
            pages = [pages]
        for i, png in enumerate(pages, start=1):
            pathlib.Path(str(out_png_pattern).replace("{p}", str(i))).write_bytes(png)
        # A warning (layout did not converge, missing glyph) is a broken form too.
        if warnings:
            raise RuntimeError("; ".join(str(w) for w in warnings))
        return len(pages)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("forms", nargs="*", help="form ids or yaml paths (default: all)")
    ap.add_argument("--out", default="/tmp/forms-preview")
    ap.add_argument("--filled", action="store_true", help="also render a sample filled record")
    ap.add_argument("--only-filled", action="store_true")
    args = ap.parse_args()
    paths = []
    for f in args.forms or sorted(p.stem for p in FORMS.glob("*.yaml")):
        p = pathlib.Path(f)
        paths.append(p if p.suffix == ".yaml" else FORMS / f"{f}.yaml")
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for spec in load_specs(paths):
        runs = [] if args.only_filled else [("blank", [{}])]
        if args.filled or args.only_filled:
            runs.append(("filled", [sample_record(spec)]))
        for tag, recs in runs:
            pattern = out / f"{spec['id']}-{tag}-{{p}}.png"
            try:
                n = render(spec, recs, pattern)
                print(f"ok {spec['id']} {tag} {n} page(s)")
            except Exception as e:  # report and go on: one broken form must not hide the rest
                failed += 1
                print(f"FAIL {spec['id']} {tag}: {getattr(e, 'diagnostic', None) or e}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
