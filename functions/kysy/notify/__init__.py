"""Notifications, delivered off the request path from the table's DynamoDB stream.

* the asker gets one email when their question is answered or marked as a duplicate (only with
  consent and an address), after which the address is deleted from the record;
* editors get one digest per stream batch about new pending questions (SNS topic and/or webhook).

Lambda entry point: ``kysy.notify.handler.handler``. Locally ``kysy.notify.local`` polls the
stream of moto's server and calls the same handler.
"""
