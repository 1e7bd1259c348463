"""The model's life: the corpus it learns from, fitting the detector weights, the neural network, calibration and
evaluation, learning from verdicts through the gate, and the registry of trained versions. Pure: no database, no
broker, no metrics; the trainer's I/O is in :mod:`sb_worker.service`."""
