#!/usr/bin/env python3
"""Checks a tenderlab XLSX workbook with the Python standard library (zipfile, xml.etree).

Usage: check_xlsx.py WORKBOOK.xlsx [--sheets A,B,...] [--cell SHEET!A1=TEXT]...
                     [--summary RUN/summary.json] [--comparison COMPARE.json] [--study REPORT.json]

--sheets: these sheets exist, in this order (others may come between them).
--cell: the cell's text (shared or inline string, number, TRUE/FALSE) is TEXT.
--summary: the sheet KPIs holds every KPI of a run's summary.json with its value.
--comparison: the sheets Means and Differences hold the numbers of `compare --json`.
--study: the sheet "Design points" holds every point of `report --json`, with its probability.
Also checks that the workbook's creation date is the fixed one (reproducible bytes).
"""
import argparse
import json
import math
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
FIXED_DATE = "2025-01-01T00:00:00Z"


def column_index(reference):
    letters = re.match(r"[A-Z]+", reference).group(0)
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


class Workbook:
    def __init__(self, path):
        self.zip = zipfile.ZipFile(path)
        strings = []
        if "xl/sharedStrings.xml" in self.zip.namelist():
            root = ET.fromstring(self.zip.read("xl/sharedStrings.xml"))
            for item in root.findall("m:si", NS):
                strings.append("".join(t.text or "" for t in item.iter("{%s}t" % NS["m"])))
        self.strings = strings
        workbook = ET.fromstring(self.zip.read("xl/workbook.xml"))
        rels = ET.fromstring(self.zip.read("xl/_rels/workbook.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target") for rel in rels.findall("rel:Relationship", NS)}
        self.sheets = []
        for sheet in workbook.find("m:sheets", NS):
            target = targets[sheet.get("{%s}id" % NS["r"])]
            self.sheets.append((sheet.get("name"), "xl/" + target.lstrip("/").replace("xl/", "", 1)))
        self.core = self.zip.read("docProps/core.xml").decode()

    def rows(self, name):
        """The sheet as a list of rows, each a list of cell texts ('' when empty)."""
        path = dict(self.sheets)[name]
        root = ET.fromstring(self.zip.read(path))
        rows = []
        for row in root.iter("{%s}row" % NS["m"]):
            cells = []
            for cell in row.findall("m:c", NS):
                index = column_index(cell.get("r"))
                while len(cells) < index:
                    cells.append("")
                kind = cell.get("t")
                value = cell.find("m:v", NS)
                if kind == "s":
                    text = self.strings[int(value.text)]
                elif kind == "inlineStr":
                    text = "".join(t.text or "" for t in cell.iter("{%s}t" % NS["m"]))
                elif kind == "b":
                    text = "TRUE" if value.text == "1" else "FALSE"
                else:
                    text = value.text if value is not None else ""
                cells.append(text)
            row_index = int(row.get("r")) - 1
            while len(rows) < row_index:
                rows.append([])
            rows.append(cells)
        return rows


def same_number(text, expected):
    try:
        return math.isclose(float(text), float(expected), rel_tol=1e-9, abs_tol=1e-9)
    except ValueError:
        return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("workbook")
    parser.add_argument("--sheets", default="")
    parser.add_argument("--cell", action="append", default=[])
    parser.add_argument("--summary")
    parser.add_argument("--comparison")
    parser.add_argument("--study")
    arguments = parser.parse_args()
    book = Workbook(arguments.workbook)
    failures = []
    names = [name for name, _ in book.sheets]

    if FIXED_DATE not in book.core:
        failures.append("docProps/core.xml does not carry the fixed creation date %s" % FIXED_DATE)
    position = 0
    for wanted in filter(None, arguments.sheets.split(",")):
        if wanted not in names[position:]:
            failures.append("no sheet %r after position %d in %s" % (wanted, position, names))
        else:
            position = names.index(wanted, position) + 1

    for spec in arguments.cell:
        where, expected = spec.split("=", 1)
        sheet, reference = where.rsplit("!", 1)
        rows = book.rows(sheet)
        r, c = int(re.search(r"\d+", reference).group(0)) - 1, column_index(reference)
        found = rows[r][c] if r < len(rows) and c < len(rows[r]) else ""
        if found != expected and not same_number(found, expected):
            failures.append("%s: expected %r, found %r" % (where, expected, found))

    if arguments.summary:
        kpis = json.load(open(arguments.summary))["kpis"]
        rows = book.rows("KPIs")
        table = {row[0]: row[1] for row in rows[1:] if len(row) >= 2}
        if rows[0][:2] != ["KPI", "value"]:
            failures.append("KPIs: header %r" % rows[0])
        for name, value in kpis.items():
            if not same_number(table.get(name, "missing"), value):
                failures.append("KPIs: %s is %r, summary.json says %r" % (name, table.get(name), value))

    if arguments.comparison:
        comparison = json.load(open(arguments.comparison))
        means = {row[0]: row[1:] for row in book.rows("Means")[1:]}
        differences = {(row[0], row[1]): row for row in book.rows("Differences")[1:]}
        for row in comparison["kpis"]:
            got = means.get(row["kpi"])
            if got is None or not all(same_number(g, m) for g, m in zip(got, row["means"])):
                failures.append("Means: %s is %r, the JSON says %r" % (row["kpi"], got, row["means"]))
            for i, difference in enumerate(row["differences"]):
                label = "[%d] %s" % (i + 1, comparison["labels"][i + 1])
                cells = differences.get((row["kpi"], label))
                if cells is None or not same_number(cells[4], difference["mean"]):
                    failures.append("Differences: %s %s is %r, the JSON says %r" % (row["kpi"], label, cells, difference))
                elif difference["ci95_low"] is not None and not same_number(cells[5], difference["ci95_low"]):
                    failures.append("Differences: %s %s low %r, the JSON says %r" % (row["kpi"], label, cells[5], difference["ci95_low"]))

    if arguments.study:
        study = json.load(open(arguments.study))
        rows = book.rows("Design points")
        header = rows[0]
        p_column = next(i for i, h in enumerate(header) if h.startswith("P("))
        if len(rows) - 1 != len(study["per_point"]):
            failures.append("Design points: %d rows for %d points" % (len(rows) - 1, len(study["per_point"])))
        for row, point in zip(rows[1:], study["per_point"]):
            probability = point["outcome_probability"]
            if probability["n"] and not same_number(row[p_column], probability["p"]):
                failures.append("Design points: point %s has P %r, the JSON says %r" % (row[0], row[p_column], probability["p"]))

    print("%s: %d sheets: %s" % (arguments.workbook, len(names), ", ".join(names)))
    for failure in failures:
        print("FAILED: " + failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
