#!/usr/bin/env python3
"""The Python peer of kebiao for scripts/bench: the same jobs done the way a data-savvy clerk would
do them with the usual tools, so kebiao's times can be read against something real.

    peer.py check  BOOK.xlsx                  read every sheet (pandas + python-calamine)
    peer.py report BOOK.xlsx                  read + 各区域实销额 of the latest complete month
    peer.py pack   BOOK.xlsx OUTDIR           read + region / grading / receivables tables,
                                              an xlsx (xlsxwriter: the tables and every input sheet as
                                              a data sheet, as kebiao's 数据_* sheets) and a typst PDF
    peer.py forms  BOOK.xlsx OUTDIR [--batch N]
                                              one 客户信息表 card per customer, typst PDFs of N cards

Money is float here (pandas' way), rounded to 0.01 at display; kebiao uses exact decimals. The peer
prints the month's 实销额 total so scripts/bench can check that both compute the same figure.
"""

import json
import pathlib
import sys
import tempfile

import pandas as pd
import typst

HERE = pathlib.Path(__file__).resolve().parent
FONTS = HERE.parent.parent / "templates" / "fonts"
REGIONS = ["华东", "华南", "华北", "华中", "西南", "西北", "东北"]
QUOTA = [("A", 0.05), ("B", 0.15), ("C", 0.30), ("D", 0.50)]
AGE_BUCKETS = [(30, "0-30天"), (60, "31-60天"), (90, "61-90天"), (180, "91-180天"), (None, "180天以上")]


def read(path, sheet=None):
    """Every sheet (or one) as DataFrames, as a clerk would: pandas with the calamine engine."""
    return pd.read_excel(path, sheet_name=sheet, engine="calamine")


def num(s):
    return pd.to_numeric(s, errors="coerce").fillna(0.0)


def dates(s):
    return pd.to_datetime(s, errors="coerce")


def latest_complete_month(lines):
    """Same rule as kebiao: the month of the last order date if that date is in the month's last
    week, otherwise the month before."""
    last = dates(lines["订货日期"]).max()
    m = last.to_period("M")
    return m if last.day + 7 > m.days_in_month else m - 1


def net_entries(book):
    """实销额 entries: non-cancelled lines (金额 − 折扣 − 优惠) on 订货日期, returns (not 换货) as
    negative amounts on 退货日期, region from the customer (no line region in the sample)."""
    lines, rets, custs = book["销售明细"], book["退货记录"], book["客户信息表"]
    region = custs.set_index("客户编号")["区域"]
    ok = lines[lines["状态"].fillna("") != "作废"]
    sales = pd.DataFrame(
        {
            "date": dates(ok["订货日期"]),
            "ship": dates(ok["发货日期"]).fillna(dates(ok["订货日期"])),
            "cust": ok["客户编号"],
            "amount": num(ok["金额"]) - num(ok["折扣额"]) - num(ok["优惠额"]),
        }
    )
    r = rets[rets["退/换"].fillna("退货") != "换货"]
    back = pd.DataFrame(
        {"date": dates(r["退货日期"]), "cust": r["客户编号"], "amount": -num(r["退货金额"])}
    )
    back["ship"] = back["date"]
    e = pd.concat([sales, back], ignore_index=True)
    e["region"] = e["cust"].map(region).fillna("未分区域")
    e["month"] = e["date"].dt.to_period("M")
    return e


def pct(a, b):
    return "—" if not b else f"{(a / b - 1) * 100:.1f}%"


def money(x):
    return f"{x:,.2f}"


