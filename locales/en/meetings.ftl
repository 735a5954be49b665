## Meetings (stage 6): notifications to the members of a pair or group. Times come in the
## reader's own time zone: $day (DD.MM.YYYY), $weekday (1 = Monday), $time, $zone.

meeting-kind-name = { $kind ->
        [intro] intro meeting
        [trial] trial working meeting
        [planning] planning meeting
        [final] final meeting
       *[regular] meeting
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
