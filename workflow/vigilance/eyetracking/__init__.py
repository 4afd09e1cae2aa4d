"""Eye tracking (document 002): the validating gaze reader, chunking, features, the small deep
sequence classifiers (:mod:`vigilance.eyetracking.models`) and their training."""
