#!/usr/bin/env python3
"""Regenerates the example outputs the documentation shows, from the current build.

Usage:
  scripts/update-docs.py [--build DIR]           rewrite every generated block in place
  scripts/update-docs.py --check [--build DIR]   change nothing; exit 1 and show the difference
                                                 when a committed block is not what the build
                                                 prints (the CTest test "docs: ..." runs this)
  scripts/update-docs.py --list                  list the recipes

DIR is the CMake build folder (default: build/ in the repository). After an intended change of
the model or of a message, run it without --check and review the diff before committing.

A generated block in README.md or docs/**/*.md is everything between two markers:

  <!-- begin generated: NAME -->
  ```
  $ tenderlab ...
  ...
  ```
  <!-- end generated -->

NAME is one of the recipes below; each runs its commands and returns the block's text, fences
included. Text outside the markers is never touched. The commands run as the docs show them, from
the repository's top folder: in a scratch copy of scenarios/ and tests/ with `tenderlab` (and
`./build/cli/tenderlab`) the build's program, and with every path under /tmp/ in a command moved
into the scratch folder (and shown as /tmp/ again in the output), so nothing outside it is
written. Long outputs are cut the way the docs cut them, with "...".

Wall-clock timings ("in 0.48 s", "wall_seconds") differ from one run to the next: --check reads
them as "N" on both sides, and only a rewrite updates them.
"""

import argparse
import difflib
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

SOURCE = pathlib.Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"<!-- begin generated: (\S+) -->\n(.*?)<!-- end generated -->\n", re.DOTALL)
VOLATILE = [
    (re.compile(r"\bin \d+(\.\d+)?(e-?\d+)? s\b"), "in N s"),
    (re.compile(r'"wall_seconds":\d+(\.\d+)?(e-?\d+)?'), '"wall_seconds":N'),
    (re.compile(r"elapsed \d[\dhms]*  ETA (\d[\dhms]*|--)"), "elapsed N  ETA N"),
    # The help lists an option's exclusions in an order that follows memory addresses (it
    # differs in a sanitizer build): compared sorted.
    (re.compile(r"Excludes:((?: --?[\w-]+)+)"),
     lambda match: "Excludes: " + " ".join(sorted(match.group(1).split()))),
]


class Workspace:
    """The scratch folder commands run in, and what earlier commands left there."""

    def __init__(self, build):
        self.root = pathlib.Path(tempfile.mkdtemp(prefix="tenderlab-docs-"))
        self.tmp = self.root / "tmp"
        self.tmp.mkdir()
        for folder in ["scenarios", "tests/golden", "tests/scenario"]:
            shutil.copytree(SOURCE / folder, self.root / folder)
        bin_dir = self.root / "bin"
        bin_dir.mkdir()
        (self.root / "build" / "cli").mkdir(parents=True)
        programs = {"tenderlab": build / "cli" / "tenderlab",
                    "tenderlab-mpi": build / "cli" / "tenderlab-mpi"}
        if not programs["tenderlab"].exists():
            sys.exit(f"{programs['tenderlab']}: no such program: build first, or give --build")
        for name, program in programs.items():
            if program.exists():
                (bin_dir / name).symlink_to(program)
                (self.root / "build" / "cli" / name).symlink_to(program)
        self.has_mpi = programs["tenderlab-mpi"].exists() and shutil.which("mpirun") is not None
        self.env = dict(os.environ, PATH=f"{bin_dir}:{os.environ.get('PATH', '')}",
                        LC_ALL="C.UTF-8", COLUMNS="80")
        self.done = set()

    def close(self):
        shutil.rmtree(self.root, ignore_errors=True)

    def real(self, command):
        """The command as it runs: /tmp/ paths inside the scratch folder."""
        return command.replace("/tmp/", f"{self.tmp}/")

    def shown(self, text):
        return text.replace(f"{self.tmp}/", "/tmp/").replace(str(self.tmp), "/tmp")

    def run(self, command, status=0, stdin=None, timeout=600):
        """Runs a shell command; returns what it printed on stdout and stderr, in order."""
        result = subprocess.run(["bash", "-c", self.real(command)], cwd=self.root, env=self.env,
                                stdin=subprocess.DEVNULL if stdin is None else None,
                                input=stdin, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, timeout=timeout, check=False)
        if status is not None and result.returncode != status:
            raise RuntimeError(f"`{command}` exited with {result.returncode}, expected {status}:\n"
                               f"{result.stdout}")
        return self.shown(result.stdout)

    def once(self, key, command):
        """Runs a preparation command the first time a recipe needs it."""
        if key not in self.done:
            self.run(command)
            self.done.add(key)


# Cutting long outputs ------------------------------------------------------------------------

def keep(text, pattern):
    """The lines matching pattern; each run of dropped lines becomes one "..."."""
    regex = re.compile(pattern)
    out, dropped = [], False
    for line in text.splitlines():
        if regex.search(line):
            out.append(line)
            dropped = False
        elif not dropped:
            out.append("...")
            dropped = True
    return "\n".join(out) + "\n"


def head_tail(text, head, tail=0):
    lines = text.splitlines()
    if len(lines) <= head + tail:
        return text
    return "\n".join(lines[:head] + ["..."] + (lines[-tail:] if tail else [])) + "\n"


def keep_entries(text, starts_entry):
    """The lines of text, keeping each entry for which starts_entry(line) is True on its first
    line (None: the line continues the current entry); each run of dropped entries becomes one
    "..."."""
    out, dropped, keeping = [], False, True
    for line in text.splitlines():
        starts = starts_entry(line)
        if starts is not None:
            keeping = starts
        if keeping:
            out.append(line)
            dropped = False
        elif not dropped:
            out.append("...")
            dropped = True
    return "\n".join(out) + "\n"


