## Conversation basics shared by every flow.

welcome =
    Hello! I am Nastavnik, the mentorship program bot of your school.
    Here mentors and mentees get acquainted, agree on meetings and tell how they went.
welcome-back = Welcome back! Let's continue where you stopped.
state-reset = Sorry, the bot has been updated and the previous conversation cannot be continued. Let's start from the main menu.
link-invalid = This link does not work: it may be outdated or mistyped. Ask your curator for a new one.
help =
    I help the participants of a mentorship program.
    Tap the buttons under messages, or type an answer when I ask for one.
    Commands:
    /menu — main menu
    /back — one step back
    /cancel — stop what you are doing
    /lang — language
    /privacy — what is stored about you, and why
    /consents — your consents (also for children): see and revoke
    /delete_me — erase all your data
    /help — this help
command-unknown = I don't know the command /{ $command }. See /help for the list.
error-internal = Something went wrong on our side. Your answers are saved — please try again a bit later.
input-use-buttons = Please pick an option with a button under the message.
input-text-expected = I only understand text. Please type your answer.
input-too-long = The message is too long: at most { $limit } { $limit ->
    [one] character
   *[other] characters
  }.
button-stale = That button is out of date. Here is where we are now:
back-unavailable = This is the first step, there is nothing to go back to. To leave, tap Cancel or send /cancel.
dialog-cancelled = Cancelled. Back to the main menu.
nothing-to-cancel = Nothing to cancel — you are in the main menu.

button-back = ← Back
button-cancel = Cancel
button-skip = Skip
button-to-menu = Main menu

menu-title = Main menu. What would you like to do?
menu-demo = Try the questionnaire (demo)
menu-lang = Язык / Language
menu-help = Help

lang-choose = Choose your language:
lang-name-ru = Русский
lang-name-en = English
lang-changed = Done, we speak English now.

console-banner = Nastavnik chat in the terminal. Type messages; pick a button by its number (#number on steps that take typed text). Quit with Ctrl+D.
console-connect-hint = This is the terminal chat. To connect Telegram or VK, set TELEGRAM__TOKEN, or VK__TOKEN and VK__GROUP_ID, in .env (see .env.example).
console-you = you
demo-organization-name = Demo school
demo-program-name = Mentorship: demo, student – student
