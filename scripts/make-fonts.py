#!/usr/bin/env python3
"""Extract the Simplified-Chinese faces of Noto Sans CJK from Debian's font collection.

No Rust crate ships a CJK font, so kebiao bundles Noto Sans CJK SC Regular and Bold (SIL OFL 1.1).
Debian's fonts-noto-cjk package ships them only inside .ttc collections; typst needs single faces,
so this script pulls the "Noto Sans CJK SC" face out of each collection with fontTools.

How the committed files were made:
    apt-get install fonts-noto-cjk
    pip install fonttools
    python3 scripts/make-fonts.py templates/fonts
It also checks that the characters clerks' data is known to contain are covered (no tofu).
"""
import sys
from pathlib import Path

from fontTools.ttLib import TTCollection

SRC = Path("/usr/share/fonts/opentype/noto")
FACES = {"NotoSansCJKsc-Regular.otf": "NotoSansCJK-Regular.ttc",
         "NotoSansCJKsc-Bold.otf": "NotoSansCJK-Bold.ttc"}
# Rare characters seen in Chinese names (𠮷 U+20BB7, 䶮 U+4DAE, 𬌗 U+2C317) and Traditional text.
MUST_COVER = "𠮷䶮𬌗客戶編號資料調查經營銷售額¥，。“”——□"


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, ttc in FACES.items():
        coll = TTCollection(str(SRC / ttc))
        for font in coll.fonts:
            family = font["name"].getDebugName(1)
            if family == "Noto Sans CJK SC":
                cmap = font.getBestCmap()
                missing = [c for c in MUST_COVER if ord(c) not in cmap]
                print(f"{name}: {family}, {len(cmap)} code points, missing: {''.join(missing) or 'none'}")
                font.save(str(out / name))
                break
        else:
            sys.exit(f"no 'Noto Sans CJK SC' face in {ttc}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "templates/fonts"))
