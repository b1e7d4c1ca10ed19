"""The console's second view builds no SQL of its own, no field group and no unchanged row."""

from django.test import override_settings

from openrecovery.helpline.models import Inquiry
from tests.support.cost import sql_of_second_view, templates_rendered
from tests.support.helpline import callback

CONSOLE = "/admissions/"
QUEUE = "/admissions/queue/"
FLOOR = "/api/v1/bench/read"


@override_settings(PREPARED_QUERY_CHECK=False)
def test_a_console_view_compiles_only_the_open_count(client_c, coordinator):
    for n in range(3):
        callback(name=f"Caller {n}")
    floor = sql_of_second_view(client_c, FLOOR)
    console = sql_of_second_view(client_c, CONSOLE)
    poll = sql_of_second_view(client_c, QUEUE)
    # Session, user and device like the floor; then only the capped open count.
    assert len(console) == len(floor) + 1, console
    assert len(poll) == len(floor) + 1, poll
    assert console[-1].endswith("LIMIT 1001")  # the count reads at most the cap + 1


def test_unchanged_rows_and_the_blank_form_are_drawn_once(client_c):
    first = callback(name="First caller")
    callback(name="Second caller")
    client_c.get(CONSOLE)
    with templates_rendered() as again:
        page = client_c.get(CONSOLE).content.decode()
    assert again["partials/field.html"] == 0  # the blank phone-inquiry form, kept
    assert again["helpline/console/partials/queue_row.html"] == 0
    assert "First caller" in page and "Second caller" in page
    assert page.count('name="phone"') == 1
    Inquiry.objects.filter(pk=first.pk).update(name="Renamed caller")
    with templates_rendered() as changed:
        page = client_c.get(QUEUE).content.decode()
    assert changed["helpline/console/partials/queue_row.html"] == 1  # only the changed row
    assert "Renamed caller" in page and "First caller" not in page


def test_a_form_with_errors_is_drawn_with_its_errors(client_c):
    client_c.get(CONSOLE)
    page = client_c.post("/admissions/log-call/", {"name": "X", "phone": "12"}).content.decode()
    assert "invalid-feedback" in page
    assert "invalid-feedback" not in client_c.get(CONSOLE).content.decode()