def points(text, wanted):
    """A study report with only the design points numbered in wanted (each with its indented
    lines); each run of dropped points becomes one "..."."""
    def starts(line):
        number = re.match(r"  #(\d+) ", line)
        if number:
            return int(number.group(1)) in wanted
        return None if line.startswith("      ") else True
    return keep_entries(text, starts)


def cut_lines(text, width):
    return "".join((line[:width] + "..." if len(line) > width else line) + "\n"
                   for line in text.splitlines())


def fenced(body, language=""):
    return f"```{language}\n{body}```\n"


def transcript(ws, *commands):
    """Commands, each shown after "$ " with its output: show(command, filter, exit status)."""
    text = ""
    for command, cut, status in commands:
        output = ws.run(command, status=status).rstrip("\n") + "\n"
        text += f"$ {command}\n" + (cut(output) if cut else output)
    return text


def shell(ws, *commands):
    return fenced(transcript(ws, *commands))


def show(command, cut=None, status=0):
    return (command, cut, status)


# Shared preparations -------------------------------------------------------------------------

NAICC_RUN = "tenderlab run scenarios/naicc-2025.json --out /tmp/naicc -q"
SMALL_RUN = "tenderlab run tests/golden/small.json --out /tmp/x2 -q"
SMALL_STUDY = "tenderlab study tests/golden/small-study.json -j2 --db /tmp/s.sqlite"
SPC_STUDY = "tenderlab study scenarios/studies/spc-round1-terms.json -j2 --db /tmp/spc.sqlite"


def naicc(ws):
    ws.once("naicc", NAICC_RUN)


def small_study_output(ws):
    """The first run of the small study into /tmp/s.sqlite (several pages show it)."""
    if not hasattr(ws, "small_study"):
        ws.run("rm -rf /tmp/s.sqlite /tmp/s-events")
        ws.small_study = ws.run(SMALL_STUDY.replace(" -q", "")).rstrip("\n") + "\n"
    return ws.small_study


def small_study(ws):
    small_study_output(ws)


def help_of(command):
    def recipe(ws):
        return shell(ws, show(f"{command} --help"))
    return recipe


# The recipes ---------------------------------------------------------------------------------

def readme_flagship(ws):
    output = ws.run("./build/cli/tenderlab run scenarios/naicc-2025.json --force")
    return fenced(output)


def readme_national(ws):
    output = ws.run("./build/cli/tenderlab run scenarios/korea-2025-2030.json --force")
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("target "))
    body = "$ ./build/cli/tenderlab run scenarios/korea-2025-2030.json\n...\n"
    return fenced(body + "\n".join(lines[start:]) + "\n")


def readme_compute(ws):
    path = "scenarios/variants/korea-2025-2030-demand-shock.json"
    output = ws.run(f"./build/cli/tenderlab run {path} --force")
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("target "))
    body = f"$ ./build/cli/tenderlab run {path}\n...\n"
    return fenced(body + "\n".join(lines[start:]) + "\n")


def readme_compare(ws):
    rows = r"^(paired|  \[|the KPIs of|KPI|awarded |bids_round_3 |gpus_online_end_202[89] |public_money_bn_krw |tax_credit_bn_krw )"
    text = ws.run("tenderlab compare scenarios/naicc-2025.json "
                  "scenarios/variants/r3-capital-site-allowed.json -r 40 -j2 -q")
    body = "$ ./build/cli/tenderlab compare scenarios/naicc-2025.json " \
           "scenarios/variants/r3-capital-site-allowed.json -r 40 -j2 -q\n"
    lines = [line for line in text.splitlines() if re.search(rows, line)]
    return fenced(body + "\n".join(lines) + "\n")


def spc_study_output(ws):
    if "spc-study" not in ws.done:
        ws.spc_study = ws.run(SPC_STUDY)
        ws.done.add("spc-study")
    return ws.spc_study


def readme_study(ws):
    text = spc_study_output(ws)
    lines = text.splitlines()
    first_point = lines.index("per design point (mean [95% CI]):")
    bidders = lines.index("bidders per round (runs with 0, 1, 2, ... bids):")
    prim = next(i for i, line in enumerate(lines) if line.startswith("scenario discovery"))
    body = lines[:first_point + 3] + ["  ..."] + lines[bidders:bidders + 3] + lines[prim:prim + 2]
    command = SPC_STUDY.replace("tenderlab ", "./build/cli/tenderlab ", 1)
    return fenced(f"$ {command}\n" + "\n".join(body) + "\n")


def cli_validate(ws):
    return shell(ws,
                 show("tenderlab validate scenarios/naicc-2025.json tests/golden/small.json"),
                 show("tenderlab validate tests/scenario/invalid/out-of-range.json", status=2))


def cli_wrong_kind(ws):
    ws.once("x2", SMALL_RUN)
    return shell(ws,
                 show("tenderlab validate tests/golden/small-study.json", status=2),
                 show("tenderlab run /tmp/x2/summary.json", status=2),
                 show("tenderlab replay /tmp/x2", status=2))


def cli_study_dry_run(ws):
    return shell(ws, show("tenderlab study tests/golden/small-study.json --dry-run --db /tmp/d.sqlite"))


def cli_study_progress(ws):
    ws.run("rm -f /tmp/p.sqlite")
    return shell(ws, show("tenderlab study tests/golden/small-study.json -j2 --db /tmp/p.sqlite "
                          "--progress-every 24 --progress-seconds 0 > /dev/null"))


