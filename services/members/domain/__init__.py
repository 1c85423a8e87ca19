"""Members' rules, pure Python, one module per subject: organisations, memberships,
mutualisation (shared staff), spreadsheets (CSV in and out), accounts."""
