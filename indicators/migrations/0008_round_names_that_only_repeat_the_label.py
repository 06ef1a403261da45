"""Rounds whose stored name only repeated what the label says lose it, so their label is translated.

The demo used to store "รอบ 6 เดือน (1 ต.ค. 2568 – 31 มี.ค. 2569)" as the name of every round it made: such a
name is Thai text, shown as typed in the English interface too. A name equal to the round's own label
("รอบ 6 เดือน ปี 2569") or to that demo form for the round's own period is cleared; any other name is an
administrator's and stays.
"""

from django.db import migrations

MONTHS_SHORT = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")


def derived_names(round_) -> set[str]:
    year, months, end = round_.fiscal_year.year, round_.months, round_.period_end
    return {
        f"รอบ {months} เดือน ปี {year}",
        f"รอบ {months} เดือน (1 ต.ค. {year - 1} – {end.day} {MONTHS_SHORT[end.month - 1]} {year})",
    }


def clear_derived_names(apps, schema_editor):
    Round = apps.get_model("indicators", "Round")
    rounds = Round.objects.exclude(name="").select_related("fiscal_year")
    derived = [round_.pk for round_ in rounds if round_.name in derived_names(round_)]
    Round.objects.filter(pk__in=derived).update(name="")


class Migration(migrations.Migration):

    dependencies = [
        ("indicators", "0007_validation_rules"),
    ]

    operations = [
        migrations.RunPython(clear_derived_names, migrations.RunPython.noop),
    ]