def cli_run(ws):
    ws.run("rm -rf /tmp/naicc")
    ws.done.discard("naicc")
    block = shell(ws,
                  show("tenderlab run scenarios/naicc-2025.json --out /tmp/naicc",
                       lambda t: head_tail(t, 5, 4)),
                  show("tenderlab run scenarios/naicc-2025.json --out /tmp/naicc", status=2))
    ws.done.add("naicc")
    return block


def section(text, title, count):
    """The line starting with title and the count - 1 lines after it, between "..." lines."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    return "\n".join(["..."] + lines[start:start + count] + ["..."]) + "\n"


def cli_params(ws):
    count_tables = ("tenderlab params --json | python3 -c \"import json,sys; t=json.load(sys.stdin); "
                    "print(len(t), 'tables,', sum(len(x['params']) for x in t), 'keys')\"")
    return shell(ws, show("tenderlab params", lambda t: section(t, "Project assumptions", 4)),
                 show(count_tables))


def kinds_of(text, wanted):
    """A `tenderlab kinds` listing with only the kinds named in wanted (each with its indented
    lines); each run of dropped kinds becomes one "..."."""
    return keep_entries(
        text, lambda line: None if line.startswith(" ") else line.split(":")[0] in wanted)


def cli_kinds(ws):
    return shell(ws, show("tenderlab kinds", lambda t: kinds_of(t, {"builder", "government"})),
                 show("tenderlab kinds --json", lambda t: head_tail(t, 18)))


def cli_kpis(ws):
    ws.run("cp tests/golden/small.json /tmp/small.json && "
           "sed 's/\"bids_round_1\"/\"bid_round_1\"/' tests/golden/small-study.json > /tmp/typo.json")
    return shell(ws, show("tenderlab kpis tests/golden/small.json", lambda t: head_tail(t, 6, 3)),
                 show("tenderlab kpis tests/golden/small.json --json", lambda t: head_tail(t, 6)),
                 show("tenderlab study /tmp/typo.json", status=2))


def cli_export(ws):
    small_study(ws)
    return shell(ws, show("tenderlab export /tmp/s.sqlite --out /tmp/s-export"),
                 show("head -3 /tmp/s-export/runs.csv"),
                 show("head -4 /tmp/s-export/effects.csv"))


def cli_study(ws):
    return fenced(f"$ {SMALL_STUDY}\n" + head_tail(small_study_output(ws), 9) +
                  transcript(ws, show("tenderlab study scenarios/studies/naicc-2025-history.json "
                                      "--db /tmp/s.sqlite", status=2)))


def cli_report(ws):
    small_study(ws)
    return shell(ws,
                 show("tenderlab report tests/golden/small-study.json --db /tmp/s.sqlite --digest"),
                 show('tenderlab report tests/golden/small-study.json --db /tmp/s.sqlite '
                      '--outcome "bids_round_1 >= 1"', lambda t: head_tail(t, 6, 5)),
                 show('tenderlab report tests/golden/small-study.json --db /tmp/s.sqlite '
                      '--outcome "bids_round_1 => 1"', status=2),
                 show('tenderlab report tests/golden/small-study.json --db /tmp/s.sqlite '
                      '--outcome "any_bid_round_1 >= 1"', status=2))


def cli_compare(ws):
    rows = (r"^(paired|  \[|the KPIs of|KPI|(naicc-spc\.)?(any_bid_round_1|award_round|awarded|"
            r"best_value_round_1|bids_round_1) )")
    pair = "scenarios/variants/r1-historical.json scenarios/variants/r1-round3-terms.json"
    return shell(ws, show(f"tenderlab compare {pair} -r 10 -j2", lambda t: keep(t, rows)),
                 show(f"tenderlab compare {pair} -r 10 -j2 -q --kpis bids_round_1,best_value_round_1"),
                 show(f"tenderlab compare {pair} -r 10 -j2 -q --kpis bid_round_1", status=2))


def cli_replay(ws):
    naicc(ws)
    return shell(ws, show("tenderlab replay /tmp/naicc/manifest.json"),
                 show("tenderlab replay /tmp/naicc/manifest.json --verify"))


def cli_replay_schema(ws):
    naicc(ws)
    ws.run("rm -rf /tmp/schema2 && cp -r /tmp/naicc /tmp/schema2 && "
           "sed -i 's/\"event_log_schema\": 1/\"event_log_schema\": 2/' /tmp/schema2/manifest.json")
    return shell(ws, show("tenderlab replay /tmp/schema2/manifest.json --verify", status=2))


def cli_diff(ws):
    naicc(ws)
    ws.run("jq '.name = \"naicc-r3-tax-credit-15\" | .calls[0].procedure.rounds[1].terms.tax_credit = 0.15' "
           "scenarios/naicc-2025.json "
           "> /tmp/naicc-r3-tax-credit-15.json && rm -rf /tmp/naicc-tax15 && "
           "tenderlab run /tmp/naicc-r3-tax-credit-15.json --out /tmp/naicc-tax15 -q")
    return shell(ws, show("tenderlab diff /tmp/naicc /tmp/naicc-tax15",
                          lambda t: cut_lines(t, 150), status=1),
                 show("tenderlab diff /tmp/naicc /tmp/naicc/events.jsonl"))


def cli_worker(ws):
    scenario = json.loads((SOURCE / "tests" / "golden" / "small.json").read_text())
    task = {"run_id": "p00000-r000", "point": 0, "replication": 0, "seed": 7,
            "payload": {"scenario": scenario, "kpis": ["awarded", "rounds", "gpu-lot.awarded"]}}
    (ws.tmp / "task.jsonl").write_text(json.dumps(task) + "\n")
    return shell(ws, show("tenderlab worker < /tmp/task.jsonl"))


def cli_mpi(ws):
    if not ws.has_mpi:
        return None
    ws.run("rm -f /tmp/mpi.sqlite")
    return shell(ws, show("mpirun --allow-run-as-root --oversubscribe -np 2 tenderlab-mpi "
                          "tests/golden/small-study.json --db /tmp/mpi.sqlite"),
                 show("tenderlab report tests/golden/small-study.json --db /tmp/mpi.sqlite --digest"))


def cluster_summary(ws):
    """A resumed MPI run: the study is stopped part-way (SIGINT once 20 runs are recorded), then
    tenderlab-mpi runs the rest."""
    if not ws.has_mpi:
        return None
    ws.run("rm -f /tmp/c.sqlite; tenderlab study tests/golden/small-study.json -j1 "
           "--db /tmp/c.sqlite -q & pid=$!; "
           "for i in $(seq 1 600); do n=0; [ -s /tmp/c.sqlite ] && n=$(sqlite3 /tmp/c.sqlite "
           "'select count(*) from runs' 2>/dev/null || echo 0); [ \"${n:-0}\" -ge 20 ] && break; sleep 0.05; done; "
           "kill -INT $pid; wait $pid || true", status=None)
    output = ws.run("mpirun --allow-run-as-root --oversubscribe -np 3 tenderlab-mpi "
                    "tests/golden/small-study.json --db /tmp/c.sqlite")
    return fenced(output.rstrip("\n") + "\n")


def mpi_help(ws):
    if not ws.has_mpi:
        return None
    return shell(ws, show("tenderlab-mpi --help"))


def html_report_edited(ws):
    naicc(ws)
    ws.run("rm -rf /tmp/naicc-edited && cp -r /tmp/naicc /tmp/naicc-edited && "
           "sed -i '1s/\"seed\":20250123/\"seed\":1/' /tmp/naicc-edited/events.jsonl")
    return shell(ws, show("tenderlab report /tmp/naicc-edited --html /tmp/x.html", status=2))


def outputs_refused(ws):
    naicc(ws)
    return shell(ws, show("tenderlab run scenarios/naicc-2025.json --out /tmp/naicc", status=2))


def outputs_timeline(ws):
    ws.run("rm -rf /tmp/naicc-timeline")
    text = ws.run("tenderlab run scenarios/naicc-2025.json --out /tmp/naicc-timeline")
    return fenced(head_tail(text, 8, 9).replace("/tmp/naicc-timeline/", "/tmp/naicc/"))


def outputs_tenders(ws):
    naicc(ws)
    text = ws.run("cat /tmp/naicc/tenders.csv").replace("\r\n", "\n")

    def shorten_field(match):
        # top_reasons and interactions: the first two agents and the last, the others as "..."
        agents = match.group(1).split(" | ")
        if len(agents) <= 3:
            return match.group(0)
        return '"' + " | ".join(agents[:2] + ["..."] + agents[-1:]) + '"'

    def shorten(line):
        return re.sub(r'"([^"]*)"', shorten_field, line)

    return fenced("\n".join(shorten(line) for line in text.splitlines()) + "\n")


def outputs_timeseries(ws):
    naicc(ws)
    text = ws.run("cat /tmp/naicc/timeseries.csv").replace("\r\n", "\n")
    return fenced(keep(text, r"^(date|2025-0[23]-01|2028-0[45]-01|2030-12-01)"))


def outputs_gpus_online(ws):
    ws.once("korea", "tenderlab run scenarios/korea-2025-2030.json --out /tmp/korea -q --force")
    text = ws.run("cat /tmp/korea/gpus_online.csv").replace("\r\n", "\n")
    return fenced(keep(text, r"^(date|2025-02-01,(kt|naver-cloud),|2030-12-01,(kt|samsung-sds),)"))


def outputs_summary(ws):
    naicc(ws)
    return fenced(ws.run("cat /tmp/naicc/summary.json"), "json")


def outputs_small_kpis(ws):
    ws.once("x2", SMALL_RUN)
    return shell(ws, show("jq .kpis /tmp/x2/summary.json"))


def outputs_manifest(ws):
    naicc(ws)
    return fenced(ws.run("cat /tmp/naicc/manifest.json"), "json")


def event_log_example(ws):
    ws.once("x", "tenderlab run tests/golden/small.json --out /tmp/x -q")
    lines = ws.run("cat /tmp/x/events.jsonl").splitlines()
    wanted = [1, 2, 3, 7, 8, 16, 21, 22, 23, 24, 39, 40, 41, 42, 59, 75]
    return fenced("".join(lines[n - 1] + "\n" for n in wanted))


def event_log_jq(ws):
    naicc(ws)
    query = ("jq -c 'select(.type==\"bid_decision\" and .decision==\"no_bid\" and .round==1) | "
             "{agent, value_bn_krw, costs: ([.effects[] | select(.delta_bn_krw < 0)] | "
             "sort_by(.delta_bn_krw) | map(\"\\(.term) \\(.delta_bn_krw)\"))}' "
             "/tmp/naicc/events.jsonl")
    return shell(ws, show(query, lambda t: head_tail(t, 3)))


def study_small(ws):
    return fenced(f"$ {SMALL_STUDY}\n" + points(small_study_output(ws), {0, 1, 2, 8, 17}) +
                  transcript(ws, show("ls /tmp/s-events")))


def study_resume(ws):
    small_study(ws)
    return shell(ws, show("tenderlab study tests/golden/small-study.json -j2 --db /tmp/s.sqlite",
                          lambda t: head_tail(t, 1)),
                 show("tenderlab report tests/golden/small-study.json --db /tmp/s.sqlite --digest"))


def study_spc(ws):
    text = spc_study_output(ws)
    lines = text.splitlines()
    first = lines.index("per design point (mean [95% CI]):")
    more = next(i for i, line in enumerate(lines) if line.startswith("  ... "))
    body = lines[:first + 1 + 12] + ["..."] + lines[more:]
    return fenced(f"$ {SPC_STUDY}\n" + "\n".join(body) + "\n")


def spc_study_results(ws):
    """docs/studies/spc-round1-terms.md: the analysis part of the study's output, then the
    scenario discovery for the opposite outcome."""
    lines = spc_study_output(ws).splitlines()
    bidders = lines.index("bidders per round (runs with 0, 1, 2, ... bids):")
    prim = next(i for i, line in enumerate(lines) if line.startswith("scenario discovery"))
    report = ws.run('tenderlab report scenarios/studies/spc-round1-terms.json --db /tmp/spc.sqlite '
                    '--outcome "bids_round_1 >= 1"').splitlines()
    other = next(i for i, line in enumerate(report) if line.startswith("scenario discovery"))
    return (fenced("\n".join(lines[bidders:bidders + 2] + [""] + lines[prim:prim + 2]) + "\n") +
            "\n" + fenced("\n".join(report[other:other + 2]) + "\n"))


def spc_study_levels(ws):
    """The share of the study's runs without a bid, by factor level, read from its database."""
    import sqlite3
    spc_study_output(ws)
    study = json.loads((SOURCE / "scenarios" / "studies" / "spc-round1-terms.json").read_text())
    database = sqlite3.connect(ws.real("/tmp/spc.sqlite"))
    factors = {point: json.loads(text)
               for point, text in database.execute("select point, factors from points")}
    runs = [(factors[point], value) for point, value in database.execute(
        "select runs.point, kpis.value from runs join kpis using (run_id) "
        "where kpis.name = 'bids_round_1' and runs.status = 'ok'")]
    database.close()
    rows = ["| factor | levels | P(no bid) | runs |", "|---|---|---|---|"]
    for factor in study["factors"]:
        name = factor["name"]
        if "values" in factor:
            bins = [(json.dumps(v), lambda x, v=v: x == v) for v in factor["values"]]
        else:
            low, high, count = factor["min"], factor["max"], 4
            width = (high - low) / count
            edges = [low + i * width for i in range(count + 1)]
            bins = [(f"{edges[i]:.3g}–{edges[i + 1]:.3g}",
                     lambda x, a=edges[i], b=edges[i + 1], last=(i == count - 1):
                     a <= x < b or (last and x == b)) for i in range(count)]
        shares, counts = [], []
        for label, inside in bins:
            values = [value for point, value in runs if inside(point[name])]
            shares.append(f"{sum(1 for v in values if v == 0) / len(values):.2f}" if values else "–")
            counts.append(str(len(values)))
        rows.append(f"| `{name}` | {', '.join(label for label, _ in bins)} | "
                    f"{', '.join(shares)} | {', '.join(counts)} |")
    return "\n".join(rows) + "\n"


