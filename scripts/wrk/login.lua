-- wrk script: POST /api/v1/identity/login with a seeded user's credentials on every request.
--
--   wrk -t1 -c8 -d10s --latency -s scripts/wrk/login.lua \
--       http://127.0.0.1:8080/api/v1/identity/login -- user1@gavel.test gavel-demo-password
--
-- args[1]: email    (default: $BENCH_LOGIN_EMAIL or user1@gavel.test)
-- args[2]: password (default: $BENCH_LOGIN_PASSWORD or gavel-demo-password, the seed's)
-- Every request is a correct sign-in (200 with a token pair): the server counts only failed
-- attempts toward its lockout, so repeating them is fine. The cost is the bcrypt verify, so
-- run it with few connections; anything but 2xx shows up as "Non-2xx" in wrk's report.

local body
local headers = {}

-- JSON string literal: quotes, backslashes and control characters escaped.
local function json_string(s)
  return '"' .. (s:gsub('[%c"\\]', function(c)
    if c == '"' then return '\\"' end
    if c == '\\' then return '\\\\' end
    return string.format('\\u%04x', c:byte())
  end)) .. '"'
end

function init(args)
  local email = args[1] or os.getenv("BENCH_LOGIN_EMAIL") or "user1@gavel.test"
  local password = args[2] or os.getenv("BENCH_LOGIN_PASSWORD") or "gavel-demo-password"
  body = '{"email":' .. json_string(email) .. ',"password":' .. json_string(password) .. '}'
  headers["Content-Type"] = "application/json"
  headers["Accept"] = "application/json"
end

function request()
  return wrk.format("POST", wrk.path, headers, body)
end
