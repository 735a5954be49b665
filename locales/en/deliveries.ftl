menu-deliveries = Delivery problems
deliveries-report =
    { $count ->
        [-1] This section is for program curators and coordinators.
        [0] Every message to the participants of your programs in the last { $days } days was delivered.
       *[other] People the bot could not reach in the last { $days } days:
            { $lines }

            Contact them directly and ask them to open the bot again: in Telegram tap "Restart", in VK allow messages from the community.
    }
deliveries-program = "{ $program }"
deliveries-unreachable = • { $name } ({ $role }) — blocked the bot in every messenger, messages do not arrive
deliveries-failed = • { $name } ({ $role }) — a message of { $date } was not delivered
deliveries-more = …and { $count } more
deliveries-no-name = unnamed participant (#{ $id })
deliveries-role-mentee = mentee
deliveries-role-mentor = mentor
