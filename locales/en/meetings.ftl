## Meetings (stage 6): notifications to the members of a pair or group. Times come in the
## reader's own time zone: $day (DD.MM.YYYY), $weekday (1 = Monday), $time, $zone.

meeting-kind-name = { $kind ->
        [intro] intro meeting
        [trial] trial working meeting
        [planning] planning meeting
        [final] final meeting
       *[regular] meeting
    }
meeting-kind-title = { $kind ->
        [intro] Intro meeting
        [trial] Trial working meeting
        [planning] Planning meeting
        [final] Final meeting
       *[regular] Meeting
    }
meeting-weekday = { $weekday ->
        [1] Mon
        [2] Tue
        [3] Wed
        [4] Thu
        [5] Fri
        [6] Sat
       *[7] Sun
    }
meeting-when = { meeting-weekday }, { $day }, { $time } ({ $zone })
meeting-details =
    { meeting-kind-name }, { meeting-when }, { $minutes } min{ $place ->
        [none] {""}
       *[other] {"\u000A"}Place: { $place }
    }{ $link ->
        [none] {""}
       *[other] {"\u000A"}Link: { $link }
    }{ $topic ->
        [none] {""}
       *[other] {"\u000A"}Topic: { $topic }
    }

meeting-proposed =
    { $who } suggests a meeting (program “{ $program }”):
    { meeting-details }
    Does it suit you?
meeting-countered =
    { $who } suggests another time (program “{ $program }”):
    { meeting-details }
    Does it suit you?
meeting-moved =
    { $who } moves the meeting (program “{ $program }”). The new time:
    { meeting-details }
    Does it suit you?
meeting-declined = { $who } cannot come to the meeting on { meeting-when }. Suggest another time under “My meetings”.
meeting-cancelled = { $who } cancelled the meeting on { meeting-when } (program “{ $program }”). There will be no reminders of it.
meeting-confirmed =
    The meeting is confirmed:
    { meeting-details }
    The file below adds it to your calendar. We will remind you beforehand.
meeting-reminder = { $before ->
        [60] In an hour:
        [1440] Tomorrow:
       *[other] Soon:
    } a meeting (program “{ $program }”):
    { meeting-details }
meeting-check =
    Did the meeting on { meeting-when } take place?
meeting-check-nudge =
    A reminder: did the meeting on { meeting-when } take place? It takes a second and helps the curator.

meeting-button-confirm = Confirm
meeting-button-decline = I can't
meeting-button-other-time = Another time
meeting-button-open = Open the meeting
meeting-button-happened-yes = Yes, it did
meeting-button-happened-no = No
meeting-button-happened-moved = We moved it

## Dialogs: “My meetings”, the meeting card, the proposal wizard, feedback.

menu-meetings = My meetings
meetings-list = { $count ->
        [0] No meetings planned yet.
        [one] Your next meeting is below.
       *[other] Your next meetings ({ $count }) are below.
    } { $pairs ->
        [0] {""}
       *[other] To arrange a new one, tap “Suggest a meeting”.
    }
meetings-item = { $when } · { meeting-kind-name }{ $status ->
        [proposed] {" "}(awaiting an answer)
       *[other] {""}
    }
meetings-zone-button = Time zone: { meetings-zone-name } ({ $offset })
meetings-zone-option = { meetings-zone-name } ({ $offset })
meetings-ask-zone = Which time zone do you live in? Meeting times will be shown in it.
meetings-zone-saved = Time zone saved: { meetings-zone-name }.
meetings-zone-name = { $zone ->
        [kaliningrad] Kaliningrad
        [samara] Samara
        [yekaterinburg] Yekaterinburg
        [omsk] Omsk
        [krasnoyarsk] Krasnoyarsk
        [irkutsk] Irkutsk
        [yakutsk] Yakutsk
        [vladivostok] Vladivostok
        [magadan] Magadan
        [kamchatka] Kamchatka
       *[other] Moscow
    }
meetings-propose-with = Suggest a meeting: { $partner }

meeting-status = { $status ->
        [proposed] suggested, awaiting an answer
        [confirmed] confirmed
        [declined] declined
        [countered] another time suggested
        [held] took place
        [missed] did not take place
        [cancelled] cancelled
       *[rescheduled] moved
    }
meeting-response = { $response ->
        [confirmed] confirmed
        [declined] cannot come
        [countered] suggested another time
       *[pending] has not answered yet
    }
