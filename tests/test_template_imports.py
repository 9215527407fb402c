"""`{% from ... import ... %}` through divert.widgets.ImportingTemplate: the imported module is
built once while the importer brings no global of its own, and afresh (as Jinja does) when it
does, so the macro still sees that global."""

from __future__ import annotations

from jinja2 import DictLoader, Environment

from divert.widgets import ImportingTemplate

TEMPLATES = {
    "macros.html": "{% macro hello() %}hello {{ who | default('nobody') }}{% endmacro %}",
    "page.html": '{% from "macros.html" import hello %}{{ hello() }}',
    "greeting.html": '{% from "macros.html" import hello %}{{ hello() }}',
}


def _environment() -> Environment:
    environment = Environment(loader=DictLoader(TEMPLATES))
    environment.template_class = ImportingTemplate
    return environment


def test_an_import_without_globals_of_its_own_uses_the_module_built_once() -> None:
    environment = _environment()
    page = environment.get_template("page.html")
    assert page.render() == "hello nobody"
    built = environment.get_template("macros.html").module
    assert page.render() == "hello nobody"
    assert environment.get_template("macros.html").module is built


def test_an_importer_with_a_global_of_its_own_gets_a_module_that_sees_it() -> None:
    environment = _environment()
    assert environment.get_template("page.html").render() == "hello nobody"
    greeting = environment.get_template("greeting.html", globals={"who": "Amy"})
    assert greeting.render() == "hello Amy"
    assert environment.get_template("page.html").render() == "hello nobody"
