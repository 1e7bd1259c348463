"""`sb score` as a person or a script runs it."""

import json
import subprocess
import sys

from detectors.reputation import Reputation


def sb_score(stdin: bytes, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sb_worker.cli", "score", "--heuristic", *args, "-"], input=stdin,
                          capture_output=True, timeout=120)


SPAM = {"id": 1, "name": "delhiescorts", "privs": 8192, "email": "xq7z9w2p4k@yopmail.com",
        "bio": "Hot Delhi ｅｓｃｏｒｔｓ, call +91 98765 43210, book at https://hot-delhi-escorts.in"}
HAM = {"id": 2, "bio": "I collect krautrock records and add tracklists.", "counts": {"accepted_edits": 200}}


def test_one_line_per_good_record_in_order_and_bad_lines_named():
    lines = [json.dumps(SPAM), "not json", "[1]", json.dumps(HAM), '{"id": "x"}', json.dumps({"id": 3, "bio": 7}),
             "", json.dumps({**HAM, "id": 4, "bio": "x" * 1_000_000})]
    done = sb_score("\n".join(lines).encode() + b"\n\xff\xfe\n")
    results = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [r["id"] for r in results] == [1, 2, 4]
    spam, ham, huge = results
    assert spam["score"] >= 90 and spam["action"] == "review" and spam["model"] is None
    assert {"detector", "points", "why", "evidence"} == set(spam["reasons"][0])
    assert any("escorts" in r["why"] for r in spam["reasons"])  # the normalised match, not the fullwidth one
    marked = {e["text"] for r in spam["reasons"] for e in r["evidence"] if e["field"] == "text"}
    assert "ｅｓｃｏｒｔｓ" in marked and "+91 98765 43210" in marked  # as written, where they stand in the bio
    assert all(SPAM["bio"][e["start"]:e["end"]] == e["text"] for r in spam["reasons"] for e in r["evidence"])
    assert ham["score"] < 50 and ham["action"] == "none" and huge["action"] == "none"
    assert done.stderr.decode().splitlines() == [
        "line 2: the record is not JSON: Expecting value at line 1 column 1",
        "line 3: a record must be a JSON object, got list",
        "line 5: field 'id' must be an integer, got str",
        "line 6: field 'bio' must be a string, got int",
        "line 9: not valid UTF-8 (byte 1)",
    ]
    assert done.returncode == 1


def test_a_line_nested_too_deeply_or_with_a_huge_number_is_named_and_the_rest_still_scored():
    lines = [json.dumps(SPAM), "[" * 100_000 + "]" * 100_000, '{"id": ' + "9" * 5000 + "}", json.dumps(HAM),
             '{"id": 5, "bio": ' + "[" * 40 + "]" * 40 + "}", '{"id": 6, "bio": NaN}']
    done = sb_score("\n".join(lines).encode())
    assert [json.loads(line)["id"] for line in done.stdout.decode().splitlines()] == [1, 2]
    errors = done.stderr.decode().splitlines()
    assert errors == ["line 2: the record is nested more than 32 levels deep",
                      "line 3: the record: a number has 5,000 digits (at most 30)",
                      "line 5: the record is nested more than 32 levels deep",
                      "line 6: the record: NaN is not a number JSON allows"]
    assert done.returncode == 1


def test_explain_is_for_people_and_a_clean_file_exits_zero():
    done = sb_score(json.dumps(SPAM).encode() + b"\n" + json.dumps(HAM).encode(), "--explain")
    out = done.stdout.decode()
    assert done.returncode == 0 and out.startswith("editor 1: score ") and "(review)" in out
    assert "editor 2: score " in out and "no evidence of spam" in out


def test_edits_and_lone_surrogates():
    edit = {"id": 9, "type": 1, "data": {"name": "Best escorts \ud800 call +91 98765 43210"},
            "editor_record": {"id": 5, "privs": 8192}}
    done = sb_score(json.dumps(edit).encode(), "--kind", "edit")
    [result] = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert done.returncode == 0 and result["id"] == 9 and result["score"] >= 50


def test_build_reputation_from_labelled_records(tmp_path):
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text("\n".join([
        json.dumps({"id": 1, "website": "https://cheap-pills.com", "email": "x@yopmail.com", "label": "spam",
                    "bio": "Buy cheap pills online without prescription, fast and discreet delivery worldwide now"}),
        json.dumps({"id": 2, "website": "https://kettle-records.org", "email": "a@gmx.de", "label": "ham"}),
        json.dumps({"id": 3, "bio": "no label"}),
    ]))
    out = tmp_path / "reputation.json"
    done = subprocess.run([sys.executable, "-m", "sb_worker.cli", "build-reputation", str(labelled), "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stderr.strip() == "line 3: needs a label of spam or ham"
    table = Reputation.from_json(out.read_text())
    assert table.domains == {"kettle-records.org": (0, 1), "cheap-pills.com": (1, 0)}
    assert table.email_domains == {"gmx.de": (0, 1), "yopmail.com": (1, 0)} and len(table.spam_simhashes) == 1
