## Pulse and final surveys (the questions live in questionnaires/pulse-*.yaml and final-*.yaml).

# Notifications: the invitations and the reminder, each with a button that opens the survey.
survey-pulse-invite = How are things going in the program "{ $program }"? Please answer a few short questions: it takes a couple of minutes and helps the curator notice early if something goes wrong.
survey-final-invite = The program "{ $program }" is coming to an end. Tell us how it went: a few questions, a couple of minutes. Your answers help make the next program better.
survey-reminder = A reminder about the survey of the program "{ $program }": your answers have not been sent yet. It takes a couple of minutes: tap the button below.
survey-button-open = Take the survey

# Answering (the questions, the review and the buttons are the questionnaire's).
survey-intro =
    Survey "{ $title }": { $total } { $total ->
        [one] question
       *[other] questions
    }. Every answer is saved at once, and at the end you can check them all. The program's curator will see your answers.
survey-resume = Carrying on from question { $number } of { $total }. Your earlier answers are saved.
survey-done = Thank you! Your answers are saved and passed on to the program's curator.
survey-unavailable = This survey is not available: it may not be addressed to you, or you no longer take part in the program. If this is a mistake, write to your curator.
survey-answered = You have already answered this survey, thank you! Answers cannot be changed once sent.
survey-expired = This survey is closed: a newer one has replaced it. You will find it in the menu, under "{ menu-surveys }".

# The menu entry, shown while a survey waits for answers.
menu-surveys = Surveys
survey-list = These surveys are waiting for your answers. Choose one:
survey-list-empty = No surveys are waiting for your answers right now. Thank you!
survey-item = { $kind ->
        [final] Final survey
       *[pulse] Survey no. { $round }
    }, "{ $program }"
