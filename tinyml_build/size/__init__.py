"""Firmware size after linking: ELF + GNU ld map + model manifests -> one nested report.

mapfile.py and elf.py read the inputs, attribution.py knows which bytes belong to which
model, tree.py merges everything into the report (region -> section -> archive -> object ->
symbol), diff.py adds deltas against a baseline, budget.py checks limits, and the render_*
modules turn the report into a table, JSON and Markdown. run.py strings them together for
`tinyml-build size`.
"""
