## The cycle's stages of a program: the overview, the checklist, moving on, dates.
## Stage names are staff-stage-1 … staff-stage-7 (staff.ftl).

stages-overview =
    Program «{ $program }»: { $closed ->
        [True] closed.
       *[other] stage { $stage } of 7 — { $name }.
    }

    { $lines }
    { $closed ->
        [True] {""}
       *[other] {"\u000A"}What this stage needs:{"\u000A"}{ $checklist }
    }
    Moving by date: { $auto ->
        [True] on — the program moves to the next stage on the day it starts.
       *[other] off — move with the button.
    }
stages-line = { $state ->
        [current] ▶
        [done] ✓
       *[other] ○
    } { $stage }. { $name }{ $start ->
        [none] {""}
       *[other] : { $start } – { $end }
    }
stages-item = { $done ->
        [True] ✓
       *[other] ○
    } { $text }
stages-item-curator = A curator is appointed
stages-item-description = A description of the program for participants
stages-item-dates = Stage dates: { $count } of { $total }
stages-item-links = Invite links for mentees and mentors: { $count } of { $total }
stages-item-mentees-joined = Mentees joined: { $count }
stages-item-mentees-questionnaires = Mentee questionnaires: { $count } of { $total }
stages-item-mentors-joined = Mentors joined: { $count }
stages-item-mentors-questionnaires = Mentor questionnaires: { $count } of { $total }
stages-item-consents-pending = Waiting for a parent's consent: { $count }
stages-item-mentors-approved = Mentors approved: { $count } of { $total }
stages-item-materials = Training materials for mentors: { $count }
stages-item-pairs = Pairs formed: { $count }
stages-item-proposals-decided = Matching proposals without a decision: { $count }
stages-item-unmatched = Mentees without a pair: { $count }
stages-item-pairs-met = Pairs that have met: { $count } of { $total }
stages-item-pairs-goals = Pairs with goals recorded: { $count } of { $total }
stages-item-final-meetings = Final meetings held: { $count } of { $total }
stages-item-goals-done = Goals reached: { $count }

stages-button-next = { $name ->
        [none] Close the program
       *[other] Move to stage { $stage }: { $name }
    }
stages-button-dates = Stage dates
stages-button-auto = { $auto ->
        [True] Moving by date: turn off
       *[other] Moving by date: turn on
    }
stages-button-close = ← Back
stages-button-back = ← Back
stages-button-force = Move anyway
stages-button-stage = { $stage }. { $name }
stages-confirm =
    The stage «{ $name }» is not complete yet:
    { $open }
    Move to the next stage anyway? Participants get the next stage's messages.
stages-moved = { $closed ->
        [True] The program is closed. Thank you for your work!
       *[other] The program moved to stage { $stage }: { $name }. Participants get this stage's messages.
    }
stages-auto-set = { $auto ->
        [True] Moving by date is on.
       *[other] Moving by date is off.
    }
stages-pick = Which stage's dates?
stages-ask-dates = Stage { $stage } «{ $name }»: type its start and end, e.g. 01.09.2026 - 30.09.2026. Send «-» to clear them.
stages-dates-invalid = I could not read the dates. Type them like this: 01.09.2026 - 30.09.2026.
stages-dates-order = The stage ends before it starts. Check the dates.
stages-dates-set = Stage { $stage } dates saved.
stages-not_found = There is no such program, or it is closed.
stages-not_allowed = Only the program's curators and the organisation's coordinators change its stages.

## What participants get when a program enters a stage.

stage-questionnaire = «{ $program }» is collecting questionnaires. Yours is not finished yet — open «{ menu-participation }» in the menu and go on, it takes a few minutes.
stage-training = «{ $program }» moves on to training the mentors. The curator sends the materials here; ask the curator if you have questions.
stage-pairs-formed = Pairs are formed in «{ $program }». Look into «My pair»: your partner is there, with a button to propose the first meeting.
stage-unmatched = Pairs are formed in «{ $program }», but no mentor has been found for you yet. The curator keeps looking and will contact you; if you want to talk, the school psychologist is there for you.
stage-work = The pairs of «{ $program }» start working. The plan: introduction → trial meeting → planning → regular meetings → final meeting. Propose a meeting in «My meetings».
stage-thanks =
    «{ $program }» is coming to an end. Thank you for taking part!
    Together you held { $held } { $held ->
        [one] meeting
       *[other] meetings
    } in { $pairs } { $pairs ->
        [one] pair
       *[other] pairs
    }. Please answer the final survey — it comes in a separate message.
stage-award = You are among the best mentors of «{ $program }» (place { $place }) by your mentees' feedback and the meetings held. The curator will tell you about the award at the final event. Thank you!