meeting-card =
    { meeting-kind-title } (program “{ $program }”)
    When: { $when }, { $minutes } min{ $place ->
        [none] {""}
       *[other] {"\u000A"}Place: { $place }
    }{ $link ->
        [none] {""}
       *[other] {"\u000A"}Link: { $link }
    }{ $topic ->
        [none] {""}
       *[other] {"\u000A"}Topic: { $topic }
    }
    Status: { meeting-status }{ $reason ->
        [none] {""}
       *[other] {"\u000A"}Why it did not happen: { $reason }
    }{ $others ->
        [none] {""}
       *[other] {"\u000A"}{ $others }
    }
meeting-card-answer = { $name }: { meeting-response }

meeting-button-change = Change the time
meeting-button-reschedule = Move
meeting-button-cancel = Cancel the meeting
meeting-button-feedback = Give feedback
meeting-button-close = ← Back to meetings
meeting-button-send = Send

meeting-answered = { $confirm ->
        [True] { $status ->
            [confirmed] The meeting is confirmed. The calendar file and reminders come in a separate message.
           *[other] Your agreement is recorded. Waiting for the others.
        }
       *[other] Noted that you cannot come. Suggest another time if you like.
    }
meeting-cancelled-by-me = The meeting is cancelled; everyone will get a message.
meeting-sent = { $mode ->
        [counter] Another time sent. The answer will come as a message.
        [reschedule] The new time is sent. The answer will come as a message.
       *[other] The suggestion is sent. The answer will come as a message.
    }

meeting-ask-day = Which day? Choose one or type a date, e.g. 15.12.
meeting-day-button = { $offset ->
        [0] today, { $day }
        [1] tomorrow, { $day }
       *[other] { meeting-weekday }, { $day }
    }
meeting-ask-time = At what time? Choose one or type it, e.g. 18:30. The time is your local time.
meeting-ask-minutes = How long will the meeting be?
meeting-minutes-button = { $minutes } min
meeting-ask-kind = What kind of meeting is it?
meeting-kind-button = { meeting-kind-name }{ $suggested ->
        [True] {" "}(next in the plan)
       *[other] {""}
    }
meeting-ask-place = Where will you meet? Type a place (e.g. “library, 2nd floor”) or a link to an online meeting.
meeting-ask-topic = What will you talk about? Type a topic in a few words or tap “Skip”.
meeting-review =
    Check { $mode ->
        [counter] the new suggestion
        [reschedule] the new time
       *[other] the suggestion
    }:
    { meeting-details }
meeting-date-invalid = I did not understand the date. Type a day and a month, e.g. 15.12, or choose a day with a button.
meeting-time-invalid = I did not understand the time. Type hours and minutes, e.g. 18:30.
meeting-place-invalid = Type a place or a link, or tap “Skip”.
meeting-topic-invalid = Type a topic or tap “Skip”.

meeting-ask-rating = How did the meeting go? Rate it from 1 (bad) to 5 (great).
meeting-ask-done = What did you do at the meeting? A couple of sentences, or “Skip”.
meeting-ask-comment = Anything to add? The curator will see the comment.
meeting-ask-result = Is there an intermediate result (a project, a mark, a decision)? Note it, or “Skip”.
meeting-feedback-thanks = Thank you for the feedback! It helps the curator.

meeting-error-not_found = This meeting is not available: it does not exist or you are not in this pair.
meeting-error-decided = This meeting was answered already or its status changed. Here is how it stands now.
meeting-error-past = That time has passed or is too far ahead (over a year). Choose another.
meeting-error-invalid = Something is wrong with the meeting's details: 15–480 minutes, a place up to 200 characters, a link like https://…
meeting-error-too_early = The meeting has not ended yet; we will ask how it went afterwards.
meeting-error-not_held = You can give feedback once you have said the meeting took place.

meeting-ask-reason = { $moved ->
        [True] Noted: the meeting was moved. What got in the way? A few words — only the curator sees them. Or tap «Skip».
       *[other] Noted: the meeting did not happen. What got in the way? A few words — only the curator sees them. Or tap «Skip».
    }
meeting-reason-thanks = Thank you, the reason is noted.
meeting-offer-again = Shall we agree on a new meeting now?
meeting-button-new-time = Propose a new time
meeting-button-later = Later
meeting-goals-offer = That was the planning meeting — the right time to record the pair's goals. Record them now?
meeting-button-goals-now = Record goals
meeting-button-goals = The pair's goals
