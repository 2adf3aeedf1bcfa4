-- wrk script: POST {tenant}/as/token, grant_type=client_credentials, private_key_jwt.
-- Each request carries the next pre-minted client assertion (fresh jti) from the file named
-- by LOAD_ASSERTIONS, one JWT per line. The pool is used once, in order; if wrk outruns it the
-- script wraps around, and the replayed assertions are (rightly) refused and show up as
-- non-2xx responses, so size the pool for the run (run.sh does).
local path = os.getenv("LOAD_ASSERTIONS") or "assertions.txt"
local pool = {}
for line in io.lines(path) do
  if #line > 0 then pool[#pool + 1] = line end
end
assert(#pool > 0, "no assertions in " .. path)

local prefix = "grant_type=client_credentials&scope=read"
  .. "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
  .. "&client_assertion="
local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
local i = 0

request = function()
  i = i % #pool + 1
  return wrk.format("POST", nil, headers, prefix .. pool[i])
end
