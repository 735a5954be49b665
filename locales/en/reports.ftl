## Reports: the program's workbook and CSV files, the final analytical report.
## Sheet titles are report-sheet-<sheet>, column headers report-column-<column>; enum values
## are rendered by report-<enum> selecting on $value. Stage names are staff-stage-N (staff.ftl).

## The dialog.

report-menu =
    Reports of the program «{ $program }» (stage { report-stage }).

    • XLSX export — one workbook: participants, pairs, meetings, feedback, goals, consents.
    • CSV export — the same tables, one file each (separator «;», UTF-8).
    • Final report — the program's figures, surveys, outcomes, the mentors ranked for awards, and charts.

    The export holds no birth dates, no messenger accounts and no questionnaire answers (health ones included); erased participants' data stay out of it.
report-button-xlsx = XLSX export
report-button-csv = CSV export
report-button-final = Final report
report-button-close = Close
report-not-found = There is no such program — perhaps it was deleted.
report-not-allowed = This program is not yours to see: its curators and the organisation's coordinators see its reports.
report-xlsx-sent = The export of «{ $program }» (XLSX).
report-csv-sent = { $sheet } (CSV)
report-final-xlsx = The final report of «{ $program }» (XLSX).
report-final-chart = { $title }
report-final-summary =
    The final report of «{ $program }».
    { $complete ->
        [True] {""}
       *[other] The program is still at stage { $stage } of 7 — this is a preview; the final one comes at stage 7.
    }
    Participants: { $joined } (opened the link: { $invited }), active pairs: { $pairs }.
    Meetings held: { $held } of { $planned } planned.
    Mean meeting rating: { $rating ->
        [none] no ratings
       *[other] { $rating } of 5
    }.
    Satisfaction: { $satisfaction ->
        [none] no surveys
       *[other] { $satisfaction } of 5
    }, NPS: { $nps ->
        [none] —
       *[other] { $nps }
    }.
    Goals reached: { $goals_done } of { $goals_set }, intermediate results: { $results }.
    Would become mentors: { $would_mentor }.

    { $mentors ->
        [0] No mentors to rank yet.
       *[other] The best mentors by feedback and meetings:
    }
    { $top }
report-final-mentor = { $place }. { $name } — { $score } pts (meetings: { $held }, mean rating: { $rating ->
        [none] —
       *[other] { $rating }
    }, goals reached: { $goals })

## Values in the tables.

report-stage = { $stage } — { $stage ->
        [1] { staff-stage-1 }
        [2] { staff-stage-2 }
        [3] { staff-stage-3 }
        [4] { staff-stage-4 }
        [5] { staff-stage-5 }
        [6] { staff-stage-6 }
       *[7] { staff-stage-7 }
    }
report-yes-no = { $value ->
        [yes] yes
       *[no] no
    }
