from sb_worker.scoring.ids import MAX_ID, parse_ids


def test_valid_ids_are_kept_in_order_without_repeats():
    ids, errors = parse_ids("editor", [5, "7", 5, " 9 ", MAX_ID])
    assert ids == [5, 7, 9, MAX_ID] and errors == []


def test_each_bad_id_gets_an_error_naming_it():
    ids, errors = parse_ids("editor", [1, -3, 0, "abc", 2.5, None, True, MAX_ID + 1, "-4", [1], "x" * 100, 2])
    assert ids == [1, 2]
    assert [e.error for e in errors] == [
        "editor ID -3 is out of range (1 to 2147483647)",
        "editor ID 0 is out of range (1 to 2147483647)",
        "editor ID 'abc' is not an integer",
        "editor ID 2.5 is not an integer",
        "editor ID None is not an integer",
        "editor ID True is not an integer",
        f"editor ID {MAX_ID + 1} is out of range (1 to 2147483647)",
        "editor ID -4 is out of range (1 to 2147483647)",
        "editor ID [1] is not an integer",
        "editor ID '" + "x" * 36 + "... is not an integer",
    ]
