"""Deterministic sample databases (a MusicBrainz and a BookBrainz) for the demo, the tests and the corpus's
generated accounts. They depend on nothing else in SpamBrainz."""
