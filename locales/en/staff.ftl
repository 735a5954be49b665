## Coordinators and curators: «Мои программы», creating a program, invite links, who joined.

menu-staff-programs = My programs
menu-staff-create = Create a program

staff-not-allowed = This program is not available to you: only its curators and the organisation's coordinators see it. If you were appointed recently, ask the coordinator for a new invite link.
staff-not-found = This program or link no longer exists.

## The list and the card

staff-programs = { $count ->
        [0] No programs yet.
       *[other] Your programs. Choose one:
    }
staff-button-create = ＋ Create a program
staff-card =
    «{ $name }» — { $organization }
    Form: { $form }, role model «{ $model }»
    Stage { $stage } of 7: { $stage_name }
    Dates: { $dates }
    Mentees: { $mentees }
    Mentors: { $mentors }{ $description }
staff-dates = { $starts } to { $ends }
staff-dates-from = from { $starts }
staff-dates-until = until { $ends }
staff-dates-none = not set
staff-count = { $total } ({ $details })
staff-count-none = nobody yet
staff-button-links = Invite links
staff-button-joined = Who joined
staff-button-stages = Stages
staff-button-digest = Digest
staff-button-announce = Announcement
staff-button-reports = Reports

staff-stage-1 = preparation
staff-stage-2 = building the mentee base
staff-stage-3 = building the mentor base
staff-stage-4 = selecting and training mentors
staff-stage-5 = forming pairs and groups
staff-stage-6 = pairs at work
staff-stage-7 = completion

staff-form-student-student = student – student
staff-form-teacher-student = teacher – student
staff-form-teacher-teacher = teacher – teacher
staff-form-employer-student = employer – student
staff-form-graduate-student = graduate – student

staff-model-achiever-underachiever = achiever – underachiever
staff-model-leader-passive = leader – passive
staff-model-peer-peer = peer – peer
staff-model-professional-consumer = active professional – indifferent consumer
staff-model-colleague-young-colleague = colleague – young colleague
staff-model-teacher-future-teacher = teacher – future teacher
staff-model-experienced-young-specialist = experienced teacher – young specialist
staff-model-leader-struggling-teacher = leader – teacher facing difficulties
staff-model-innovator-conservative = innovator – conservative teacher

staff-status-invited = invited: { $count }
staff-status-onboarding = registering and filling in the questionnaire: { $count }
staff-status-consent-pending = waiting for a parent's consent: { $count }
staff-status-ready = ready to be matched: { $count }
staff-status-matched = in a pair: { $count }
staff-status-finished = finished: { $count }
staff-status-declined = declined: { $count }
staff-status-left = left: { $count }
staff-status-removed = removed: { $count }

## Invite links

staff-links-role = Who is the link into «{ $program }» for?
staff-role-mentee = For mentees
staff-role-mentor = For mentors
staff-role-curator = For a curator (one person)
staff-links =
    The link for { $role ->
        [mentee] mentees
        [mentor] mentors
       *[other] a curator
    } of «{ $program }»:
    { $links }

    { $state ->
        [active] { $role ->
            [curator] The link works once: send it personally to the new curator.
           *[other] Post it in the class chat or the parents' chat. Whoever opens it joins the program and starts registering.
        }
        [expired] This link has expired. For a working one, press Back and choose who the link is for again.
        [revoked] This link is switched off. For a working one, press Back and choose who the link is for again.
       *[other] Everybody this link was meant for has used it. For a new one, press Back and choose who the link is for again.
    }
staff-link-telegram = Telegram: { $link }
staff-link-vk = VK: { $link }
staff-link-token =
    Links to the bot are not set up yet. The invite code: { $token }
    To join, open the bot and send it: /start { $token }
staff-qr-telegram = The QR code of the Telegram link — for a poster, or to scan off a screen.
staff-qr-vk = The QR code of the VK link — for a poster, or to scan off a screen.
staff-button-replace = Replace the link
staff-button-done = Done
staff-replace-confirm = The old link for { $role ->
        [mentee] mentees
       *[other] mentors
    } will stop working — in chats and on printed posters alike. Replace it with a new one?