def study_morris(ws):
    study = json.loads((SOURCE / "scenarios" / "studies" / "spc-round1-terms.json").read_text())
    study["design"] = {"type": "morris", "trajectories": 10, "levels": 4}
    study["base"] = str(ws.root / "scenarios" / "naicc-2025.json")
    study["$schema"] = str(ws.root / "scenarios" / "schema" / "study.schema.json")
    (ws.tmp / "spc-morris.json").write_text(json.dumps(study, indent=2) + "\n")
    ws.run("rm -f /tmp/m.sqlite")
    text = ws.run("tenderlab study /tmp/spc-morris.json -j2 --db /tmp/m.sqlite")
    lines = text.splitlines()
    start = lines.index("sensitivity (Morris mu*, sigma):")
    prim = next(i for i, line in enumerate(lines) if line.startswith("scenario discovery"))
    body = ["..."] + lines[start:start + 4] + ["..."] + lines[prim:prim + 2]
    return fenced("$ tenderlab study /tmp/spc-morris.json -j2 --db /tmp/m.sqlite\n" +
                  "\n".join(body) + "\n")


def study_history(ws):
    ws.run("rm -f /tmp/hist.sqlite")
    return shell(ws, show("tenderlab study scenarios/studies/naicc-2025-history.json -j2 "
                          "--db /tmp/hist.sqlite"))


