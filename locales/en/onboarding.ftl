## Joining a program after an invite link, a parent's consent through a link, /consents,
## /privacy and /delete_me. The consent texts themselves are in consent-text.ftl.

menu-participation = My participation
menu-consents = My consents

## The overview of a participation

onboarding-welcome =
    You are invited to the mentorship program “{ $program }” ({ $organization }) as a { $role ->
        [mentor] mentor
       *[other] mentee
    }.{ $about }

    { $resumed ->
        [yes] You have already started signing up — let's go on from where you stopped.
       *[other] Signing up takes a few minutes: consent to take part, a couple of questions about you, and a questionnaire.
    }
onboarding-button-start = Start
onboarding-button-continue = Continue
onboarding-choose = You are invited to several programs. Which one shall we open?
onboarding-choice = “{ $program }” — { $role ->
        [mentor] mentor
       *[other] mentee
    }
onboarding-nothing = There is nothing you need to do in any program right now. To join a program, open the invitation from its curator.
onboarding-not-yours = This invitation was made for someone else. Please ask the curator to send you yours.
onboarding-ready =
    You take part in the program “{ $program }” ({ $organization }).{ $about }

    The curator will find you a partner and write to you here.
onboarding-gone = You no longer take part in the program “{ $program }”. To come back, ask the curator for a new invitation.
onboarding-declined =
    You do not take part in the program “{ $program }”: { $who ->
        [parent] your parent did not give consent.
       *[other] you declined.
    }{ $about }

    Changed your mind? Tap “{ onboarding-button-rejoin }” — { $who ->
        [parent] you will get a new link for your parent.
       *[other] you can give your consent again.
    }
onboarding-button-rejoin = Take part

## Own consent and the profile

onboarding-consent-thanks = Thank you, your consent is recorded.
onboarding-declined-now = You declined to take part in the program “{ $program }”. If you change your mind, open “{ menu-participation }” in the menu and tap “{ onboarding-button-rejoin }”.
onboarding-ask-full-name = What is your name? Write your first name and surname — this is how the curator will see you.
onboarding-ask-grade = Which class are you in? For example: 6B or 10A.
onboarding-ask-birth-date = When were you born? Write the date as DD.MM.YYYY, for example 14.03.2013. It tells the bot whose consent is needed.
onboarding-ask-subject = Which subject do you teach?
onboarding-ask-position = What is your position? For example: teacher, school psychologist, deputy head.
onboarding-ask-workplace = Where do you work or study? Write the organisation's name.
onboarding-ask-occupation = What do you do? Your position or profession.
onboarding-name-invalid = That does not look like a first name and a surname. Write them in letters with a space between, for example: Misha Ivanov.
onboarding-grade-invalid = I could not understand the class. Write the number and the letter, for example: 6B.
onboarding-birth-date-invalid = I could not understand the date. Write it as DD.MM.YYYY, for example 14.03.2013.
onboarding-birth-date-out-of-range = Please check the year of birth: that date does not fit.
onboarding-text-invalid = Please write your answer in words.

## A parent's consent: what the student sees

onboarding-parent-needed = { $need ->
        [parent] You are not { $self_age } yet, so you can take part only with the consent of a parent (legal guardian).
       *[other] You are not { $adult_age } yet, so a parent (legal guardian) has to consent as well.
    } Below is a message for them: forward it in Telegram or VK, whichever they use.
onboarding-forward =
    Hello! { $child } asks for your consent to take part in the mentorship program “{ $program }” ({ $organization }).
    Open the link — the bot “Nastavnik” will show the consent text, and you can agree or refuse:
    { $links }
    The link works until { $until } inclusive, and only once.
onboarding-link-telegram = Telegram: { $url }
onboarding-link-vk = VK: { $url }
onboarding-link-token = If the link does not open, send the bot “Nastavnik” this message: /start { $token }
onboarding-waiting =
    “{ $program }” ({ $organization }){ $about }

    You can take part once a parent (legal guardian) gives consent. Forward them the message above. Until then you can only read about the program.
    If the link went to the wrong person or expired, tap “{ onboarding-button-renew }”.
onboarding-button-renew = New link
onboarding-link-renewed = Done: the previous link no longer works, here is a new one.

## The questionnaire and the end

onboarding-questionnaire-paused = The questionnaire for “{ $program }” is not finished yet. Your answers are saved — you can continue at any time.
onboarding-button-questionnaire = Continue the questionnaire
onboarding-done = Done! You take part in the program “{ $program }”. The curator will find you a partner and tell you here.

## A parent opening a consent link

consent-button-agree = I consent
consent-button-refuse = I do not consent
consent-parent-name-needed = First write your full name, as you would sign a paper.
consent-parent-confirm = { $signer }, please confirm: do you consent to your child ({ $child }) taking part in the program and to the processing of the child's personal data on the terms in the message above?
consent-parent-granted = Thank you! The consent is recorded. { $child } will get a message and can go on signing up. To see or revoke the consent, send /consents.
consent-parent-refused = Your refusal is recorded: { $child } will not take part in the program. If you change your mind, ask your child to send a new link.
consent-link-unknown = There is no such consent link — perhaps it has a typo. Please ask your child to forward it again.
consent-link-expired = This link has expired. Please ask your child for a new one: in the bot “Nastavnik” — “{ menu-participation }” → “{ onboarding-button-renew }”.
consent-link-used = A decision was already made through this link. Whoever made it can see or revoke the consent with /consents.
consent-link-own = This link is for your parent (legal guardian): they are the one to consent. Forward them the message with the link.
consent-link-closed = No consent is needed through this link any more: the participation is not waiting for a decision.

