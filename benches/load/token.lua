-- wrk script: POST {tenant}/as/token, grant_type=client_credentials, client_secret_basic.
-- LOAD_BASIC is base64("client_id:client_secret") (run.sh sets it; the default is the
-- demo tenant's demo-basic:demo-basic-secret). The request is static, so wrk builds it once
-- and runs no Lua per request.
local basic = os.getenv("LOAD_BASIC") or "ZGVtby1iYXNpYzpkZW1vLWJhc2ljLXNlY3JldA=="

wrk.method = "POST"
wrk.body = "grant_type=client_credentials&scope=read"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic " .. basic
