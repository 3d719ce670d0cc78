"""Sends notifications."""


def send(user, text):
    raise NotImplementedError
