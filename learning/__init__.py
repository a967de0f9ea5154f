"""Learning from editors: a service over the store and the classifiers.

What editors teach (a sender address belongs to a unit; the articles they approve) is
read from and written to the database here and turned into the classifiers' inputs
(the learned addresses, the campaign model, the cue weights). It sits above both
``store`` and ``classifiers`` so that no tagger touches the ORM; the console (review)
and the worker call it.
"""
