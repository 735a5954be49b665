## Matching (stages 4–5): notifications to mentors, mentees and curators. The curator's dialogs
## are further down.

pair-intro-mentee =
    You have a mentor! Program “{ $program }”.

    { $group ->
        [yes] Your mentor and group leader
       *[other] Your mentor
    } is { $partner }{ $detail ->
        [none] {""}
       *[other] {" "}({ $detail })
    }.
    { $reasons ->
        [none] {""}
       *[other] Why you were paired: { $reasons }.
    }
    What next: the first meeting is to get acquainted. Agree on a day and a place; the program's curator helps if something does not work out.{ $contact ->
        [none] {""}
       *[other] {" "}Write to your mentor: { $contact }
    }
    If it does not work out with your mentor, ask for a change under “My pair”.

pair-intro-mentor =
    { $group ->
        [yes] A mentee joined your group. Program “{ $program }”.
       *[other] You have a mentee. Program “{ $program }”.
    }

    This is { $partner }{ $detail ->
        [none] {""}
       *[other] {" "}({ $detail })
    }.
    { $reasons ->
        [none] {""}
       *[other] Why you were paired: { $reasons }.
    }
    What next: the first meeting is to get acquainted. Suggest a day and a place; the program's curator helps if something does not work out.{ $contact ->
        [none] {""}
       *[other] {" "}Write to your mentee: { $contact }
    }
    If the work does not go well, ask for a change under “My pair”.

change-requested-curator =
    A change request in “{ $program }”: { $name } ({ $role ->
        [mentor] mentor
       *[other] mentee
    }) asks to end the pair with { $partner }.
    Reason: { $reason }
    To decide: “Matching” → “Change requests”.

change-approved = { $asked ->
        [yes] The curator approved the change in “{ $program }”: the pair with { $partner } has ended.
       *[other] The curator of “{ $program }” ended your pair with { $partner }.
    } { $role ->
        [mentee] We will find you a new mentor and write at once.
       *[other] Thank you for your work! The curator will assign new mentees if you have free places.
    }

change-declined = The curator of “{ $program }” decided not to change the pair. If there are difficulties, talk them over with the curator, who will help.

mentor-approved =
    You are approved as a mentor in “{ $program }”. Thank you!
    { $materials ->
        [0] The curator will send training materials later.
        [one] Below is a training material.
       *[other] Below are the training materials ({ $materials }).
    } Once the curator forms the pairs, you will be introduced to your mentee.

training-material = A material for the mentors of “{ $program }”: { $title }{ $url ->
        [none] {""}
       *[other] {" "}— { $url }
    }

## Dialogs: «Подбор пар» for curators and coordinators, «Моя пара» for mentees and mentors.

menu-matching = Matching
menu-my-pair = My pair

matching-who = { $name }{ $detail ->
        [none] {""}
       *[other] {" "}({ $detail })
    }

matching-error-not-found = This no longer exists: it was removed or the link is out of date. Nothing was changed.
matching-error-not-allowed = This is not available to you: only the program's curators and the organisation's coordinators match its pairs. Nothing was changed.
matching-error-decided = This has already been decided, perhaps by another curator. There is nothing more to do.
matching-error-not-ready = This is out of date: the mentee no longer waits for a pair or the mentor is not approved. Nothing was changed.
matching-error-full = This mentor has no free place. Choose another mentor or free a place.
matching-error-excluded = You marked this pair “Never pair”, so it cannot be made.
matching-error-invalid = This value does not fit. Check it and try again.

matching-no-programs = “Matching” is for program curators and coordinators. You are not a curator or coordinator of any program. If you were appointed recently, ask the coordinator for an invite link.
matching-programs = Matching. Choose a program:

matching-card =
    “{ $program }”: matching
    Mentees ready for matching: { $mentees }
    Approved mentors: { $mentors }
    Proposals waiting for a decision: { $proposals }
    { $kind ->
        [group] Active groups
       *[other] Active pairs
    }: { $pairs }
    Change requests: { $requests }
    Match threshold: { $threshold } of 100. Forming { $kind ->
        [group] groups
       *[other] pairs
    }.
