## The summary of a pair (stage 6), for its members and its curators.

pair-summary-text = { $text }
pair-summary =
    Program «{ $program }»{ $since ->
        [none] {""}
       *[other] , a pair since { $since }
    }{ $status ->
        [active] {""}
       *[other] {" "}(the pair's work has ended)
    }
    Mentor: { $mentor }
    { $count ->
        [one] Mentee
       *[other] Mentees
    }: { $mentees }

    Meetings: { $held } held, { $planned } planned{ $missed ->
        [0] {""}
       *[other] , { $missed } did not happen
    }{ $unknown ->
        [0] {""}
       *[other] , { $unknown } with no answer to "did it happen?"
    }
    Plan: { $plan }
    Next in the plan: { $next_kind }
    Coming up: { $next ->
        [none] nothing scheduled
       *[other] { $next }, { $next_kind_planned }{ $confirmed ->
            [True] {""}
           *[other] {" "}(awaiting an answer)
        }
    }
    Meeting ratings: { $ratings ->
        [0] none yet
       *[other] mentor — { $rating_mentor ->
            [none] none
           *[other] { $rating_mentor }
        }, { $count ->
            [one] mentee
           *[other] mentees
        } — { $rating_mentees ->
            [none] none
           *[other] { $rating_mentees }
        } (out of 5)
    }
    Goals: { $goals_total ->
        [0] none recorded yet
       *[other] { $goals_done } of { $goals_total } done
    }{ $goals ->
        [none] {""}
       *[other] {"\u000A"}{ $goals }
    }
pair-summary-step = { $name } { $done ->
        [True] ✓
       *[other] —
    }
pair-summary-regular = regular: { $count }
pair-summary-goal = • { $title }: { $bar }{ $status ->
        [done] {" "}✓
        [dropped] {" "}(dropped)
       *[other] {""}
    }
pair-summary-not-found = This pair does not exist or is not open to you.
pair-summary-not_found = There is no such program.
pair-summary-not_allowed = Only the program's curators and the school's coordinators see its pairs.
pair-summary-button-back = ← Back to the pairs
pair-summary-button-close = ← Back

pair-summary-list = { $total ->
        [0] The program has no working pairs yet.
       *[other] Working pairs: { $total }. The longest without a meeting first.
    }
pair-summary-line = { $mentor } → { $mentees } · { $held } meetings · { $quiet } days without one
pair-summary-previous = ‹ Back
pair-summary-next = Next ›
