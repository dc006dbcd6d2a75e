"""The CLI's search filters are `SearchFilters`' own fields (spreadgraph/cli/search.py `with_filters`)."""

from __future__ import annotations

import typer
from spreadgraph.search.filters import SearchFilters
from typer.testing import CliRunner

from spreadgraph.cli.search import with_filters

runner = CliRunner()


def _app(seen: list[SearchFilters]) -> typer.Typer:
    app = typer.Typer()

    def command(query: str, filters: SearchFilters = SearchFilters()) -> None:
        seen.append(filters)

    app.command()(with_filters(command))
    return app


def test_every_filter_field_is_an_option_with_its_description() -> None:
    done = runner.invoke(_app([]), ["--help"], env={"COLUMNS": "400"})
    assert done.exit_code == 0
    for name, field in SearchFilters.model_fields.items():
        if name != "published_only":
            assert f"--{name.replace('_', '-')}" in done.output
            assert str(field.description) in done.output
    assert "--include-unpublished" in done.output


def test_options_become_one_filters_model() -> None:
    seen: list[SearchFilters] = []
    argv = [
        "x",
        "--setting",
        "primary care",
        "--year-from",
        "2015",
        "--eric-cluster",
        "3",
        "--include-unpublished",
    ]
    done = runner.invoke(_app(seen), argv)
    assert done.exit_code == 0, done.output
    assert seen == [
        SearchFilters(setting="primary care", year_from=2015, eric_cluster="3", published_only=False)
    ]


def test_defaults_are_the_models_defaults() -> None:
    seen: list[SearchFilters] = []
    assert runner.invoke(_app(seen), ["x"]).exit_code == 0
    assert seen == [SearchFilters()]


def test_a_bad_value_is_a_usage_error_naming_the_option() -> None:
    done = runner.invoke(_app([]), ["x", "--year-from", "soon"])
    assert done.exit_code == 2 and "year-from" in done.output
    assert runner.invoke(_app([]), ["x", "--year-to", "99999"]).exit_code == 2
