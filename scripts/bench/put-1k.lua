-- POST /picus/put with a 1 KiB JSON body (issue 17's put target): text, numbers, a list, nesting.
wrk.method = "POST"
local text = string.rep("lorem ipsum dolor sit amet ", 30)
local numbers = {}
for i = 1, 40 do numbers[i] = tostring(i * 7) end
wrk.body = '{"name":"bench-1k","note":"' .. text .. '","numbers":[' .. table.concat(numbers, ",") ..
  '],"nested":{"ok":true,"ratio":0.25,"tags":["a","b","c"]}}'
wrk.headers["Content-Type"] = "application/json"
