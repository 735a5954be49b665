## Announcements of a program: the message participants get, and the curator's dialog.

announcement =
    An announcement of «{ $program }»:

    { $text }
announcement-report = The announcement of «{ $program }» is delivered: { $sent } received it{ $unreachable ->
        [0] {""}
       *[other] , { $unreachable } unreachable in the messengers
    }{ $failed ->
        [0] {""}
       *[other] , { $failed } could not be sent
    }.

announce-start = Announcements: a message to every participant of the program, or to mentors / mentees only. Everyone gets it in their own messenger.
announce-button-new = New announcement
announce-button-recent = Sent
announce-button-close = ← Back
announce-button-back = ← Back
announce-ask-whom = To whom?
announce-whom = { $whom ->
        [mentor] Mentors
        [mentee] Mentees
       *[other] All participants
    } ({ $count })
announce-ask-text = Type the announcement (up to 3500 characters).
announce-ask-file = Attach one of the program's files? Files are added with «admin material add».
announce-button-no-file = No file
announce-review =
    Check the announcement ({ $whom ->
        [mentor] to mentors
        [mentee] to mentees
       *[other] to all participants
    }, recipients: { $count }{ $file ->
        [none] {""}
       *[other] , file: { $file }
    }):

    { $text }
announce-button-send = Send
announce-sent = The announcement is on its way to { $count } recipients. A delivery report comes when all messages are out; «Sent» shows it too.
announce-invalid = Not sent: the text is empty or longer than 3500 characters, or the file is not this program's.
announce-recent = { $count ->
        [0] No announcements yet.
       *[other] The latest announcements:{"\u000A\u000A"}{ $lines }
    }
announce-line =
    { $day }, { $whom ->
        [mentor] to mentors
        [mentee] to mentees
       *[other] to everyone
    }: «{ $text }»
    { $recipients } recipients: { $sent } delivered, { $unreachable } unreachable, { $failed } failed, { $waiting } on the way
announce-not_found = There is no such program, or it is closed.
announce-not_allowed = Only the program's curators and the organisation's coordinators send its announcements.
