"""The pure scoring path: a record's text normalised, its URLs and contacts read, its features extracted, and the
pipeline that turns features into a 0–100 score with reasons. No database, broker or network here."""