matching-button-run = Run matching
matching-button-proposals = Proposals ({ $count })
matching-button-approve-all = Approve all
matching-button-unmatched = Without a pair
matching-button-mentors = Mentors
matching-button-materials = Materials
matching-button-requests = Change requests ({ $count })
matching-button-pairs = Pairs ({ $count })
matching-button-settings = Settings
matching-button-previous = ‹
matching-button-next = ›

matching-run-summary =
    Matching done. Pairs proposed: { $proposals }{ $proposals ->
        [0] {""}
       *[other] , average match { $average } of 100
    }. Left without a pair: { $unmatched }.
    Mentees considered: { $mentees }; approved mentors with free places: { $mentors } (places: { $places }); threshold: { $threshold }.
    Nobody is told anything until you approve a proposal. Open “Proposals”.

matching-proposal =
    Proposal { $position } of { $total }{ $manual ->
        [yes] {" "}(matched by hand)
       *[other] {""}
    }
    { $mentee } → { $mentor }
    Match: { $score } of 100
    { $reasons ->
        [none] The questionnaires have no answers in common.
       *[other] Why: { $reasons }
    }
matching-proposals-none = No proposals wait for a decision. Run matching from the program's card or pick a mentor by hand under “Without a pair”.
matching-button-approve = Approve
matching-button-reject = Reject
matching-button-never = Never pair
matching-button-other = Another mentor
matching-approve-done = Pair approved: { $mentee } → { $mentor }. Both get an introduction in their own messenger.
matching-reject-done = Proposal rejected: { $mentee } → { $mentor }. Matching will not propose this pair again, but you can still make it by hand.
matching-never-done = Done: { $mentee } and { $mentor } will never be paired, neither by matching nor by hand.

matching-approve-all-confirm = Approve all proposals ({ $count })? Both sides of each pair get an introduction at once. Proposals that are out of date are skipped.
matching-button-approve-all-yes = Yes, approve all
matching-button-approve-all-no = No, go back
matching-approved-all = Pairs approved: { $approved }. { $skipped ->
        [0] Nothing skipped.
       *[other] Skipped: { $skipped }: the mentee no longer waits, the mentor is not approved or has no place left.
    }

matching-unmatched = { $count ->
        [0] Every mentee ready for matching has a pair or a proposal waiting for a decision.
       *[other] Without a pair: { $count }. Matching found no mentor for these mentees. Tap a name to pick a mentor by hand. Until then, support the mentee: talk to them or ask the school psychologist for help.
    }
matching-alternatives = Mentee: { $mentee }. { $count ->
        [0] There are no approved mentors with a free place. Approve more mentors under “Mentors” or free a place.
       *[other] Choose one of the approved mentors with a free place (best matches first):
    }
matching-alternative = { $mentor } — { $score }/100, places: { $free }
matching-moved =
    New proposal{ $manual ->
        [yes] {" "}(matched by hand)
       *[other] {""}
    }:
    { $mentee } → { $mentor }
    Match: { $score } of 100
    { $reasons ->
        [none] The questionnaires have no answers in common.
       *[other] Why: { $reasons }
    }
    Approve it now or later under “Proposals”.

matching-mentors = { $count ->
        [0] The program has no mentors yet. Invite them with the mentor link (“My programs” → “Invite links”).
       *[other]
        The program's mentors ({ $count }). Matching proposes approved mentors only. Tap a name to approve a mentor (after an interview or training) or to withdraw the approval.
        { $lines }
    }
matching-mentor-line = { $state ->
        [approved] ✓ { $name } — approved, mentees: { $load } of { $capacity }
        [ready] ○ { $name } — questionnaire done, waiting for approval
       *[other] … { $name } — questionnaire not finished yet
    }
matching-mentor-button = { $state ->
        [approved] ✓ { $name }
        [ready] { $name }
       *[other] … { $name }
    }
