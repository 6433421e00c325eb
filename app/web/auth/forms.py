from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(message="Enter your email address.")])
    password = PasswordField("Password", validators=[DataRequired(message="Enter your password.")])
    remember = BooleanField("Keep me signed in on this device")
    submit = SubmitField("Sign in")


class SignUpForm(FlaskForm):
    name = StringField("Your name", validators=[
        DataRequired(message="Enter your name."), Length(max=200, message="Keep your name under 200 characters.")])
    email = EmailField("Email", validators=[DataRequired(message="Enter your email address.")])
    password = PasswordField("Password", validators=[DataRequired(message="Choose a password.")],
                             description="At least 10 characters. A phrase of a few words works well.")
    confirm = PasswordField("Repeat password", validators=[
        DataRequired(message="Repeat your password."), EqualTo("password", message="The two passwords differ.")])
    submit = SubmitField("Create account")
