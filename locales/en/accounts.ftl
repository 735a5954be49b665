## "My messengers": one profile in Telegram and VK, where notifications go, unlinking.

menu-accounts = My messengers

accounts-channel-telegram = Telegram
accounts-channel-vk = VK
accounts-channel-console = Console

accounts-overview =
    Messengers of your profile:
    { $accounts }

    { $notify }

    { $share ->
        [yes] Your pair (mentor or mentee) gets a link to your messenger profile in the introduction.
       *[other] Your pair does not get a link to your messenger profile.
    }
accounts-line = • { $name }{ $here ->
        [yes] {" "}(you are here now)
       *[other] {""}
    }{ $blocked ->
        [yes] {" "}— the bot is blocked, notifications do not arrive there
       *[other] {""}
    }
accounts-notify-auto = Notifications arrive { $channel ->
        [telegram] in Telegram
        [vk] in VK
       *[other] here
    } (chosen automatically).
accounts-notify-chosen = Notifications arrive { $channel ->
        [telegram] in Telegram
        [vk] in VK
       *[other] here
    }, as you chose.
accounts-notify-nowhere = Notifications cannot be delivered right now: they only go to Telegram or VK, and only where the bot is not blocked.
accounts-hint = Do you use the bot both in Telegram and in VK? Link them so that they share one profile: tap "{ accounts-button-get-code }" here and enter the code in the other messenger.

accounts-button-get-code = Get a code to link
accounts-button-enter-code = Enter a code
accounts-button-notify = Where to send notifications
accounts-button-unlink = Unlink a messenger
accounts-button-new-code = New code
accounts-button-done = Done

accounts-code =
    Your code: { $code }
    { $minutes ->
        [0] The code has expired. Tap "{ accounts-button-new-code }" to get another one.
        [one] It is valid for { $minutes } more minute and works only once.
       *[other] It is valid for { $minutes } more minutes and works only once.
    }

    What to do { $channel ->
        [telegram] in VK
        [vk] in Telegram
       *[other] in Telegram or VK
    }:
    1. Open the Nastavnik bot there and send it any message or /menu.
    2. In the main menu tap "{ menu-accounts }", then "{ accounts-button-enter-code }".
    3. Send the code { $code }.
    Do not share this code with anyone: it links a messenger to your profile.

accounts-enter-code = Enter the 6-digit code. The bot gives it in your other messenger: "{ menu-accounts }" → "{ accounts-button-get-code }".
accounts-code-format = A code is 6 digits, for example 123456. Spaces and dashes between the digits are fine.
accounts-attempts-left = { $left ->
        [0] No tries left: you can enter a code again in { $minutes } { $minutes ->
            [one] minute
           *[other] minutes
        }.
        [one] { $left } try left.
       *[other] { $left } tries left.
    }
accounts-code-wrong =
    There is no such code. Check the digits: the code came in your other messenger, under "{ menu-accounts }".
    { accounts-attempts-left }
accounts-code-expired =
    This code has expired: a code is valid for 10 minutes. Get a new code in the other messenger and enter it here.
    { accounts-attempts-left }
accounts-code-used =
    This code has already been used: each code works only once. Get a new code in the other messenger.
    { accounts-attempts-left }
accounts-code-locked = Too many wrong codes in a row. For your safety, entering codes is paused — try again in { $minutes } { $minutes ->
        [one] minute
       *[other] minutes
    }.
accounts-code-same-channel = This code was issued right here, { $channel ->
        [telegram] in Telegram
        [vk] in VK
       *[other] in this chat
    }. Enter it in the other messenger: open the bot there → "{ menu-accounts }" → "{ accounts-button-enter-code }". Or the other way round: get a code there and enter it here.
accounts-code-already-linked = This is a code of your own profile: these messengers are already linked, nothing to do.
accounts-code-channel-taken = The profile this code belongs to already has another account linked: { $channels }. Unlink it first, where you got the code: "{ menu-accounts }" → "{ accounts-button-unlink }". Then get a new code.
accounts-code-busy = This profile already takes part in a mentorship program (a questionnaire, a consent, a role at school), so it cannot be merged with another one automatically: data could be lost or mixed up. Ask your program's curator to link your messengers.
accounts-linked = Done! Linked messengers: { $channels }. This is one profile now — carry on in either of them.
accounts-linked-notice = { $channel ->
        [telegram] Telegram
        [vk] VK
       *[other] Another messenger
    } has been linked to your Nastavnik profile. If it was not you, open the menu → "{ menu-accounts }" → "{ accounts-button-unlink }".

accounts-notify-choose = Where should notifications about meetings, surveys and program news go? Now: { $chosen ->
        [telegram] Telegram
        [vk] VK
       *[other] automatically — wherever the bot can reach you
    }.
accounts-button-notify-auto = Automatically
accounts-notify-unreachable = Notifications cannot be delivered there: the bot is blocked there or the messenger is no longer linked. Please pick another option.
accounts-notify-set = { $channel ->
        [telegram] Done: notifications will arrive in Telegram.
        [vk] Done: notifications will arrive in VK.
       *[other] Done: the bot will pick the messenger for notifications itself — wherever it can reach you.
    }

accounts-unlink-choose = Which messenger should be unlinked from your profile?
accounts-unlink-confirm =
    Unlink { $channel ->
        [telegram] Telegram
        [vk] VK
        [console] the console
       *[other] this messenger
    } from your profile?
    Notifications will stop arriving there. If you write to the bot from there later, it will greet you as a new user — you can link the messengers again with a code.
accounts-button-unlink-yes = Yes, unlink
accounts-button-unlink-no = No, keep it
accounts-unlinked = Done: { $name } is no longer linked to your profile.
accounts-unlink-gone = This messenger is no longer linked to your profile.

## Showing the profile to the pair

accounts-button-share = Show my profile to my pair: { $share ->
        [yes] yes
       *[other] no
    }
accounts-share =
    Show your profile to your pair?
    If yes, your mentor or mentee gets a link to your messenger profile in the introduction and can write to you directly. If no, you arrange meetings through the bot and the curator.
    The profile is not shown by default. Now: { $share ->
        [yes] shown.
       *[other] not shown.
    }
accounts-button-share-yes = Yes, show it
accounts-button-share-no = No, do not show it
accounts-share-set = { $share ->
        [yes] Done: your pair gets a link to your profile in the introduction.
       *[other] Done: your pair does not get a link to your profile.
    } This applies to introductions sent from now on.
