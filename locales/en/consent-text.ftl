## Versioned consent texts (152-FZ). A published version is never edited: a changed text gets a
## new id (consent-self-v2) and the code stores the new version with each decision, together with
## the SHA-256 of the exact text shown.

# Own consent of an adult (or of a student from 14, together with a parent's). Version "self-v1".
consent-self-v1 =
    Consent to take part and to the processing of personal data (version self-v1)

    I consent:
    1) to taking part in the mentorship program “{ $program }” ({ $organization }) as a { $role ->
        [mentor] mentor
       *[other] mentee
    };
    2) to the processing of my personal data by “{ $organization }” to run this program: matching pairs, meetings, feedback and the curator's reports.

    The data: { $kind ->
        [student] first name and surname, birth date, class
        [teacher] first name and surname, subject, position
       *[external] first name and surname, organisation, occupation
    }, questionnaire answers, meetings and feedback, the Telegram or VK account the bot writes to.
    What is done with them: collected, recorded, stored, used and erased. The program's curators see them; once the curator approves your pair, your mentor or mentee sees your name.
    Term: until the program ends{ $ends ->
        [none] {""}
       *[other] {" "}({ $ends })
    } or until the consent is revoked.
    You can revoke the consent at any time with /consents, and erase all your data with /delete_me.

# A parent's (legal representative's) consent for a minor, opened by a link. Version "parent-v1".
consent-parent-v1 =
    Consent of a parent (legal guardian) (version parent-v1)

    { $child }{ $grade ->
        [none] {""}
       *[other] {" "}(class { $grade })
    } asks for permission to take part in the mentorship program “{ $program }” ({ $organization }){ $role ->
        [mentor] {" "}as a mentor
        [mentee] {" "}as a mentee
       *[other] {""}
    }.

    I, the child's parent (legal guardian), consent:
    1) to the child taking part in this program;
    2) to the processing of the child's personal data by “{ $organization }” to run the program: matching pairs, meetings, feedback and the curator's reports.

    The data: first name and surname, birth date, class, questionnaire answers, meetings and feedback, the child's Telegram or VK account the bot writes to.
    What is done with them: collected, recorded, stored, used and erased. The program's curators see them; once the curator approves the pair, the child's mentor or mentee sees the child's name and class.
    Term: until the program ends{ $ends ->
        [none] {""}
       *[other] {" "}({ $ends })
    } or until the consent is revoked.
    How to revoke: at any time, with /consents in this bot. The child's participation then stops and their data are erased.

    To consent, reply with your full name as you would sign a paper. To refuse, tap “I do not consent”.

# Version "self-v2": v1 plus health data (special category, 152-FZ art. 10).
consent-self-v2 =
    Consent to take part and to the processing of personal data (version self-v2)

    I consent:
    1) to taking part in the mentorship program “{ $program }” ({ $organization }) as a { $role ->
        [mentor] mentor
       *[other] mentee
    };
    2) to the processing of my personal data by “{ $organization }” to run this program: matching pairs, meetings, feedback and the curator's reports.

    The data: { $kind ->
        [student] first name and surname, birth date, class
        [teacher] first name and surname, subject, position
       *[external] first name and surname, organisation, occupation
    }, questionnaire answers, meetings and feedback, the Telegram or VK account the bot writes to.
    Health information (for example, special educational needs) only if you give it in the questionnaire, so that meetings can be prepared for it. It is a special category of data: only the program's curators see it; your mentor or mentee never does, and matching explanations never name it.
    What is done with them: collected, recorded, stored, used and erased. The program's curators see them; once the curator approves your pair, your mentor or mentee sees your name.
    Term: until the program ends{ $ends ->
        [none] {""}
       *[other] {" "}({ $ends })
    } or until the consent is revoked.
    You can revoke the consent at any time with /consents, and erase all your data with /delete_me.

# Version "parent-v2": v1 plus health data (special category, 152-FZ art. 10).
consent-parent-v2 =
    Consent of a parent (legal guardian) (version parent-v2)

    { $child }{ $grade ->
        [none] {""}
       *[other] {" "}(class { $grade })
    } asks for permission to take part in the mentorship program “{ $program }” ({ $organization }){ $role ->
        [mentor] {" "}as a mentor
        [mentee] {" "}as a mentee
       *[other] {""}
    }.

    I, the child's parent (legal guardian), consent:
    1) to the child taking part in this program;
    2) to the processing of the child's personal data by “{ $organization }” to run the program: matching pairs, meetings, feedback and the curator's reports.

    The data: first name and surname, birth date, class, questionnaire answers, meetings and feedback, the child's Telegram or VK account the bot writes to.
    The child's health information (for example, special educational needs) only if the child gives it in the questionnaire, so that meetings can be prepared for it. It is a special category of data: only the program's curators see it; the child's mentor or mentee never does, and matching explanations never name it.
    What is done with them: collected, recorded, stored, used and erased. The program's curators see them; once the curator approves the pair, the child's mentor or mentee sees the child's name and class.
    Term: until the program ends{ $ends ->
        [none] {""}
       *[other] {" "}({ $ends })
    } or until the consent is revoked.
    How to revoke: at any time, with /consents in this bot. The child's participation then stops and their data are erased.

    To consent, reply with your full name as you would sign a paper. To refuse, tap “I do not consent”.
