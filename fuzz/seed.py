#!/usr/bin/env python3
"""Builds the fuzz corpora in fuzz/corpus/<target>/ from the real files in ../shared/data (and the project's own
small fixtures), cut to a size a fuzzer can work with. The corpora are generated, never committed: the real files
stay where they are. Run from anywhere: python3 fuzz/seed.py [SHARED_DATA_DIR]."""

import subprocess
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(os.environ.get("WIJKMONITOR_SHARED_DATA", ROOT.parent / "shared" / "data"))
CORPUS = HERE / "corpus"
LIMIT = 48 * 1024


def head(path, limit=LIMIT):
    """The start of a file, cut at a line end."""
    data = path.read_bytes()[:limit]
    cut = data.rfind(b"\n")
    return data[: cut + 1] if cut > 0 else data


def put(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def main():
    if not DATA.is_dir():
        sys.exit(f"no shared data at {DATA}: the corpora need the real files (give the folder as the argument)")
    csvs = {
        "kwb": DATA / "cbs-kwb-amsterdam" / "kwb-2019.csv",
        "kwb17": DATA / "cbs-kwb-amsterdam" / "kwb-2017.csv",
        "statline": DATA / "cbs-kwb-nl-2024" / "kwb-2024-bevolking-statline-export.csv",
        "lbm": DATA / "leefbaarometer" / "buurten-2002-2020.csv",
        "lbmwijk": DATA / "leefbaarometer" / "wijken-2002-2022.csv",
        "fixture": ROOT / "crates" / "import" / "tests" / "fixtures" / "statline-amsterdam-2024.csv",
        "long": ROOT / "crates" / "import" / "tests" / "golden" / "population-85984NED.csv",
    }
    n = 0
    for name, path in csvs.items():
        if not path.exists():
            continue
        data = head(path)
        for choice in range(6):
            put("import_csv", f"{name}-{choice}", bytes([choice]) + data)
            n += 1
    mapping = ROOT / "crates" / "import" / "tests" / "fixtures" / "population-85984NED.toml"
    population = DATA / "cbs-odata-csv" / "kwb-85984NED" / "Population85984_2024.csv"
    if mapping.exists() and population.exists():
        put("import_csv", "wide-5", bytes([5]) + mapping.read_bytes() + b"\0" + head(population))
    # OData: the files of a table joined by NUL bytes, in the order the target names them.
    odata = DATA / "cbs-odata-85984NED"
    json_files = [odata / "TableInfos.json", odata / "DataProperties.json"]
    put("import_odata", "json-85984NED", b"\0" + b"\0".join(head(p, 200_000) for p in json_files if p.exists()))
    for table in ["crime-47018NED", "kwb-85984NED", "staat_van_de_misdaad"]:
        folder = DATA / "cbs-odata-csv" / table
        order = ["TableInfos.csv", "DataProperties.csv", "data.csv", "WijkenEnBuurten.csv", "Perioden.csv", "SoortMisdrijf.csv"]
        parts = [head(folder / f, 16_000) if (folder / f).exists() else b"" for f in order]
        put("import_odata", f"csv-{table}", b"\1" + b"\0".join(parts))
    # Forms: a sign-in form, a request form, and multipart bodies.
    put("forms", "urlencoded", b"application/x-www-form-urlencoded\ncsrf=abc&email=a%40b.nl&password=x+y&v.households_energy_saving=12%2C5&e.x=toelichting")
    boundary = b"----wijkmonitor"
    body = b"--" + boundary + b"\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntok\r\n--" + boundary + \
        b"\r\nContent-Disposition: form-data; name=\"bestand\"; filename=\"a.xlsx\"\r\n\r\nPK\x03\x04\r\n--" + boundary + b"--\r\n"
    put("forms", "multipart", b"multipart/form-data; boundary=" + boundary + b"\n" + body)
    # Routes: every kind of address.
    for i, path in enumerate([
        "/", "/index.json", "/gebied/den-haag-zuidwest.csv?lang=en", "/indicator/inhabitants?gebied=heerlen-noord&format=json",
        "/api/v1/uitvraag/2025/heerlen-noord", "/werk/uitvraag/2025/heerlen-noord/sjabloon.xlsx", "/rapport/nationaal-2024.pdf",
        "/static/style.css?v=abc", "/werk/account/tokens/12/intrekken", "/werk/audit.csv?gebied=x&jaar=2025",
    ]):
        put("routes", f"path-{i}", path.encode())
    # Workbook: the real templates the workspace hands out, in both languages (made by the request crate's example).
    workbook = CORPUS / "workbook"
    workbook.mkdir(parents=True, exist_ok=True)
    root = Path(__file__).resolve().parent.parent
    for lang in ["nl", "en"]:
        target = workbook / f"template-{lang}.xlsx"
        if not target.exists():
            subprocess.run(
                ["cargo", "run", "--quiet", "-p", "wijkmonitor-request", "--example", "template", "--", str(target), lang],
                cwd=root, check=True,
            )
    # The Kerncijfers spreadsheet: the constructed .xls fixture, and the templates as .xlsx workbooks.
    sheet = CORPUS / "import_sheet"
    sheet.mkdir(parents=True, exist_ok=True)
    (sheet / "kwb-2019-sample.xls").write_bytes((root / "crates/import/tests/fixtures/kwb-2019-sample.xls").read_bytes())
    for lang in ["nl", "en"]:
        (sheet / f"template-{lang}.xlsx").write_bytes((workbook / f"template-{lang}.xlsx").read_bytes())
    print(f"corpora written to {CORPUS} ({n} CSV seeds, the request workbook templates in nl and en, the KWB sheet)")


if __name__ == "__main__":
    main()
