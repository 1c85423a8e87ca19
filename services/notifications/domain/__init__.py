"""Notifications' rules, pure: which mails the facts known call for and when
(`due`), what each says in French (`letters`), and how a failed send is retried
(`retries`)."""
