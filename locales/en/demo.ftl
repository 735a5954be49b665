## The demo questionnaire of `make run`.

demo-ask-name = Step 1 of 4. What is your name? Type your first and last name, e.g. Misha Ivanov.
demo-name-invalid = A name is made of letters (a space, hyphen or apostrophe allowed), 2 to 80 characters. For example: Anna-Maria Petrova.
demo-ask-role = Step 2 of 4. What would you like to be in the program?
demo-role-mentee = A mentee
demo-role-mentor = A mentor
demo-ask-birth-date = Step 3 of 4. Your birth date as DD.MM.YYYY, e.g. 14.03.2013.
demo-birth-date-invalid = I could not read that date. Please type it as DD.MM.YYYY, e.g. 14.03.2013.
demo-birth-date-out-of-range = That date looks mistyped: a participant is 5 to 100 years old. Please check the year.
demo-ask-grade = Step 4 of 4. Which class are you in? For example: 6B. If you are not at school, tap Skip.
demo-grade-invalid = Give the class as a number from 1 to 11, optionally with a letter: 6B, 11A.
demo-review =
    Please check your answers:
    Name: { $name }
    Role: { $role }
    Birth date: { $birth_date }
    Class: { $grade }
demo-confirm = All correct
demo-edit = Change an answer
demo-pick-field = What would you like to change?
demo-field-name = Name
demo-field-role = Role
demo-field-birth-date = Birth date
demo-field-grade = Class
demo-done = Thank you, { $name }! Your questionnaire is saved. In a real program, consent to data processing and matching come next.
demo-unavailable = The demo program is not available right now. Please come back later.