def study_invalid(ws):
    return shell(ws, show("tenderlab report tests/scenario/invalid-study/not-a-pointer.json",
                          status=2))


def study_bad(ws):
    study = json.loads((SOURCE / "tests" / "golden" / "small-study.json").read_text())
    study.update(name="Small Study", factors=[], design={"type": "sobol", "samples": 1},
                 base=str(ws.root / "tests" / "golden" / "small.json"))
    (ws.tmp / "st").mkdir(exist_ok=True)
    (ws.tmp / "st" / "bad.json").write_text(json.dumps(study, indent=2) + "\n")
    return shell(ws, show("tenderlab study /tmp/st/bad.json --db /tmp/st/bad.sqlite", status=2))


def scenario_unknown_key(ws):
    return fenced(ws.run("tenderlab validate tests/scenario/invalid/unknown-key.json", status=2))


def scenario_edited(ws):
    ws.run("jq '.agents[2].capitol_bn_krw = .agents[2].capital_bn_krw | del(.agents[2].capital_bn_krw)"
           " | .agents[8].capital_bn_krw = -3000 | .relationships[0].to = \"samsung-electronic\"' "
           "scenarios/naicc-2025.json > /tmp/naicc-edited.json")
    return fenced(ws.run("tenderlab validate /tmp/naicc-edited.json", status=2))


