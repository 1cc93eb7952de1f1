-- wrk script: POST a JSON batch of 1000 items (benches/serve/batch.json) on every call.
local f = io.open("benches/serve/batch.json", "r")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = f:read("*a")
f:close()
