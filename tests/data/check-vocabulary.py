#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks that lessons, legend, summary and tooltips call each state by one name (docs/glossary.md).

Reads the glossary's table, then fails when
- a state's title (il_state_get_title() in src/trace/il-types.c, which the legend, the tooltips
  and the task details show) lacks the state's English name, or its German translation in
  po/de.po lacks the German name;
- a lesson's text (Title, Explanation, Question, Answer, Label) uses a name the glossary lists as
  not to be used, in English, or in German for the [de] keys;
- a translatable string of the window, the pictures, the trace or the study room (src/app,
  src/render, src/trace, src/study, ui/*.ui) does, or its German translation.
Usage: check-vocabulary.py [--expect N] SOURCE_ROOT [GLOSSARY]
With --expect N it passes only when exactly N places are wrong (the check of the check, on the
tree in vocabulary-broken/).
"""
import glob
import os
import re
import sys

TEXT_KEYS = ("Title", "Explanation", "Question", "Answer", "Label")
# The command line prints the trace file's machine names (docs/glossary.md): not scanned.
SOURCE_DIRS = ("src/app", "src/render", "src/trace", "src/study")
LITERAL = r'"(?:[^"\\\n]|\\.)*"'
CALL = re.compile(r'(?<![A-Za-z0-9_])(?:_|N_|ngettext|g_dngettext\s*\(\s*GETTEXT_PACKAGE\s*,)\s*\(?\s*'
                  r'((?:' + LITERAL + r'\s*)+)(?:,\s*((?:' + LITERAL + r'\s*)+))?')


def unquote(pieces):
    """The C string of adjacent literals "a" "b"."""
    out = ""
    for lit in re.findall(LITERAL, pieces):
        out += bytes(lit[1:-1], "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
    return out


def read_glossary(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) != 6 or not line.startswith("|") or cells[0] in ("state", "") or \
               set(cells[0]) <= set("-"):
                continue
            split = lambda c: [w.strip() for w in c.split(";") if w.strip()]
            rows.append({"file": cells[1].strip("`"), "en": cells[2], "de": cells[3],
                         "not_en": split(cells[4]), "not_de": split(cells[5])})
    if not rows:
        sys.exit(f"{path}: no glossary table found")
    return rows


def read_po(path):
    """msgid -> msgstr (a plural's first form, joined with its other forms)."""
    entries, cur, key = {}, {}, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            m = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+(".*")$', line)
            if m:
                if m.group(1) == "msgid" and "msgid" in cur:
                    entries[cur["msgid"]] = "\n".join(v for k, v in cur.items() if k.startswith("msgstr"))
                    cur = {}
                key = m.group(1)
                cur[key] = unquote(m.group(2))
            elif line.startswith('"') and key is not None:
                cur[key] += unquote(line)
            elif not line:
                key = None
    if "msgid" in cur:
        entries[cur["msgid"]] = "\n".join(v for k, v in cur.items() if k.startswith("msgstr"))
    return entries


def finds(text, phrases):
    return [p for p in phrases
            if re.search(r"(?<![\w-])" + re.escape(p) + r"(?!\w)", text, re.I)]


def source_strings(root):
    """(where, English) of every translatable string in the rooms people read."""
    for d in SOURCE_DIRS:
        for path in sorted(glob.glob(os.path.join(root, d, "*.c"))):
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for m in CALL.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                for group in m.groups():
                    if group:
                        yield f"{os.path.relpath(path, root)}:{line}", unquote(group)
    for path in sorted(glob.glob(os.path.join(root, "ui", "*.ui"))):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for m in re.finditer(r'translatable="yes"[^>]*>([^<]*)<', text):
            line = text.count("\n", 0, m.start()) + 1
            s = m.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
            yield f"{os.path.relpath(path, root)}:{line}", s


def main():
    args = sys.argv[1:]
    expect = None
    if args[:1] == ["--expect"]:
        expect, args = int(args[1]), args[2:]
    root = args[0]
    glossary = read_glossary(args[1] if len(args) > 1 else os.path.join(root, "docs", "glossary.md"))
    po = read_po(os.path.join(root, "po", "de.po"))
    not_en = [w for r in glossary for w in r["not_en"]]
    not_de = [w for r in glossary for w in r["not_de"]]
    problems = []

    # The titles every view shows for a state.
    with open(os.path.join(root, "src", "trace", "il-types.c"), encoding="utf-8") as f:
        types = f.read()
    titles = dict(re.findall(r'case IL_STATE_(\w+):\s*return _\((' + LITERAL + r')\);', types))
    for r in glossary:
        enum = r["file"].upper().replace("-", "_")
        if enum not in titles:
            problems.append(f"src/trace/il-types.c: no title for state {r['file']}")
            continue
        title = unquote(titles[enum])
        if not finds(title, [r["en"]]):
            problems.append(f"src/trace/il-types.c: the title of {r['file']}, “{title}”, does not say “{r['en']}”")
        german = po.get(title)
        if german is None or not finds(german, [r["de"]]):
            problems.append(f"po/de.po: the title of {r['file']}, “{german}”, does not say “{r['de']}”")

    for path in sorted(glob.glob(os.path.join(root, "data", "lessons", "*.lesson"))):
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                m = re.match(r"^(\w+)(\[de\])?=(.*)$", line.rstrip("\n"))
                if not m or m.group(1) not in TEXT_KEYS:
                    continue
                bad = finds(m.group(3), not_de if m.group(2) else not_en)
                if bad:
                    problems.append(f"{os.path.relpath(path, root)}:{n}: {m.group(1)}{m.group(2) or ''} "
                                    f"says “{'”, “'.join(bad)}”")

    for where, s in source_strings(root):
        bad = finds(s, not_en)
        if bad:
            problems.append(f"{where}: “{s}” says “{'”, “'.join(bad)}”")
        german = po.get(s)
        bad = finds(german, not_de) if german else []
        if bad:
            problems.append(f"{where}: the German of “{s}”, “{german}”, says “{'”, “'.join(bad)}”")

    for p in problems:
        print(p)
    if expect is not None:
        print(f"{len(problems)} place(s) found, {expect} expected")
        return 0 if len(problems) == expect else 1
    if problems:
        print(f"{len(problems)} place(s) do not use the glossary's names (docs/glossary.md)")
        return 1
    print(f"{len(glossary)} states, one name each, in the lessons, the titles and the strings people read")
    return 0


if __name__ == "__main__":
    sys.exit(main())
