"""A wall-of-text sentence is cut only where a new clause starts, and nothing of it is lost."""

from __future__ import annotations

import re

import pytest

from rewriter.rewrite.run_on import RUN_ON_WORDS, split_run_on

WALL = (
    "The fix on your side is to go to Settings > Advanced > Rebuild search index and let it run, which "
    "takes about 2 hours, so keep the machine plugged in and the app open, and after that clear the cache "
    "folder, which is safe because it regenerates, but do not touch the data folder because that is your "
    "vault, and if the lag persists send us the diagnostics bundle from Help > Export diagnostics."
)


def words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())


def test_a_wall_is_cut_at_its_clauses_and_only_the_joining_and_goes() -> None:
    pieces = split_run_on(WALL, "en")
    assert pieces == [
        "The fix on your side is to go to Settings > Advanced > Rebuild search index and let it run, "
        "which takes about 2 hours.",
        "So keep the machine plugged in and the app open.",
        "After that clear the cache folder, which is safe because it regenerates.",
        "But do not touch the data folder because that is your vault.",
        "If the lag persists send us the diagnostics bundle from Help > Export diagnostics.",
    ]
    kept = [w for w in words(WALL)]
    said = words(" ".join(pieces))
    assert [w for w in kept if w != "and"] == [w for w in said if w != "and"]


def test_a_sentence_under_the_limit_or_without_a_known_joint_stays_whole() -> None:
    short = "Open the app, and then go to Settings, so you can check the plan."
    assert len(words(short)) <= RUN_ON_WORDS and split_run_on(short, "en") == [short]
    listy = "We checked " + ", ".join(f"item {n} of the order" for n in range(12)) + ", and more."
    assert split_run_on(listy, "en") == [listy]


def test_nothing_inside_brackets_is_cut() -> None:
    wall = (
        "Before we can delete anything you need to verify ownership by clicking the confirmation link we "
        "sent to the address on your account (the link expires in 72 hours, and if it lapses the ticket "
        "closes and you would have to start again), and we will then finish the deletion within 30 days "
        "of that confirmation."
    )
    assert split_run_on(wall, "en") == [
        wall.split(", and we will")[0] + ".",
        "We will then finish the deletion within 30 days of that confirmation.",
    ]


def test_german_orders_after_a_comma_start_new_steps_but_not_after_a_subordinate_clause() -> None:
    wall = (
        "Öffnen Sie dazu die App und gehen Sie zu Hilfe > Problem melden > Diagnose anhängen, "
        "wählen Sie dort den Zeitraum ab dem 3. November aus und senden Sie den Bericht ab, "
        "danach erhalten Sie eine Bestätigung per E-Mail mit der Ticketnummer, "
        "und unser Technikteam meldet sich innerhalb von 48 Stunden bei Ihnen."
    )
    assert split_run_on(wall, "de") == [
        "Öffnen Sie dazu die App und gehen Sie zu Hilfe > Problem melden > Diagnose anhängen.",
        "Wählen Sie dort den Zeitraum ab dem 3. November aus und senden Sie den Bericht ab.",
        "Danach erhalten Sie eine Bestätigung per E-Mail mit der Ticketnummer.",
        "Unser Technikteam meldet sich innerhalb von 48 Stunden bei Ihnen.",
    ]
    conditional = (
        "Wenn die App nach dem Update auf Version 5 weiterhin nicht startet und auch ein Neustart des Geräts "
        "nichts ändert, starten Sie die App im abgesicherten Modus über Einstellungen > Apps > Notely und "
        "schicken Sie uns anschließend das Protokoll, damit wir es prüfen können."
    )
    assert split_run_on(conditional, "de") == [conditional]


@pytest.mark.parametrize("language", ["es", "fr"])
def test_a_language_with_no_joints_listed_is_never_cut(language: str) -> None:
    assert split_run_on(WALL, language) == [WALL]
