#!/usr/bin/env python3
"""Copies each example's README.md into its section of Docs/Keras.docc/Examples.md.

    python3 Scripts/update-examples-article.py

Examples.md has one `### <example>` section per example program. For an example whose directory
has a README.md, the section becomes that file: its `## Heading` turns into a bold lead-in of the
first paragraph, the rest is copied as it is. Sections of examples without a README are kept.
KerasTests' DocumentationExampleTests fail when a README line is missing from the article.
"""
import os
import re

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
article = os.path.join(root, "Docs", "Keras.docc", "Examples.md")
names = [name for name in sorted(os.listdir(os.path.join(root, "Examples")))
         if os.path.exists(os.path.join(root, "Examples", name, "README.md"))]

text = open(article, encoding="utf-8").read()
parts = re.split(r"(?m)^### ", text)
head, sections, tail = parts[0], {}, ""
for part in parts[1:]:
    name, body = part.split("\n", 1)
    if "## See Also" in body:
        body, rest = body.split("## See Also", 1)
        tail = "## See Also" + rest
    sections[name.strip()] = body

for name in names:
    readme = os.path.join(root, "Examples", name, "README.md")
    if not os.path.exists(readme):
        continue
    lines = open(readme, encoding="utf-8").read().strip().split("\n")
    if lines[0].strip() == f"# {name}":  # a README titled by the example's own name: the section heading says it
        lines = lines[1:]
        while lines and not lines[0].strip():
            lines = lines[1:]
    title = lines[0].lstrip("#").strip() if lines[0].startswith("#") else None
    body = "\n".join(lines[1:] if title else lines).strip("\n")
    sections[name] = "\n" + (f"**{title}.** " if title else "") + body.lstrip() + "\n\n"

missing = [name for name in names if name not in sections]
if missing:
    raise SystemExit(f"Examples.md has no section for {', '.join(missing)}")
with open(article, "w", encoding="utf-8") as out:
    # Every section, in the article's order (examples not in `names` are kept as they are).
    out.write(head + "".join(f"### {name}\n" + body for name, body in sections.items()) + tail)