def sales_by_region(e, month):
    by = e.groupby(["month", "region"])["amount"].sum()
    get = lambda m: by.get(m, pd.Series(dtype=float))
    this, prev, ago = get(month), get(month - 1), get(month - 12)
    names = sorted(set(this.index) | set(prev.index) | set(ago.index),
                   key=lambda r: (REGIONS.index(r) if r in REGIONS else 99, r))
    total = this.sum()
    rows = [[r, money(this.get(r, 0)), money(prev.get(r, 0)), money(ago.get(r, 0)),
             pct(this.get(r, 0), prev.get(r, 0)), pct(this.get(r, 0), ago.get(r, 0)),
             "—" if not total else f"{this.get(r, 0) / total * 100:.1f}%"] for r in names]
    rows.append(["合计", money(total), money(prev.sum()), money(ago.sum()),
                 pct(total, prev.sum()), pct(total, ago.sum()), "100.0%"])
    head = ["区域", "本月实销额", "上月实销额", "上年同月", "环比增长", "同比增长", "占比"]
    return head, rows, round(total, 2)


def grading(e, custs, month):
    """A/B/C/D by T12M 实销额 rank: top 5 % of customers A, next 15 % B, next 30 % C, rest D."""
    t12 = e[(e["month"] > month - 12) & (e["month"] <= month)]
    s = t12.groupby("cust")["amount"].sum().reindex(custs["客户编号"], fill_value=0.0)
    s = s.sort_values(ascending=False, kind="stable")
    n = len(s)
    grade, edge, start = pd.Series("D", index=s.index), 0.0, 0
    for g, share in QUOTA:
        edge += share
        end = round(n * edge)
        grade.iloc[start:end] = g
        start = end
    names = custs.set_index("客户编号")["客户名称"]
    dist = [[g, int((grade == g).sum()), money(s[grade == g].sum())] for g, _ in QUOTA]
    top = [[i + 1, c, str(names.get(c, "")), grade[c], money(v)]
           for i, (c, v) in enumerate(s.head(50).items())]
    return (["等级", "客户数", "近12月实销额"], dist), (["名次", "客户编号", "客户名称", "等级", "近12月实销额"], top)


def receivables(book, e, month):
    """Balance per customer at month end (期初应收 + shipped 实销 − receipts), aged newest-first."""
    end = month.end_time.normalize()
    custs, rec = book["客户信息表"], book["收款记录"]
    opening = custs.set_index("客户编号")
    start = dates(opening["期初日期"]).reindex(e["cust"]).to_numpy()
    shipped = e[(e["ship"] <= end) & ~(e["ship"] < start)]
    paid = rec[dates(rec["收款日期"]) <= end]
    bal = (num(opening["期初应收"]).groupby(level=0).sum()
           .add(shipped.groupby("cust")["amount"].sum(), fill_value=0)
           .sub(num(paid["收款金额"]).groupby(paid["客户编号"]).sum(), fill_value=0))
    # Age the balance over the newest shipments first (what is unpaid is what came last).
    sh = shipped[shipped["amount"] > 0].sort_values(["cust", "ship"], ascending=[True, False])
    sh = sh.assign(cum=sh.groupby("cust")["amount"].cumsum())
    b = sh["cust"].map(bal).fillna(0).clip(lower=0)
    sh = sh.assign(open=(b - (sh["cum"] - sh["amount"])).clip(lower=0).combine(sh["amount"], min))
    days = (end - sh["ship"]).dt.days
    sh = sh.assign(bucket=pd.cut(days, [-1, 30, 60, 90, 180, 10**6], labels=[b for _, b in AGE_BUCKETS]))
    ageing = sh.groupby("bucket", observed=False)["open"].sum()
    head = ["账龄", "应收余额", "占比"]
    tot = ageing.sum()
    age_rows = [[k, money(v), "—" if not tot else f"{v / tot * 100:.1f}%"] for k, v in ageing.items()]
    age_rows.append(["合计", money(tot), "100.0%"])
    names = custs.set_index("客户编号")["客户名称"]
    top = bal[bal > 0].sort_values(ascending=False).head(50)
    top_rows = [[c, str(names.get(c, "")), money(v)] for c, v in top.items()]
    return (head, age_rows), (["客户编号", "客户名称", "应收余额"], top_rows), bal


def write_xlsx(path, tables, book):
    with pd.ExcelWriter(path, engine="xlsxwriter") as xw:
        for title, (head, rows) in tables:
            pd.DataFrame(rows, columns=head).to_excel(xw, sheet_name=title[:31], index=False)
            xw.sheets[title[:31]].freeze_panes(1, 0)
        for name, df in book.items():
            df.to_excel(xw, sheet_name=("数据_" + name)[:31], index=False)


