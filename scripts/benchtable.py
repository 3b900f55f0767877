"""The generated tables of BENCHMARKS.md (and README.md's "Performance, measured" block). Each
lies between `<!-- NAME -->` and `<!-- /NAME -->` and is written by its script from committed
JSON; given `--check`, the script changes nothing and fails when the file's table is not what
the JSON gives (BenchmarkTablesTests runs every script so). A script prints its table inside
`with publishing(NAME, script=..., sources=...):`, and `path="README.md"` for a README block."""
import contextlib
import io
import json
import statistics
import sys


def arguments():
    """The command line without `--check`."""
    return [a for a in sys.argv[1:] if a != "--check"]


def one_json(usage):
    """The one JSON file the command line names (besides `--check`), as a sources list, and
    its contents."""
    source = arguments()
    if len(source) != 1:
        sys.exit(f"usage: {usage}")
    return source, json.load(open(source[0]))


@contextlib.contextmanager
def publishing(name, script, sources, path="BENCHMARKS.md"):
    """Collects what the block prints, then writes it between the NAME markers (and prints it),
    of `path`, or, with --check, compares it with what is there."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        yield
    block = buffer.getvalue()
    begin, end = f"<!-- {name} -->\n", f"<!-- /{name} -->"
    text = open(path).read()
    if begin not in text or end not in text:
        sys.exit(f"{path} lacks the {name} markers ({begin.strip()} ... {end})")
    head, rest = text.split(begin, 1)
    current = rest[:rest.index(end)]
    command = f"{script} {' '.join(sources)}"
    if "--check" in sys.argv:
        if current != block:
            sys.exit(f"{path}'s {name} table is not what its JSON gives; run {command}\n"
                     f"--- in {path}:\n{current}--- from the JSON:\n{block}")
        print(f"{path}'s {name} table matches {' '.join(sources)}")
        return
    open(path, "w").write(head + begin + block + rest[rest.index(end):])
    print(block, end="")


def median_range(values, digits=0, unit=""):
    """The median of several runs, with [the range] when the runs differ at this precision."""
    form = f"{{:,.{digits}f}}"
    median = form.format(statistics.median(values)) + unit
    low, high = form.format(min(values)), form.format(max(values))
    return median if low == high else f"{median} [{low}–{high}]"


def measured_on(data, runs_of):
    """The words saying where a committed JSON's runs come from: commit, build, date, machine
    and its load (`data` as scripts/bench.py writes it), or, for runs transcribed from an older
    document, where from (`transcribed_from`)."""
    if "transcribed_from" in data:
        return f"{runs_of}, transcribed from {data['transcribed_from']}."
    machine = data["machine"]
    return (f"commit {data['commit'][:7]}{'+uncommitted' if data['commit'].endswith('+uncommitted') else ''}, "
            f"{data['build']} build, {data['date'][:10]}, {runs_of}; {machine['cpu']}, {machine['cores']} cores, "
            f"load average {machine['load_average_1min_at_start']:g} at the start and "
            f"{machine['load_average_1min_at_end']:g} at the end.")
