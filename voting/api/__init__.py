"""The JSON API under /api/: what the owners' phones (vote.js, receipt.js) and the officers'
browsers (officer_keys.js) send and read, beside the plain HTML pages of each feature. Its routes
call the same operations as the pages; every answer, refusals and HTTP errors too, is JSON
(voting.errors.answers_json)."""
