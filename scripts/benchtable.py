"""BENCHMARKS.md's generated tables. Each lies between `<!-- NAME -->` and `<!-- /NAME -->` and
is written by its script from committed JSON; given `--check`, the script changes nothing and
fails when the file's table is not what the JSON gives (GeneratedTablesTests runs every script
so). A script prints its table inside `with publishing(NAME, script=..., sources=...):`."""
import contextlib
import io
import sys

PATH = "BENCHMARKS.md"


def arguments():
    """The command line without `--check`."""
    return [a for a in sys.argv[1:] if a != "--check"]


@contextlib.contextmanager
def publishing(name, script, sources):
    """Collects what the block prints, then writes it between the NAME markers (and prints it),
    or, with --check, compares it with what is there."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        yield
    block = buffer.getvalue()
    begin, end = f"<!-- {name} -->\n", f"<!-- /{name} -->"
    text = open(PATH).read()
    if begin not in text or end not in text:
        sys.exit(f"{PATH} lacks the {name} markers ({begin.strip()} ... {end})")
    head, rest = text.split(begin, 1)
    current = rest[:rest.index(end)]
    command = f"{script} {' '.join(sources)}"
    if "--check" in sys.argv:
        if current != block:
            sys.exit(f"{PATH}'s {name} table is not what its JSON gives; run {command}\n"
                     f"--- in {PATH}:\n{current}--- from the JSON:\n{block}")
        print(f"{PATH}'s {name} table matches {' '.join(sources)}")
        return
    open(PATH, "w").write(head + begin + block + rest[rest.index(end):])
    print(block, end="")
