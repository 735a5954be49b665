## Goals of a pair (stage 6). In a teacher–teacher program ($roadmap = yes) the goals are the
## steps of the mentee's individual educational route (IOM): a deficit area, a concrete product,
## a due date. $status: open, done, dropped. $area: subject, methods, psychology, ict,
## upbringing, health. Optional values come as "none".

goals-area-name = { $area ->
        [subject] Subject knowledge
        [methods] Teaching methods
        [psychology] Educational psychology
        [ict] Digital skills (ICT)
        [upbringing] Pastoral work
       *[health] Health and burnout prevention
    }
goals-status = { $status ->
        [done] done
        [dropped] dropped
       *[open] in progress
    }
goals-details = { $mentee ->
        [none] {""}
       *[other] {"\u000A"}For: { $mentee }
    }{ $area ->
        [none] {""}
       *[other] {"\u000A"}Area: { goals-area-name }
    }{ $product ->
        [none] {""}
       *[other] {"\u000A"}Product: { $product }
    }{ $due ->
        [none] {""}
       *[other] {"\u000A"}Due: { $due }{ $overdue ->
            [yes] {" "}— overdue
           *[other] {""}
        }
    }

## Notifications to the other members of the pair.

goals-added =
    { $who } { $roadmap ->
        [yes] added a step to the individual educational route
       *[other] recorded a new goal of the pair
    } (program “{ $program }”):
    “{ $title }”{ $area ->
        [none] {""}
       *[other] {"\u000A"}Area: { goals-area-name }
    }{ $product ->
        [none] {""}
       *[other] {"\u000A"}Product: { $product }
    }{ $due ->
        [none] {""}
       *[other] {"\u000A"}Due: { $due }
    }
goals-closed = { $status ->
        [done] { $who } marked { $roadmap ->
            [yes] the route step
           *[other] the goal
        } “{ $title }” as done. Congratulations! 🎉
       *[dropped] { $who } dropped { $roadmap ->
            [yes] the route step
           *[other] the goal
        } “{ $title }”. Talk at your next meeting about what replaces it.
    }
goals-button-open = Open the goals

## The list.

goals-list =
    { $roadmap ->
        [yes] Individual educational route — steps (program “{ $program }”)
       *[other] The pair's goals (program “{ $program }”)
    }
    Done: { $done } of { $count }.

    { $lines }

    { $active ->
        [yes] Tap { $roadmap ->
            [yes] a step
           *[other] a goal
        } to mark progress or add a note.{ goals-meeting-note }
       *[other] The pair's work has ended: the goals are kept and can only be viewed.
    }
goals-empty = { $active ->
        [yes] { goals-about }{ goals-meeting-note }
       *[other] The pair's work has ended; no goals were recorded.
    }
goals-about = { $roadmap ->
        [yes] No route steps yet.
            The individual educational route (IOM) is a roadmap of professional growth. Write down its steps: what to do, which gap it works on (subject, methods, psychology, ICT, pastoral work, health), what concrete product it ends with (a lesson plan, an open lesson, a teaching resource) and by when. Mark how it goes at the meetings that follow.
       *[other] No goals yet.
            Goals help a pair see where it is going and what it has achieved. They are usually recorded at the planning meeting: two or three concrete goals, such as “Prepare a project for the school conference”. Mark the progress at the meetings that follow.
    }
goals-meeting-note = { $meeting ->
        [none] {""}
       *[other] {"\u000A\u000A"}New { $roadmap ->
            [yes] steps
           *[other] goals
        } and updates are recorded at the meeting: { meeting-kind-name }.
    }
goals-line =
    { $number }. { $title }
    { $bar } { $progress }% · { goals-status }{ goals-details }
goals-item-button = { $number }. { $title } · { $status ->
        [done] ✓
        [dropped] ✗
       *[open] { $progress }%
    }
goals-button-add = { $roadmap ->
        [yes] Add a step
       *[other] Add a goal
    }
goals-button-close = Close

## The add wizard.

