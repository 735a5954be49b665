## Nudges for pairs that stall (stage 6). $partner: the other members' names.

nudge-first-meeting =
    It has been { $days } { $days ->
        [one] day
       *[other] days
    } since you were introduced in «{ $program }», and there has been no first meeting yet. Agree on an introduction meeting with { $partner } — it takes a minute.
nudge-quiet =
    You and { $partner } have not met for { $days } { $days ->
        [one] day
       *[other] days
    } («{ $program }»). Time to agree on the next meeting.
nudge-feedback = You said the meeting on { $day } happened but have not given feedback yet. Two minutes, and the curator sees how things are going.
nudge-button-propose = Propose a meeting
