"""One pure function per criterion (SCHEMES §1–§4): facts and plan params in, CriterionResult out.

Modules: common (shared checks), model_cell (§1), meeting_quality (§2), four_goods (§3),
exemplary (§4). Each scheme module has `evaluate(org, year, params) -> list[CriterionResult]`.
"""
