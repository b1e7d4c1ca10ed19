"""A chart view builds no SQL of its own and draws no unchanged row or blank field again."""

import re

from django.test import override_settings
from django.urls import reverse

from tests.support.cost import sql_of_second_view, templates_rendered
from tests.support.factories import verified_client
from tests.support.queries import build_world

FLOOR = "/api/v1/bench/read"


@override_settings(PREPARED_QUERY_CHECK=False)
def test_a_chart_view_compiles_no_sql_beyond_the_floor(director):
    counselor, patient = build_world(director, patients=2, events=60)
    client = verified_client(counselor)
    url = reverse("chart:chart", args=[patient.pk])
    floor = sql_of_second_view(client, FLOOR)
    chart = sql_of_second_view(client, url)
    # Session, user and TOTP device, as every signed-in request; the chart's own reads
    # (gate, episodes, transitions, team, timeline, panels) are prepared queries.
    assert chart == floor


def test_a_second_chart_view_draws_no_timeline_row_or_stage_field_again(director):
    counselor, patient = build_world(director, patients=1, events=60)
    client = verified_client(counselor)
    url = reverse("chart:chart", args=[patient.pk])
    first = client.get(url).content.decode()
    with templates_rendered() as drawn:
        again = client.get(url).content.decode()
    assert drawn["chart/partials/timeline_row.html"] == 0
    assert drawn["partials/field.html"] == 0
    assert again.count('<li>\n  <time datetime="') == 50  # a full first page
    assert 'name="to_stage"' in again and 'name="reason"' in again
    # The same page, but for the per-response CSRF tokens.
    strip = re.compile(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]*"')
    assert strip.sub("", first) == strip.sub("", again)