## Notifications

consent-reminder = A reminder: your parent has not answered the consent request for the program “{ $program }” yet. Open “{ menu-participation }” in the menu to forward the message with the link again or get a new link.
consent-granted-notice = Your parent consented to your taking part in the program “{ $program }”. Open “{ menu-participation }” in the menu to go on signing up.
consent-refused-notice = Your parent did not consent to your taking part in the program “{ $program }”. If they change their mind, open “{ menu-participation }” and tap “{ onboarding-button-rejoin }” — you will get a new link.
consent-curator-granted = A parent consented: { $name } goes on signing up for “{ $program }”.
consent-curator-refused = A parent did not consent: { $name } will not take part in “{ $program }”.
consent-curator-revoked = { $relation ->
        [parent] A parent revoked the consent: { $name } no longer takes part in “{ $program }”.{ $erased ->
            [yes] {" "}The child's data are erased.
           *[other] {""}
        }
       *[other] { $name } revoked their own consent and no longer takes part in “{ $program }”.
    }
enrolment-curator-ready = { $name } ({ $role ->
        [mentor] mentor
       *[other] mentee
    }) has signed up for “{ $program }” and is ready to be matched.
enrolment-curator-left = { $name } ({ $role ->
        [mentor] mentor
       *[other] mentee
    }) deleted their data from the bot and no longer takes part in “{ $program }”.

## /consents

consents-list =
    The consents you gave:
    { $lines }

    You can revoke a consent at any time.
consents-line = { $number }. { $who } — “{ $program }”: { $status ->
        [granted] in force
        [refused] refused
       *[revoked] revoked
    } (since { $date })
consents-self = your own
consents-erased = a child (data erased)
consents-none = You have not given any consent in this bot yet.
consents-button-revoke = Revoke no. { $number }
consents-button-list = Back to the list
consents-gone = This consent is no longer in force.
consents-revoke-confirm =
    { $relation ->
        [parent] Revoke the consent for { $who } to take part in “{ $program }”?
            The child's participation stops and their data are erased: name, birth date, class, questionnaire answers and messenger accounts. The bot will no longer be able to write to the child — please tell them yourself. The curator will be notified.
       *[other] Revoke your consent to take part in “{ $program }”?
            Your participation stops, your questionnaire answers for this program are deleted, and the curator is notified. To erase all your data, send /delete_me.
    }
    The record of consents (who agreed to what, and when) is kept, as the law requires.
consents-button-yes = Yes, revoke
consents-button-no = No
consents-revoked = Consent revoked: { $relation ->
        [parent] { $who } no longer takes part in “{ $program }”.{ $erased ->
            [yes] {" "}The child's data are erased.
           *[other] {" "}The child takes part in other programs, so their profile stays for those.
        }
       *[other] you no longer take part in “{ $program }”.
    }

## /privacy

privacy-info =
    Your data in “Nastavnik”

    What is stored:
    { $stored }

    Why: to run the mentorship program — to match pairs, arrange meetings and collect feedback.
    Who sees it: { $programs ->
        [none] nobody but you: you take part in no program yet.
       *[other] the curators of the programs these data belong to ({ $programs }).{ $participates ->
            [yes] {" "}Once the curator approves your pair, your mentor or mentee sees your name and what you allow to share; health information is seen by curators only.
           *[other] {""}
        }
    }
    How long: while the program runs — the consent lasts until it ends or until you revoke it. Consent records are kept afterwards: they prove that consent was given.
    How to delete: /delete_me erases all your data; /consents shows and revokes your consents.
privacy-field = { $field ->
        [full_name] Name
        [birth_date] Birth date
        [grade] Class
        [subject] Subject
        [position] Position
        [workplace] Organisation
       *[occupation] Occupation
    }: { $value }
privacy-channels = Messengers: { $channels }
privacy-participation = Program “{ $program }”: { $role ->
        [mentor] mentor
       *[other] mentee
    }, { $status ->
        [invited] invited
        [onboarding] signing up not finished
        [consent_pending] waiting for a parent's consent
        [ready] ready to be matched
        [matched] in a pair
        [finished] program finished
        [declined] declined
        [left] left the program
       *[removed] removed by the curator
    }
privacy-answers = Questionnaire answers: { $count }
privacy-consents = Consents: your own — { $own }, for children — { $children }
privacy-staff = Role at school: { $role ->
        [coordinator] coordinator
        [curator] curator
       *[psychologist] school psychologist
    }
privacy-curated = Curator of “{ $program }”
privacy-language = Language: { $language }
privacy-button-delete = Delete my data
privacy-button-consents = My consents

## /delete_me

delete-me-confirm =
    Erase all your data from “Nastavnik”?

    To be erased:
    { $stored }

    { $children ->
        [0] {""}
       *[other] The consents you gave for children stay in force. If you want to revoke them, do it first with /consents.{" "}
    }{ $programs ->
        [0] {""}
       *[other] The curators of your programs will learn that you left.{" "}
    }The record of consents (who agreed to what, and when) is kept, as the law requires. This cannot be undone.
delete-me-button-yes = Yes, erase everything
delete-me-button-no = No, keep it
delete-me-kept = All right, nothing is erased.
delete-me-done = Your data are erased. Thank you for being with us! If you write again, the bot will greet you as a newcomer.