def scenario_truncated(ws):
    size = (ws.root / "scenarios" / "naicc-2025.json").stat().st_size
    ws.run(f"head -c {size // 2} scenarios/naicc-2025.json > /tmp/truncated.json")
    return fenced(ws.run("tenderlab validate /tmp/truncated.json", status=2))


# The calibration of the flagship scenario (docs/calibration/naicc-2025.md): one run of
# `tenderlab calibrate`, read by the recipes below.
NAICC_CALIBRATION = ("tenderlab calibrate scenarios/naicc-2025.json --draws 800 -r 5 -j2 "
                     "--out /tmp/naicc-calibration --progress-every 0 --progress-seconds 0")


def naicc_calibration(ws):
    """calibration.json of the flagship's calibration, run the first time a recipe needs it."""
    if "naicc-calibration" not in ws.done:
        ws.run("rm -rf /tmp/naicc-calibration")
        # 8000 runs: about 8 minutes at -j2 on a busy machine.
        ws.naicc_calibration_text = ws.run(NAICC_CALIBRATION, timeout=3600)
        ws.done.add("naicc-calibration")
    return json.loads((ws.tmp / "naicc-calibration" / "calibration.json").read_text())


def number(value, digits=3):
    """A number for a table: whole numbers as they are, from 100 on one decimal at most (no
    exponent), below that `digits` significant digits."""
    if value is None:
        return "-"
    if float(value).is_integer() and abs(value) >= 1:
        return str(int(value))
    if abs(value) >= 100:
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{value:.{digits}g}"


def calibration_naicc(ws):
    naicc_calibration(ws)
    return fenced(f"$ {NAICC_CALIBRATION}\n" + ws.naicc_calibration_text)


def calibration_naicc_table(ws):
    cal = naicc_calibration(ws)
    rows = ["| parameter | provenance | prior range | scenario value | posterior 5-95 % | "
            "posterior median | IQR ratio | KS distance | identified? |",
            "|---|---|---|---|---|---|---|---|---|"]
    posterior = {p["name"]: p for p in cal["posterior"]}
    for p in cal["parameters"]:
        q = posterior[p["name"]]
        post = q["posterior"]
        rows.append(
            f"| `{p['name']}` | assumed | {number(p['prior']['min'])}–{number(p['prior']['max'])} "
            f"| {number(p['scenario_value'])} | "
            + (f"{number(post['q05'])}–{number(post['q95'])} | {number(post['q50'])}" if post
               else "- | -")
            + f" | {number(q['iqr_ratio'], 2)} | {number(q['ks_distance'], 2)} | "
              f"{q['identification']} |")
    for p in cal["not_drawn"]:
        rows.append(f"| `{p['name']}` | {p['provenance']} | - | {number(p['scenario_value'])} | "
                    f"not drawn | | | | |")
    return "\n".join(rows) + "\n"


def calibration_naicc_acceptance(ws):
    cal = naicc_calibration(ws)
    a = cal["acceptance"]
    s = cal["settings"]
    return (f"| | value |\n|---|---|\n"
            f"| draws x seeds | {a['draws']} x {s['replications']} = {a['runs']} runs "
            f"({a['failed_runs']} failed) |\n"
            f"| threshold | a draw is accepted when >= {number(100 * s['min_match'])} % of its "
            f"{s['replications']} runs match `/history` |\n"
            f"| runs matching `/history`, all draws | {number(100 * a['match_share_all_runs'])} % |\n"
            f"| accepted draws | {a['accepted']} of {a['draws']} (acceptance rate "
            f"{number(100 * a['acceptance_rate'])} %) |\n"
            f"| accepted draws x seeds reproducing 0, 0, 1 bids | "
            f"{number(100 * a['bids_share_accepted_runs'])} % of {a['accepted_runs']} runs |\n"
            f"| accepted draws x seeds reproducing the whole `/history` | "
            f"{number(100 * a['match_share_accepted_runs'])} % of {a['accepted_runs']} runs |\n")


def calibration_naicc_bids(ws):
    """Bids per round over every draw and seed, from the calibration's results database."""
    import sqlite3
    naicc_calibration(ws)
    connection = sqlite3.connect(f"file:{ws.tmp / 'naicc-calibration' / 'calibration.sqlite'}"
                                 "?mode=ro", uri=True)
    try:
        rows = ["| round | runs held | runs with 0 bids | 1 bid | 2 or more |", "|---|---|---|---|---|"]
        for n in (1, 2, 3):
            counts = dict(connection.execute(
                "SELECT value, COUNT(*) FROM kpis WHERE name = ? GROUP BY value",
                (f"naicc-spc.bids_round_{n}",)).fetchall())
            held = sum(counts.values())
            more = sum(c for v, c in counts.items() if v >= 2)
            rows.append(f"| {n} | {held} | {counts.get(0.0, 0)} | {counts.get(1.0, 0)} | {more} |")
    finally:
        connection.close()
    return "\n".join(rows) + "\n"