report-erased = erased (#{ $id })
report-missed-reason = { $name }: { $reason }
report-answer = { $question }: { $value }
report-made-by-system = administrator ({ $name })
report-left-out = Not exported: birth dates, messenger accounts and chats, questionnaire answers (health ones included), meeting places and links, unsent survey answers; erased participants' data and everything they wrote.
report-role = { $value ->
        [mentee] mentee
        [mentor] mentor
       *[other] { $value }
    }
report-participant-status = { $value ->
        [invited] invited
        [onboarding] onboarding
        [consent_pending] waiting for a parent's consent
        [ready] ready
        [matched] in a pair
        [finished] finished
        [declined] declined
        [left] left
        [removed] removed
       *[other] { $value }
    }
report-pair-kind = { $value ->
        [pair] pair
        [group] group
       *[other] { $value }
    }
report-pair-status = { $value ->
        [proposed] proposed
        [active] active
        [finished] finished
        [rejected] rejected
        [dissolved] dissolved
       *[other] { $value }
    }
report-meeting-kind = { $value ->
        [intro] intro meeting
        [trial] trial working meeting
        [planning] planning meeting
        [regular] regular meeting
        [final] final meeting
       *[other] { $value }
    }
report-meeting-status = { $value ->
        [proposed] proposed
        [confirmed] confirmed
        [declined] declined
        [countered] another time proposed
        [held] held
        [missed] missed
        [cancelled] cancelled
        [rescheduled] rescheduled
       *[other] { $value }
    }
report-feedback-kind = { $value ->
        [meeting] after a meeting
        [pulse] pulse survey
        [final] final survey
       *[other] { $value }
    }
report-goal-status = { $value ->
        [open] open
        [done] reached
        [dropped] dropped
       *[other] { $value }
    }
report-consent-purpose = { $value ->
        [participation] taking part in the program
        [personal_data] processing of personal data
       *[other] { $value }
    }
report-consent-status = { $value ->
        [requested] requested
        [granted] granted
        [refused] refused
        [revoked] revoked
       *[other] { $value }
    }
report-consent-relation = { $value ->
        [self] the participant
        [parent] a parent (legal representative)
       *[other] { $value }
    }
report-channel = { $value ->
        [telegram] Telegram
        [vk] VK
        [console] console
       *[other] { $value }
    }

## Sheets.

report-sheet-about = About
report-sheet-participants = Participants
report-sheet-pairs = Pairs
report-sheet-meetings = Meetings
report-sheet-feedback = Feedback
report-sheet-goals = Goals
report-sheet-consents = Consents
report-sheet-summary = Summary
report-sheet-mentors = Mentor ranking
report-sheet-weeks = By week
report-sheet-surveys = Surveys

report-about-program = Program
report-about-organization = Organisation
report-about-stage = Stage
report-about-made-at = Exported at
report-about-made-by = Exported by
report-about-timezone = Time zone of dates and times
report-about-left-out = Left out
report-about-rows = Rows in «{ $sheet }»

## Columns.

report-column-item = Figure
report-column-value = Value
report-column-participant-id = Participant no.
report-column-name = Name
report-column-grade = Class
report-column-role = Role
report-column-status = Status
report-column-approved = Mentor approved
report-column-capacity = Mentees at most
report-column-questionnaire-done-at = Questionnaire done
report-column-joined-at = Joined
report-column-pair-id = Pair no.
report-column-kind = Kind
report-column-mentor = Mentor
report-column-mentee = Mentee
report-column-score = Score
report-column-approved-at = Pair approved
report-column-ended-at = Pair ended
report-column-meetings-held = Meetings held
report-column-meeting-id = Meeting no.
report-column-mentees = Mentees
report-column-starts-at = Starts
report-column-duration-minutes = Duration, min
report-column-topic = Topic
report-column-missed-reasons = Why it did not happen
report-column-feedback-id = Feedback no.
report-column-round = Survey round
report-column-author = Author
report-column-author-role = Author's role
report-column-rating = Rating
report-column-done-text = What was done
report-column-comment = Comment
report-column-intermediate-result = Intermediate result
report-column-satisfaction = Satisfaction (1–5)
report-column-nps = Would recommend (0–10)
report-column-would-mentor = Would mentor
report-column-answers = Other answers
report-column-at = When
report-column-goal-id = Goal no.
report-column-title = Goal
report-column-progress = Progress, %
report-column-due-on = Due
report-column-updated-at = Updated
report-column-consent-id = Consent no.
report-column-subject = For whom
report-column-purpose = Purpose
report-column-relation = Decided by
report-column-given-by = Given by
report-column-channel = Channel
report-column-text-version = Text version
report-column-text-hash = Text fingerprint (SHA-256)
report-column-decided-at = Decided
report-column-valid-until = Valid until
report-column-place = Place
report-column-ratings = Ratings
report-column-held = Meetings held
report-column-feedback-given = Feedback given
report-column-goals-done = Goals reached
report-column-week-start = Week from
report-column-planned = Planned
report-column-sent = Sent
report-column-completed = Completed
report-column-promoters = Promoters (9–10)
report-column-passives = Passives (7–8)
report-column-detractors = Detractors (0–6)

## The final report's summary.

report-figure-stage = Stage
report-figure-complete = The program is at its completion stage
report-figure-invited = Opened an invite link
report-figure-joined = Joined
report-figure-consent-pending = Waiting for a parent's consent
report-figure-questionnaires-done = Questionnaires done
report-figure-mentors-approved = Mentors approved
report-figure-pairs-active = Active pairs
report-figure-held-total = Meetings held
report-figure-planned-total = Meetings planned
report-figure-meetings-missed = Meetings missed
report-figure-rating = Mean meeting rating (all)
report-figure-rating-recent = Mean meeting rating (last 4 weeks)
report-figure-goals-set = Goals set
report-figure-goals-done = Goals reached
report-figure-intermediate-results = Intermediate results
report-figure-pulse-completed = Pulse surveys completed
report-figure-pulse-satisfaction = Satisfaction in pulse surveys
report-figure-pulse-nps = NPS in pulse surveys
report-figure-final-sent = Final surveys sent
report-figure-final-completed = Final surveys completed
report-figure-final-satisfaction = Satisfaction in the final survey
report-figure-final-nps = NPS in the final survey
report-figure-would-mentor = Mentees who would become mentors
report-figure-mentor-again = Mentors who would mentor again
report-figure-made-at = Report made at

## Charts.

report-chart-weeks = Meetings and ratings by week
report-chart-ratings = Meeting ratings
report-chart-rating = rating
report-chart-mentors = Mentor ranking
report-chart-empty = No data yet
report-chart-score = score
