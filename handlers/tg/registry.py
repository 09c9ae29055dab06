"""Handler order, in one place."""

from __future__ import annotations

from telegram.ext import Application


def register_handlers(application: Application) -> None:
    """group -4: drop an update delivered twice;
    group -3: a private command other than /cancel and /skip drops an awaited follow-up input (not
      /newbranch's);
    group -2: a command other than /start, /help and /myid in a group (told to use the private chat), follow-up
      inputs a button asked for, /start <invitation code>, and /records, /submit, /reminders or
      /branch from a supervisor or administrator without a branch (told what they can do instead; anyone else's
      goes on to the command's own handler);
    group -1: the activity form (takes the user's messages only while their form is active);
    group 0: commands, callbacks, free text as a question, then fallbacks.
    """
    from handlers.tg import (
        branch_admin,
        branches,
        common,
        curation,
        dedupe,
        forms,
        invitations,
        pending,
        qa,
        records,
        reminders,
        review,
        review_reopen,
        status,
        supervision,
        topics,
    )

    dedupe.register(application, group=-4)
    pending.register_drop(application, group=-3)
    # First: a secretary's or an administrator's command in a group goes no further.
    common.register_group_guard(application, group=-2)
    pending.register(application, group=-2)
    invitations.register(application, group=-2)  # /start <code>
    branches.register(application)
    branch_admin.register(application)
    supervision.register_before_branch_commands(application, group=-2)
    forms.register(application, group=-1)
    common.register(application)
    topics.register(application)
    records.register(application)
    reminders.register(application)
    review.register(application)
    review_reopen.register(application)
    status.register(application)
    supervision.register(application)
    curation.register(application)
    qa.register(application)
    common.register_fallbacks(application)