staff-button-replace-yes = Yes, replace
staff-button-replace-no = No, keep it
staff-replaced = Done: the old link is switched off, here is the new one.

## Who joined

staff-joined = { $total ->
        [0] Nobody has joined «{ $program }» yet. Share the invite links.
       *[other] Joined «{ $program }»: { $total }. Showing { $first }–{ $last }:
            { $lines }
    }
staff-joined-line = • { $name } — { $role ->
        [mentee] mentee
       *[other] mentor
    }, { $status }
staff-joined-no-name = no name given (#{ $id })
staff-button-previous = ← Previous
staff-button-next = Next →

staff-person-invited = invited
staff-person-onboarding = registering, questionnaire not finished
staff-person-consent-pending = waiting for a parent's consent
staff-person-ready = questionnaire done, waiting for a pair
staff-person-matched = in a pair
staff-person-finished = finished the program
staff-person-declined = declined
staff-person-left = left the program
staff-person-removed = removed

## Creating a program

staff-create-name = Step 1 of 6. What is the program called? For example: «Mentorship 2026/27, student – student».
staff-create-name-empty = Please write the program's name in words.
staff-create-form = Step 2 of 6. The form of mentorship — who mentors whom:
staff-create-model = Step 3 of 6. The role model for «{ $form }»:
staff-create-description = Step 4 of 6. Describe the program in two or three sentences: people who open an invite link will read it. You may skip this.
staff-create-starts = Step 5 of 6. When does the program start? A date as DD.MM.YYYY, e.g. 01.09.2026.
staff-create-ends = Step 6 of 6. When does the program end? A date as DD.MM.YYYY, e.g. 31.05.2027.
staff-create-organization = In which organisation should the program be created?
staff-create-not-allowed = Programs are created by the organisation's coordinators and curators. If you were appointed recently, ask the coordinator for an invite link. No program was created.
staff-create-not-found = This organisation is no longer in the bot. No program was created.
staff-date-invalid = I could not read the date. Please write it as DD.MM.YYYY, e.g. 01.09.2026.
staff-date-order = The program must end after it starts ({ $starts }).
staff-no-description = no description
staff-create-review =
    Please check:
    Name: «{ $name }»
    Organisation: { $organization }
    Form: { $form }
    Role model: { $model }
    Description: { $description }
    Dates: { $starts } to { $ends }

    To change something, press Back.
staff-button-create-confirm = Create the program
staff-program-created = The program «{ $name }» is created.{ $hint ->
        [yes] {" "}Invite links for participants are under «{ menu-staff-programs }».
       *[other] {""}
    }

## Invite links opened

staff-invite-joined = { $already ->
        [yes] You already take part in «{ $program }»
       *[other] You joined «{ $program }»
    } as a { $role ->
        [mentee] mentee
       *[other] mentor
    }.
staff-invite-curator = { $named ->
        [yes] Hello, { $name }!
       *[other] Hello!
    } { $already ->
        [yes] You already are a curator
       *[other] You are now a curator
    } of «{ $program }» ({ $organization }). Open «{ menu-staff-programs }» in the menu: there are the invite links for mentees and mentors and the list of those who joined. To start a new program of your organisation, tap «{ menu-staff-create }».
staff-invite-coordinator = { $named ->
        [yes] Hello, { $name }!
       *[other] Hello!
    } { $already ->
        [yes] You already are a mentorship coordinator
       *[other] You are now a mentorship coordinator
    } of «{ $organization }». In the menu: «{ menu-staff-programs }» shows every program of the organisation, «{ menu-staff-create }» starts a new one.
staff-invite-removed = The curator removed you from «{ $program }». If this is a mistake, write to the curator.
staff-invite-expired = This invite link has expired. Ask whoever sent it for a new one.
staff-invite-revoked = This invite link has been switched off. Ask the curator for the current one.
staff-invite-used-up = As many people as planned have already joined with this link. Ask whoever sent it for a new one.
staff-invite-unknown = There is no such invitation: perhaps the link was not copied in full. Copy it again or ask for a new one.