matching-mentor-approved = Mentor { $name } approved. The training materials are on their way to their messenger; matching will now propose them to mentees.
matching-mentor-unapproved = Approval withdrawn: { $name }. Open proposals with this mentor are cancelled; active pairs stay.
matching-mentor-not-ready = { $name }: the mentor questionnaire is not finished yet. You can approve once it is done: matching relies on its answers.

matching-materials =
    { $count ->
        [0] No materials for mentors yet.
       *[other] Materials for mentors ({ $count }). Approved mentors get them at once, new ones when approved.
    }
    { $lines }
    You can add a link here. A file (PDF, slides) is added by the bot's administrator with:
    python -m bot admin material add --program { $program_id } --title "Title" --file path/to/file
matching-material-line = { $number }. { $title } — { $url ->
        [none] file { $file }
       *[other] { $url }
    }
matching-button-add-link = Add a link
matching-material-title = What is the material called? For example: “Mentor's guide”. At most 200 characters.
matching-material-title-empty = The title cannot be empty. Write what the material is called.
matching-material-url = Send the link to the material. It must start with https:// or http://
matching-material-url-invalid = This does not look like a link. Send the whole address starting with https://, for example https://school.example/guide
matching-material-added = Material “{ $title }” added. Approved mentors get it in their messenger.

matching-request =
    Change request { $position } of { $total }
    { $requester } ({ $role ->
        [mentor] mentor
       *[other] mentee
    }) asks to change the pair.
    Pair: { $mentee } → { $mentor }
    Reason: { $reason }
    If you approve, the pair ends, the mentee goes back to matching, and these two are not proposed to each other again. Both are told.
matching-requests-none = No open change requests.
matching-button-change-approve = Approve the change
matching-button-change-decline = Decline
matching-change-approved = Change approved: the pair has ended and both were told. The mentee waits for a mentor again: pick one under “Without a pair” or run matching.
matching-change-declined = Request declined: the pair goes on. The person who asked is told.

matching-settings =
    Match threshold: { $threshold } of 100. Matching does not propose pairs with a lower score.
    Forming { $kind ->
        [group] groups: a mentor works with all their mentees in one group.
       *[other] pairs: each mentee has their own pair with a mentor.
    }
matching-button-threshold = Change the threshold
matching-button-kind-group = Form groups
matching-button-kind-pair = Form pairs
matching-kind-set = { $kind ->
        [group] Now forming groups: newly approved mentees join their mentor's group.
       *[other] Now forming pairs: each new mentee gets their own pair with a mentor.
    }
matching-threshold = Enter the match threshold, a number from 0 to 100. Now: { $threshold }. The higher it is, the closer the matches, but the more mentees are left without a pair.
matching-threshold-invalid = A whole number from 0 to 100 is needed, for example 40.
matching-threshold-set = The match threshold is now { $threshold } of 100. It applies from the next matching run.

pairs-list =
    { $count ->
        [1] Your pair:
       *[other] Your pairs:
    }
    { $lines }
    Tap a pair to see its meetings, ratings and goals.
pairs-line = • { $partner } — { $role ->
        [mentor] your mentee
       *[other] your mentor
    }, program “{ $program }”
pairs-none = You have no pair right now. When the curator approves a pair, the introduction comes here.
pairs-not-found = This pair no longer exists; perhaps the curator has already changed it.
pairs-button-change = Ask for a change: { $partner }
pairs-button-open = { $partner }
pairs-button-goals = Goals
pairs-button-meet = Propose a meeting
pairs-button-list = ← Back to the pairs
pairs-reason = Why do you ask to change the pair with { $partner }? Write briefly, up to 1000 characters. Only the program's curator reads the reason.
pairs-reason-empty = Please write the reason in at least a few words: it helps the curator help you.
pairs-change-confirm =
    Send the curator a request to change the pair with { $partner }?
    Reason: { $reason }
pairs-button-send = Send the request
pairs-button-keep = Do not send
pairs-change-sent = The request has been sent to the curator. You will get a message when they decide. Until then the pair goes on.
pairs-change-kept = The request was not sent; the pair goes on.
pairs-change-already = You have already asked to change the pair with { $partner }; the curator has not answered yet. You will get a message when they decide.
