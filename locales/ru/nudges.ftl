## Nudges for pairs that stall (stage 6). $partner: the other members' names.

nudge-first-meeting =
    Прошло { $days } { $days ->
        [one] день
        [few] дня
       *[many] дней
    } с тех пор, как вас познакомили в программе «{ $program }», а первой встречи ещё не было. Предложите встречу-знакомство — это займёт минуту. Ваша пара: { $partner }.
nudge-quiet =
    Вы не встречались уже { $days } { $days ->
        [one] день
        [few] дня
       *[many] дней
    } (программа «{ $program }», ваша пара: { $partner }). Самое время договориться о следующей встрече.
nudge-feedback = Вы отметили, что встреча { $day } состоялась, но ещё не оставили отзыв. Пара минут — и куратор увидит, как идут дела.
nudge-button-propose = Предложить встречу