def study_points_table(ws, command, database, lead, header, row_of):
    """Runs a study afresh and tabulates it, one row per design point: `row_of(factors, values)`
    gives a row's cells, where `values(kpi)` lists the point's values of a KPI by replication."""
    import sqlite3
    ws.run(f"rm -f {database}")
    ws.run(command)
    connection = sqlite3.connect(f"file:{ws.real(database)}?mode=ro", uri=True)
    try:
        rows = [f"`{command}`, then {lead}:", "", "| " + " | ".join(header) + " |",
                "|" + "---|" * len(header)]
        for point, factors in connection.execute("SELECT point, factors FROM points ORDER BY point"):
            def values(name, point=point):
                return [v for (v,) in connection.execute(
                    "SELECT k.value FROM kpis k JOIN runs r USING (run_id) "
                    "WHERE r.point = ? AND k.name = ? ORDER BY r.replication", (point, name))]
            rows.append("| " + " | ".join(row_of(json.loads(factors), values)) + " |")
    finally:
        connection.close()
    return "\n".join(rows) + "\n"


VALUATION_CONVENTIONS = ("tenderlab study scenarios/studies/naicc-2025-valuation-conventions.json "
                         "-j2 --db /tmp/conventions.sqlite")


def study_valuation_conventions(ws):
    """The 2025 history against the valuation's two conventions, one row per point."""
    def row(factors, values):
        matched, bids = values("history_match"), values("bids_round_3")
        awarded = [t for t, b in zip(values("tax_expenditure_bn_krw"), bids) if b >= 1]
        return [number(factors["price_decline_before_operations"]),
                number(factors["minimum_tax_rate"]),
                f"{int(sum(matched))} of {len(matched)}",
                str(sum(1 for b in bids if b >= 1)),
                number(sum(awarded) / len(awarded)) if awarded else "-"]
    return study_points_table(
        ws, VALUATION_CONVENTIONS, "/tmp/conventions.sqlite", "per point (10 seeds each)",
        ["price_decline_before_operations", "minimum_tax_rate", "history matched",
         "runs with a round-3 bid", "tax expenditure, bn KRW (mean of awarded runs)"], row)


BUDGET_BASIS = ("tenderlab study scenarios/studies/korea-2030-budget-basis.json "
                "-j2 --db /tmp/budget-basis.sqlite")


def study_budget_basis(ws):
    """The programme under the two bases of the ministry's budget, one row per point."""
    def row(factors, values):
        awarded, gpus, money = values("awarded"), values("gpus_online"), values(
            "public_money_bn_krw")
        return [factors["budget_basis"], str(factors["budget_disclosed"]).lower(),
                f"{int(sum(awarded))} of {len(awarded)}",
                number(sum(gpus) / len(gpus)), number(sum(money) / len(money))]
    return study_points_table(
        ws, BUDGET_BASIS, "/tmp/budget-basis.sqlite", "per point (10 seeds each, means)",
        ["budget_basis", "budget_disclosed", "runs where the centre signs", "GPUs online, end 2030",
         "public money committed, bn KRW"], row)


def calibration_naicc_compare(ws):
    naicc_calibration(ws)
    command = ("tenderlab compare scenarios/naicc-2025.json "
               "scenarios/variants/r3-capital-site-allowed.json -r 2 -j2 -q "
               "--parameter-sets /tmp/naicc-calibration/calibration.json "
               "--kpis any_bid_round_3,bids_round_3,awarded,gpus_online_end_2028,public_money_bn_krw")
    return shell(ws, show(command))


RECIPES = {
    "readme-flagship": readme_flagship,
    "readme-national": readme_national,
    "readme-compute": readme_compute,
    "readme-compare": readme_compare,
    "readme-study": readme_study,
    "help": help_of("tenderlab"),
    "help-validate": help_of("tenderlab validate"),
    "help-run": help_of("tenderlab run"),
    "help-params": help_of("tenderlab params"),
    "help-kinds": help_of("tenderlab kinds"),
    "help-kpis": help_of("tenderlab kpis"),
    "help-export": help_of("tenderlab export"),
    "help-study": help_of("tenderlab study"),
    "help-calibrate": help_of("tenderlab calibrate"),
    "help-report": help_of("tenderlab report"),
    "help-compare": help_of("tenderlab compare"),
    "help-replay": help_of("tenderlab replay"),
    "help-diff": help_of("tenderlab diff"),
    "help-worker": help_of("tenderlab worker"),
    "help-mpi": mpi_help,
    "cluster-summary": cluster_summary,
    "cli-validate": cli_validate,
    "cli-run": cli_run,
    "cli-params": cli_params,
    "cli-kinds": cli_kinds,
    "cli-kpis": cli_kpis,
    "cli-export": cli_export,
    "cli-study": cli_study,
    "cli-report": cli_report,
    "cli-compare": cli_compare,
    "cli-replay": cli_replay,
    "cli-replay-schema": cli_replay_schema,
    "cli-diff": cli_diff,
    "cli-wrong-kind": cli_wrong_kind,
    "cli-study-dry-run": cli_study_dry_run,
    "cli-study-progress": cli_study_progress,
    "cli-worker": cli_worker,
    "cli-mpi": cli_mpi,
    "html-report-edited": html_report_edited,
    "outputs-refused": outputs_refused,
    "outputs-timeline": outputs_timeline,
    "outputs-tenders": outputs_tenders,
    "outputs-timeseries": outputs_timeseries,
    "outputs-gpus-online": outputs_gpus_online,
    "outputs-summary": outputs_summary,
    "outputs-small-kpis": outputs_small_kpis,
    "outputs-manifest": outputs_manifest,
    "event-log-example": event_log_example,
    "event-log-jq": event_log_jq,
    "study-small": study_small,
    "study-resume": study_resume,
    "study-spc": study_spc,
    "spc-study-results": spc_study_results,
    "spc-study-levels": spc_study_levels,
    "study-morris": study_morris,
    "study-history": study_history,
    "study-valuation-conventions": study_valuation_conventions,
    "study-budget-basis": study_budget_basis,
    "study-invalid": study_invalid,
    "study-bad": study_bad,
    "scenario-unknown-key": scenario_unknown_key,
    "scenario-edited": scenario_edited,
    "scenario-truncated": scenario_truncated,
    "calibration-naicc": calibration_naicc,
    "calibration-naicc-table": calibration_naicc_table,
    "calibration-naicc-acceptance": calibration_naicc_acceptance,
    "calibration-naicc-bids": calibration_naicc_bids,
    "calibration-naicc-compare": calibration_naicc_compare,
}


