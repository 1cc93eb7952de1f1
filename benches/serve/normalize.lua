-- wrk script: POST one normalize request (a Stripe decline) on every call.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"id":"ch_1","provider":"stripe","response":{"error":{"code":"card_declined","decline_code":"insufficient_funds","network_decline_code":"51"}}}'
