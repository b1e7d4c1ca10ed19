"""``url_for`` gives exactly what ``{% url %}`` gives, reversing once per view name."""

import pytest
from django.template import engines
from django.urls import reverse, set_script_prefix

from openrecovery.core.templatetags.links import url_for_id


@pytest.mark.parametrize("name", ["chart:chart", "chart:print", "chart:timeline"])
@pytest.mark.parametrize("pk", [1, 42, 9_223_372_036_854_775_807])
def test_same_url_as_reverse(name, pk):
    assert url_for_id(name, pk) == reverse(name, args=[pk])


def test_the_template_filter_matches_the_url_tag():
    template = engines["django"].from_string(
        "{% load links %}{{ pk|url_for:'chart:chart' }}|{% url 'chart:chart' pk %}"
    )
    mine, django_s = template.render({"pk": 7}).split("|")
    assert mine == django_s == "/patients/7/"


def test_a_script_prefix_is_honoured():
    set_script_prefix("/care/")
    try:
        assert (
            url_for_id("chart:chart", 5) == "/care/patients/5/" == reverse("chart:chart", args=[5])
        )
    finally:
        set_script_prefix("/")
    assert url_for_id("chart:chart", 5) == "/patients/5/"


def test_only_integers_go_in():
    with pytest.raises(ValueError):
        url_for_id("chart:chart", "5/../admin")  # type: ignore[arg-type]


def test_the_link_tag_matches_the_url_tag():
    template = engines["django"].from_string(
        "{% load links %}{% link 'chart:dashboard' %}|{% url 'chart:dashboard' %}"
        "|{% link 'helpline:console:queue_page' %}|{% url 'helpline:console:queue_page' %}"
    )
    mine, django_s, mine_2, django_2 = template.render({}).split("|")
    assert (mine, mine_2) == (django_s, django_2) == ("/", "/admissions/")
