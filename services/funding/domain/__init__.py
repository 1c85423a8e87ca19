"""Funding's rules, pure Python, one module per subject: campaigns (lifecycle, goals,
rewards, matchfunding), payments (the states of a contribution's money), investors (the
EU 2020/1503 protections), receipts (tax receipts for donations), resources (grants,
sales, volunteering)."""
