## The curators' weekly digest and the /digest screens.

# One program of the digest: the weekly notification and the /digest screen.
digest-program =
    📊 «{ $program }», stage { $stage } of 7
    Invited: { $invited } · joined: { $joined }{ $new ->
        [none] {""}
       *[other] {" "}({ $new } new since last week)
    }
    Waiting for a parent's consent: { $consent }
    Questionnaires done: { $questionnaires } · mentors approved: { $mentors }
    Active pairs: { $pairs }
    Meetings this week: { $held_week } of { $planned_week } held
    Last week: { $held_last } of { $planned_last } held
    Mean meeting rating over 4 weeks: { $rating ->
        [none] none yet
       *[other] { NUMBER($rating, minimumFractionDigits: 1, maximumFractionDigits: 1) } of 5{ $trend_dir ->
            [up] {" "}↑ +{ NUMBER($trend, minimumFractionDigits: 1, maximumFractionDigits: 1) }
            [down] {" "}↓ −{ NUMBER($trend, minimumFractionDigits: 1, maximumFractionDigits: 1) }
            [flat] {" "}→ unchanged
           *[none] {""}
        }
    }
    Pulse survey NPS: { $nps ->
        [none] no answers yet
       *[other] { $nps }
    }{ $nudges ->
        [none] {""}
       *[other] {"\u000A"}Bot reminders to pairs: { $nudges }
    }
    { $flags ->
        [none] ✅ No risks seen.
       *[other] ⚠️ Needs attention:
    }{ $overloaded ->
        [none] {""}
       *[other] {"\u000A"}• { $overloaded } { $overloaded ->
            [one] mentor is
           *[other] mentors are
        } overloaded
    }{ $quiet ->
        [none] {""}
       *[other] {"\u000A"}• { $quiet } { $quiet ->
            [one] pair has
           *[other] pairs have
        } not met for a long time
    }{ $falling ->
        [none] {""}
       *[other] {"\u000A"}• { $falling } { $falling ->
            [one] mentor's
           *[other] mentors'
        } meeting ratings are falling
    }{ $unanswered ->
        [none] {""}
       *[other] {"\u000A"}• { $unanswered } { $unanswered ->
            [one] participant has
           *[other] participants have
        } not answered a survey for over a week
    }{ $unreachable ->
        [none] {""}
       *[other] {"\u000A"}• { $unreachable } { $unreachable ->
            [one] participant is
           *[other] participants are
        } unreachable in the messengers
    }{ $unmatched ->
        [none] {""}
       *[other] {"\u000A"}• { $unmatched } { $unmatched ->
            [one] mentee has
           *[other] mentees have
        } no pair
    }

# A coordinator's header line for one organisation.
digest-organization =
    🏫 { $organization }: { $programs } { $programs ->
        [one] program
       *[other] programs
    }{ $quiet ->
        [none] {""}
       *[other] , with no news: { $quiet }
    }
    Joined: { $joined } · active pairs: { $pairs } · meetings last week: { $held } of { $planned }{ $flagged ->
        [none] {""}
       *[other] {"\u000A"}⚠️ Risks flagged: { $flagged }
    }

digest-empty = { $programs ->
        [none] 📭 Weekly digest: you have no active programs yet.
       *[other] 📭 Weekly digest: nothing new in your programs, no risks seen.
    }

# /digest
digest-not-staff = The digest is for the curators and coordinators of programs.
digest-refused = This program is not available to you or no longer exists.
digest-overview = 📊 The digest of your programs{ $headers ->
        [none] {""}
       *[other] {"\u000A"}{"\u000A"}{ $headers }
    }{ $programs ->
        [none] {"\u000A"}{"\u000A"}No active programs yet.
       *[other] { $empty ->
            [yes] {"\u000A"}{"\u000A"}Nothing new, no risks seen.
           *[no] {""}
        }{"\u000A"}{"\u000A"}Choose a program:
    }
digest-button-program = { $program }{ $flags ->
        [none] {""}
       *[other] {" "}⚠️ { $flags }
    }
digest-button-close = Close
digest-chart = Meetings and the mean rating by week: «{ $program }»

# The chart's words.
digest-chart-title = Meetings and ratings by week
digest-chart-held = held
digest-chart-planned = planned
digest-chart-rating = mean rating
digest-chart-meetings = meetings

# A button per flag (in the notification and on the screen) and the list it opens.
digest-button-overloaded = Who is overloaded
digest-button-quiet = Pairs not meeting
digest-button-falling = Whose ratings fall
digest-button-unanswered = Who did not answer
digest-button-unreachable = Who is unreachable
digest-button-unmatched = Who has no pair
digest-flag-title = { $kind ->
        [overloaded] Overloaded mentors
        [quiet] Pairs that have not met for a long time
        [falling] Falling meeting ratings
        [unanswered] No survey answer for over a week
        [unreachable] Unreachable in the messengers
       *[unmatched] Mentees without a pair
    }
digest-flagged = { $title } — «{ $program }» ({ $total }):
    { $list }{ $more ->
        [none] {""}
       *[other] {"\u000A"}…and { $more } more
    }
digest-flagged-none = { $title } — «{ $program }»: nobody now, the risk is gone.
digest-no-name = no name
digest-line-overloaded = • { $name }: { $value } { $value ->
        [one] mentee
       *[other] mentees
    } for a limit of { $bound }
digest-line-quiet = • { $name } — { $mentees }: { $first ->
        [yes] no first meeting
       *[no] no meeting
    } for { $value } { $value ->
        [one] day
       *[other] days
    }
digest-line-falling = • { $name }: rating { NUMBER($bound, minimumFractionDigits: 1, maximumFractionDigits: 1) } → { NUMBER($value, minimumFractionDigits: 1, maximumFractionDigits: 1) }
digest-line-unanswered = • { $name } ({ $role ->
        [mentor] mentor
       *[mentee] mentee
    }): { $value } { $value ->
        [one] survey
       *[other] surveys
    } unanswered
digest-line-unreachable = • { $name } ({ $role ->
        [mentor] mentor
       *[mentee] mentee
    })
digest-line-unmatched = • { $name }
