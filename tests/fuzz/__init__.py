"""Fuzzing the whole bot: generated updates through the Bot API emulator against the real ``Application``.

``source``   where the choices come from: hypothesis (``HypothesisSource``, the test) or a seeded
             ``random.Random`` (``RandomSource``, ``bench/fuzz.py``); the generator is the same.
``junk``     hostile texts, command arguments and button data (NUL, RTL marks, '²', huge ids, 4096 chars ...).
``actions``  the population (users, admins, secretaries, groups, a channel) and ``draw_action``: one abstract
             action (a text, a command, a button press, an edit, a photo, a replay ...).
``harness``  ``FuzzBot``: the real application on a database, instrumented: every Bot API call it makes is
             tagged with the update being handled, every error and ERROR log line is kept.
``oracle``   the properties checked after each batch, and the ``Tally`` of their violations.
``runner``   turns actions into updates (resolving "press a button the bot sent", "answer the form's
             current question", "replay update N" against what the bot did so far) in rounds.
"""
