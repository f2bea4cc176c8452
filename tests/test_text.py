"""French text processing: what the models see of what users type."""

from nlu.text import clean_input, fold, tokenize


def norms(text: str) -> list[str]:
    return [token.norm for token in tokenize(text)]


def test_elisions_are_restored_with_both_apostrophes() -> None:
    assert norms("J'aimerais l'heure qu'il d'abord n'est s'il c'est m'a t'as") == [
        "je",
        "aimerais",
        "le",
        "heure",
        "que",
        "il",
        "de",
        "abord",
        "ne",
        "est",
        "se",
        "il",
        "ce",
        "est",
        "me",
        "a",
        "te",
        "as",
    ]
    assert norms("J’aimerais l’heure") == norms("J'aimerais l'heure")


def test_aujourdhui_stays_one_word() -> None:
    assert norms("pour aujourd'hui") == ["pour", "aujourd'hui"]
    assert norms("pour aujourd’hui") == ["pour", "aujourd'hui"]


def test_hyphenated_forms_split_and_euphonic_t_dropped() -> None:
    assert norms("Est-ce que peut-on venir ?") == ["est", "ce", "que", "peut", "on", "venir"]
    assert norms("Va-t-il pleuvoir") == ["va", "il", "pleuvoir"]


def test_accents_fold_and_punctuation_goes() -> None:
    assert norms("À quelle heure ?!") == norms("a quelle heure")
    assert fold("Œuvre ÉTÉ") == "oeuvre ete"


def test_stems_join_inflections() -> None:
    stems = {token.norm: token.stem for token in tokenize("louer louez loué horaires horaire")}
    assert stems["louer"] == stems["louez"] == stems["loue"]
    assert stems["horaires"] == stems["horaire"]


def test_offsets_point_into_the_original_text() -> None:
    text = "Quand êtes-vous ouvert ?"
    assert [text[t.start : t.end] for t in tokenize(text)] == ["Quand", "êtes", "vous", "ouvert"]


def test_clean_input_handles_hostile_text() -> None:
    assert clean_input("a\x00b\x1b[31mc", 100) == "a b [31mc"
    assert clean_input("\ud800abc", 100) == "?abc"
    assert clean_input("x" * 5000, 10) == "x" * 10
    assert clean_input("   ", 10) == ""
