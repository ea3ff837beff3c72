-- POST /picus/put with a small JSON body; `-- idem <prefix>` adds a fresh
-- Idempotency-Key per request (first-time writes, the common case).
local counter = 0
local prefix = nil
wrk.method = "POST"
wrk.body = '{"name":"bench","n":42,"tags":["a","b"],"nested":{"ok":true}}'
wrk.headers["Content-Type"] = "application/json"

function init(args)
  if args[1] == "idem" then prefix = args[2] or "k" end
end

function request()
  if prefix then
    counter = counter + 1
    wrk.headers["Idempotency-Key"] = prefix .. "-" .. counter
  end
  return wrk.format()
end
