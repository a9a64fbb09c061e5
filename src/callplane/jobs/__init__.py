"""The jobs that keep Twilio and the database in agreement (DESIGN section 8).

`engine` runs them (DBOS schedules and durable workflows); `reconcile` is the daily drift
reconciliation, `health` the hourly credential check, `releasing` the release of the numbers a
tenant must no longer hold; `runs` keeps every run as a JobRun row.
"""