# Whole studies of the flagship scenario (minutes on a busy machine), and the resumed MPI run,
# whose split between recorded and new runs depends on when the interrupt lands. --quick leaves
# their blocks as committed; any change of the model also changes the quick blocks (the flagship
# run's hash, the small study's digest), so the quick check still notices stale documentation.
SLOW = {"readme-compare", "readme-study", "study-spc", "study-morris", "study-history",
        "study-valuation-conventions",
        "cluster-summary", "spc-study-results", "spc-study-levels", "calibration-naicc",
        "calibration-naicc-table", "calibration-naicc-acceptance", "calibration-naicc-bids",
        "calibration-naicc-compare"}


SQL_BLOCK = re.compile(r"^```sql\n(.*?)^```\n", re.DOTALL | re.MULTILINE)
KPI_LITERAL = re.compile(r"\bname\s*=\s*'([^']*)'")


def check_sql_examples(ws):
    """Runs every ```sql block of the docs against a real results database (the small study's):
    a query naming a table or column that does not exist fails, and so does a KPI name compared
    with `name = '...'` that no run recorded (the query would run and return nothing)."""
    import sqlite3
    small_study_output(ws)
    database = ws.tmp / "sql-examples.sqlite"
    shutil.copyfile(ws.tmp / "s.sqlite", database)
    problems = []
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        recorded = {row[0] for row in connection.execute("SELECT DISTINCT name FROM kpis")}
        for path in documents():
            text = path.read_text()
            for match in SQL_BLOCK.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                where = f"{path.relative_to(SOURCE)}:{line}"
                try:
                    connection.executescript(match.group(1))
                except sqlite3.Error as error:
                    problems.append(f"{where}: the SQL example fails on a results database: {error}")
                    continue
                for name in KPI_LITERAL.findall(match.group(1)):
                    if name not in recorded:
                        problems.append(f"{where}: the SQL example names the KPI {name!r}, "
                                        f"which no run records")
    finally:
        connection.close()
    return problems


def documents():
    return [SOURCE / "README.md"] + sorted((SOURCE / "docs").rglob("*.md"))


def normalised(text):
    for regex, replacement in VOLATILE:
        text = regex.sub(replacement, text)
    return text


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 when a committed block differs")
    parser.add_argument("--build", default=str(SOURCE / "build"), help="CMake build folder")
    parser.add_argument("--quick", action="store_true",
                        help="leave the blocks of whole flagship studies as committed")
    parser.add_argument("--list", action="store_true", help="list the recipes")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(RECIPES))
        return 0

    ws = Workspace(pathlib.Path(args.build).resolve())
    problems, changed, skipped, used = [], [], [], set()
    try:
        for path in documents():
            original = path.read_text()

            def regenerate(match):
                name, committed = match.group(1), match.group(2)
                if name not in RECIPES:
                    problems.append(f"{path.relative_to(SOURCE)}: unknown recipe {name!r}")
                    return match.group(0)
                used.add(name)
                if args.quick and name in SLOW:
                    return match.group(0)
                fresh = RECIPES[name](ws)
                if fresh is None:  # cannot be produced here (no MPI): left as committed
                    skipped.append(name)
                    return match.group(0)
                if args.check and normalised(fresh) == normalised(committed):
                    fresh = committed  # only the timings differ
                return f"<!-- begin generated: {name} -->\n{fresh}<!-- end generated -->\n"

            updated = BLOCK.sub(regenerate, original)
            if updated == original:
                continue
            changed.append(path)
            if args.check:
                diff = difflib.unified_diff(original.splitlines(True), updated.splitlines(True),
                                            f"a/{path.relative_to(SOURCE)}",
                                            f"b/{path.relative_to(SOURCE)}")
                sys.stdout.writelines(diff)
            else:
                path.write_text(updated)
        problems += check_sql_examples(ws)
    finally:
        ws.close()
    unused = sorted(set(RECIPES) - used)
    if unused:
        problems.append("recipes no document uses (a marker was removed?): " + ", ".join(unused))
    for name in skipped:
        print(f"not regenerated here (needs mpirun and tenderlab-mpi): {name}")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    if args.check and changed:
        print(f"\nThe documented outputs above differ from what this build prints "
              f"({len(changed)} files). If the change is intended, run scripts/update-docs.py "
              f"and review and commit the diff.", file=sys.stderr)
        return 1
    if not args.check:
        print(f"regenerated the examples of {len(documents())} documents; "
              f"{len(changed)} changed: " + ", ".join(str(p.relative_to(SOURCE)) for p in changed))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