goals-ask-title = { $roadmap ->
        [yes] What is to be done at this step? Keep it short and concrete, e.g. “Take a course on formative assessment” or “Give an open lesson in year 7”.
       *[other] What is the goal? Keep it short and concrete, e.g. “Prepare a project for the school conference” or “Get fractions right by the end of term”.
    }
goals-ask-whom = { $roadmap ->
        [yes] Whose route step is it?
       *[other] Who is this goal for?
    }
goals-whom-all = The whole group
goals-ask-area = Which gap does this step work on? Choose the area.
goals-area-skip = No particular area
goals-ask-product = What concrete product will this step end with? E.g. a lesson plan, a teaching resource, a talk at the staff meeting, a course certificate. Or tap “Skip”.
goals-ask-due = By when? Type a date such as 15.12 or 15.12.2026, or tap “Skip”.
goals-due-invalid = I could not read the date. Type the day and month, e.g. 15.12, or the full date: 15.12.2026.
goals-saved = { $roadmap ->
        [yes] Step recorded
       *[other] Goal recorded
    }: “{ $title }”. The other members of the pair will be told.

## The goal card.

goals-card =
    { $roadmap ->
        [yes] Route step
       *[other] Goal
    }: { $title }
    { $bar } { $progress }% · { goals-status }{ goals-details }{ $description ->
        [none] {""}
       *[other] {"\u000A"}{ $description }
    }{ $history ->
        [none] {""}
       *[other] {"\u000A\u000A"}Latest updates:{"\u000A"}{ $history }
    }

    { $hint ->
        [open] Mark the progress with a button or type a number, e.g. 60%.
        [closed] { $status ->
            [done] Done! If the work is not over yet, reopen it.
           *[other] This was dropped. If you changed your mind, reopen it.
        }
       *[ended] The pair's work has ended: this can only be viewed.
    }
goals-history-line = { $day }, { $who }: { $progress }%{ $status ->
        [done] , done
        [dropped] , dropped
       *[open] {""}
    }{ $kind ->
        [none] {""}
       *[other] {" "}(meeting: { meeting-kind-name })
    }{ $note ->
        [none] {""}
       *[other] {" "}— “{ $note }”
    }
goals-button-done = Done ✓
goals-button-note = Note
goals-button-drop = Drop
goals-button-reopen = Reopen
goals-progress-invalid = Type a number from 0 to 100, such as 60 or 60%, or use a button.
goals-progress-saved = Recorded: { $progress }%.
goals-done-saved = { $roadmap ->
        [yes] Step “{ $title }” is done
       *[other] Goal “{ $title }” is done
    } — congratulations! 🎉
goals-reopened = In progress again. Keep marking the progress.
goals-ask-note = Write a note: what worked, what is in the way, what comes next. The pair's members will see it.
goals-note-saved = Note saved.
goals-drop-confirm = Drop { $roadmap ->
        [yes] the step
       *[other] the goal
    } “{ $title }”? It stays in the list marked “dropped”, and it can be reopened later.
goals-button-drop-yes = Yes, drop it
goals-button-drop-no = No, keep it
goals-dropped = Noted: “{ $title }” is dropped. Revising { $roadmap ->
        [yes] the route
       *[other] plans
    } is normal; talk about a replacement at your next meeting.
goals-drop-kept = Fine, kept as it is.

goals-error-not_found = These goals are not available: they do not exist or you are not a member of this pair.
goals-error-ended = This pair's work has ended: the goals are kept but can no longer change.
goals-error-invalid = That cannot be saved: a title takes up to 200 characters, a product up to 500, a note up to 2000.
goals-error-full = The pair already has { $limit } open goals, the most it can have. Mark finished ones as done or drop those no longer relevant, then add a new one.
goals-error-due_date = The due date must be today or later, and no more than three years ahead. Type another date or tap “Skip”.
goals-error-meeting = Updates cannot be recorded at this meeting: only this pair's confirmed or held meetings will do.
goals-error-closed = This is already closed (done or dropped). To change its progress, reopen it first.
goals-error-unchanged = Nothing changed: the progress is already that. To record that it is the same at this meeting, add a note.