REPORT_TYP = r"""
#set page(paper: "a4", margin: 2cm, footer: context align(center)[第 #counter(page).display() 页])
#set text(font: "Noto Sans CJK SC", size: 9pt, lang: "zh")
#let d = json(bytes(sys.inputs.data))
#align(center, text(18pt, weight: "bold")[月度客户管理报告 #d.month])
#for t in d.tables [
  #heading(level: 2, t.title)
  #table(columns: t.head.len(), align: (x, y) => if x == 0 { left } else { right },
    table.header(..t.head.map(h => strong(h))), ..t.rows.flatten().map(c => [#c]))
]
"""

CARD_TYP = r"""
#set page(paper: "a4", margin: 2cm)
#set text(font: "Noto Sans CJK SC", size: 10pt, lang: "zh")
#let d = json(bytes(sys.inputs.data))
#for (i, c) in d.cards.enumerate() [
  #if i > 0 { pagebreak() }
  #align(center, text(16pt, weight: "bold")[客户信息表])
  #align(right)[编号: #c.at("客户编号")]
  #table(columns: (1fr, 2fr, 1fr, 2fr), inset: 6pt,
    ..d.fields.map(f => ([*#f*], [#c.at(f)])).flatten())
  #v(1cm)
  #grid(columns: (1fr, 1fr, 1fr), [填表人: #box(width: 2.5cm, repeat[\_])],
    [审核: #box(width: 2.5cm, repeat[\_])], [日期: #box(width: 2.5cm, repeat[\_])])
]
"""


def compile_pdf(typ, data, out):
    with tempfile.TemporaryDirectory() as tmp:
        src = pathlib.Path(tmp) / "main.typ"
        src.write_text(typ, encoding="utf-8")
        typst.compile(str(src), output=str(out), font_paths=[str(FONTS)], ignore_system_fonts=True,
                      sys_inputs={"data": json.dumps(data, ensure_ascii=False)})


def main(argv):
    job, path = argv[1], argv[2]
    if job == "forms":
        out = pathlib.Path(argv[3])
        batch = int(argv[argv.index("--batch") + 1]) if "--batch" in argv else 500
        custs = read(path, "客户信息表").astype(object).where(lambda d: d.notna(), "")
        custs = custs.map(lambda v: v.strftime("%Y-%m-%d") if hasattr(v, "strftime") else str(v))
        fields = [c for c in custs.columns if c != "备注"][:24]
        out.mkdir(parents=True, exist_ok=True)
        recs = custs.to_dict("records")
        for k in range(0, len(recs), batch):
            compile_pdf(CARD_TYP, {"fields": fields, "cards": recs[k:k + batch]},
                        out / f"customer_info_{k // batch + 1:03}.pdf")
        print(f"{len(recs)} cards")
        return 0
    book = read(path)
    if job == "check":
        print(", ".join(f"{k} {len(v)} 行" for k, v in book.items()))
        return 0
    e = net_entries(book)
    month = latest_complete_month(book["销售明细"])
    head, rows, total = sales_by_region(e, month)
    print(f"{month} 实销额合计 {total:.2f}")
    if job == "report":
        return 0
    dist, top = grading(e, book["客户信息表"], month)
    ageing, debtors, _ = receivables(book, e, month)
    tables = [("各区域实销额", (head, rows)), ("客户分级", dist), ("客户分级前50名", top),
              ("应收账款账龄", ageing), ("应收余额前50名", debtors)]
    out = pathlib.Path(argv[3]) / str(month)
    out.mkdir(parents=True, exist_ok=True)
    write_xlsx(out / f"月度客户管理报告_{month}.xlsx", tables, book)
    data = {"month": str(month),
            "tables": [{"title": t, "head": h, "rows": [[str(c) for c in r] for r in rs]}
                       for t, (h, rs) in tables]}
    compile_pdf(REPORT_TYP, data, out / f"月度客户管理报告_{month}.pdf")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
