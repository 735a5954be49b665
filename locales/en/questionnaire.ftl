## Filling a questionnaire (the questions themselves live in questionnaires/*.yaml).

questionnaire-intro =
    Questionnaire "{ $title }": { $total } { $total ->
        [one] question
       *[other] questions
    }. Every answer is saved at once, so you can stop and carry on later from the same place.
questionnaire-resume = Carrying on from question { $number } of { $total }. Your earlier answers are saved.
questionnaire-question =
    Question { $number } of { $total }

    { $text }{ $hint }
questionnaire-hint-multi = Mark { $min } to { $max } { $max ->
        [one] option
       *[other] options
    } and tap "Done".
questionnaire-hint-multi-any = Mark everything that applies and tap "Done".
questionnaire-hint-multi-exact = Mark { $count } { $count ->
        [one] option
       *[other] options
    } and tap "Done".
questionnaire-hint-text = Type your answer, at most { $limit } { $limit ->
        [one] character
       *[other] characters
    }.
questionnaire-hint-date = Type a date as DD.MM.YYYY, for example: { $example }.
questionnaire-current = Now: { $answer }. Tap "Keep as is" or type a new answer.

questionnaire-button-done = Done
questionnaire-button-keep = Keep as is
questionnaire-button-yes = Yes
questionnaire-button-no = No
questionnaire-button-confirm = All correct
questionnaire-button-edit = Change an answer
questionnaire-button-close = OK

questionnaire-multi-min = Pick at least { $min } { $min ->
        [one] option
       *[other] options
    }, then tap "Done".
questionnaire-multi-max = You can pick at most { $max } { $max ->
        [one] option
       *[other] options
    }. To swap one, first untick the extra option by tapping it again.
questionnaire-number-invalid = I could not read a number. Please type it in digits, for example: 12.
questionnaire-number-whole = A whole number is needed, for example: 12.
questionnaire-number-any = Type a number in digits, for example: 12.
questionnaire-number-range = A number from { $min } to { $max } is needed.
questionnaire-number-min = A number of at least { $min } is needed.
questionnaire-number-max = A number of at most { $max } is needed.
questionnaire-date-invalid = I could not read the date. Please type it as DD.MM.YYYY, for example: { $example }.
questionnaire-date-early = The date must not be before { $date }.
questionnaire-date-late = The date must not be after { $date }.

questionnaire-review =
    Please check your answers to "{ $title }":

    { $answers }

    If everything is right, tap "All correct". To fix an answer, tap "Change an answer".
questionnaire-review-line = { $number }. { $question }: { $answer }
questionnaire-skipped = skipped
questionnaire-scale-value = { $value } of { $max }
questionnaire-pick = Which answer would you like to change?
questionnaire-unanswered = Some questions are still unanswered; let us answer them.
questionnaire-done = Thank you! The questionnaire is complete and saved. The curator will use it to find you a pair.
questionnaire-unavailable = This questionnaire is not available now: perhaps you no longer take part in the program. If this is a mistake, please write to the curator.
questionnaire-reminder = A reminder: the questionnaire of the program "{ $program }" is not finished yet. Your answers are saved; open the bot and we will carry on from the same question.
