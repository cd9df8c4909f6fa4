"""The audio mood model: fitted on the app's own audio features of human-labelled songs (mer4q), written
as a card that the app reads (``models/audio-mood.json``). ``python -m training.mood --help``."""
