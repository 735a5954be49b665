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
