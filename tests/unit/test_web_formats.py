"""The pages' French formats (babel) and the geometry of their SVG charts."""
from datetime import date

import pytest

from gateway.web import charts, formats

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize(("cents", "text"), [
    (123_450, f"1{NNBSP}234,50{NBSP}€"),
    (150_000, f"1{NNBSP}500{NBSP}€"),
    (5, f"0,05{NBSP}€"),
    (0, f"0{NBSP}€"),
    (123_456_789, f"1{NNBSP}234{NNBSP}567,89{NBSP}€"),
    (None, "—"),
])
def test_money_is_written_the_french_way(cents, text):
    assert formats.euros(cents) == text


def test_numbers_percentages_and_the_short_money_of_an_axis():
    assert formats.number(12.5) == "12,5"
    assert formats.number(300) == "300"
    assert formats.number(1_234_567) == f"1{NNBSP}234{NNBSP}567"
    assert formats.percent(0.4567) == f"46{NBSP}%"
    assert formats.percent(0.4567, decimals=1) == f"45,7{NBSP}%"
    assert formats.percent(None) == "—"
    assert formats.euros_short(15_000_000) == f"150{NBSP}k{NBSP}€"


def test_dates_are_long_french_dates_of_the_clusters_time_zone():
    assert formats.long_date(date(2026, 11, 27)) == "27 novembre 2026"
    assert formats.long_date(date(2026, 11, 1)) == "1er novembre 2026"
    # 23:30 UTC on 31 December is already New Year's Day in the Ain.
    assert formats.long_date("2026-12-31T23:30:00+00:00") == "1er janvier 2027"


@pytest.mark.parametrize(("deadline", "text"), [
    ("2026-12-27T12:00:00+00:00", "Plus que 30 jours"),
    ("2026-11-28T12:00:00+00:00", "Plus qu'un jour"),
    ("2026-11-27T23:30:00+00:00", "Plus qu'un jour"),  # 00:30 on the 28th in the Ain
    ("2026-11-27T22:30:00+00:00", "Dernier jour"),     # 23:30 on the 27th
    ("2026-11-26T12:00:00+00:00", "Terminée"),
])
def test_days_left_are_counted_in_the_clusters_days(deadline, text):
    assert formats.days_left(deadline, date(2026, 11, 27)) == text


def test_a_round_step_cuts_the_axis_in_about_four():
    assert charts.nice_step(7, integers=True) == 2
    assert charts.nice_step(300, integers=False) == 100
    assert charts.nice_step(1, integers=True) == 1       # never half an enterprise
    assert charts.nice_step(10, integers=False) == 2.5
    assert charts.nice_step(10, integers=True) == 5
    assert charts.nice_step(0, integers=True) == 1


def test_stacked_bars_sit_on_each_other_and_say_their_values():
    chart = charts.bar_chart([2024, 2025], [charts.Series("Dons", [100, 300]),
                                            charts.Series("Abondement", [0, 100])],
                             str, integers=True)
    assert [tick.label for tick in chart.ticks] == ["0", "100", "200", "300", "400"]
    assert [mark.title for mark in chart.marks] == [
        "2024 — Dons : 100", "2025 — Dons : 300", "2025 — Abondement : 100"]
    dons_2025, matched_2025 = chart.marks[1], chart.marks[2]
    assert matched_2025.y + matched_2025.height == pytest.approx(dons_2025.y)  # on top
    assert chart.bottom - dons_2025.y == pytest.approx(3 * (dons_2025.y - matched_2025.y))
    assert chart.legend == [(0, "Dons"), (1, "Abondement")]


def test_many_years_label_only_every_few_and_always_the_last():
    years = list(range(2005, 2027))
    chart = charts.bar_chart(years, [charts.Series("Entreprises", [1] * len(years))], str,
                             integers=True)
    labels = [label for _, label in chart.years]
    assert labels[-1] == "2026" and len(labels) < len(years)
    positions = [x for x, _ in chart.years]
    assert min(b - a for a, b in zip(positions, positions[1:], strict=False)) >= charts.LABEL_WIDTH


def test_a_line_has_a_point_per_year_and_no_data_draws_no_chart():
    chart = charts.line_chart([2024, 2025, 2026], [charts.Series("ETP", [1.5, 3, 7.5])],
                              str)
    series, points = chart.lines[0]
    assert series == 0 and len(points.split()) == 3
    assert [float(point.split(",")[1]) for point in points.split()] == sorted(
        (float(point.split(",")[1]) for point in points.split()), reverse=True)  # going up
    assert charts.bar_chart([], [], str) is None
    assert charts.line_chart([], [], str) is None
