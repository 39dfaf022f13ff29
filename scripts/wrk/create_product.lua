-- wrk script: POST /api/v1/products with a unique product name on every request.
--
--   wrk -t1 -c50 -d10s --latency -s scripts/wrk/create_product.lua \
--       http://127.0.0.1:8080/api/v1/products -- "$TOKEN" "$NONCE"
--
-- args[1]: bearer access token (default: $BENCH_TOKEN)
-- args[2]: a per-run nonce so names never collide with earlier runs (default: os.time())
-- Names are "bench <nonce> <thread> <counter>", unique per seller, so every request should
-- create a product (201); anything else shows up as "Non-2xx" in wrk's report.

local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
end

local token, nonce
local counter = 0
local headers = {}

function init(args)
  token = args[1] or os.getenv("BENCH_TOKEN") or ""
  nonce = args[2] or tostring(os.time())
  headers["Content-Type"] = "application/json"
  headers["Accept"] = "application/json"
  if token ~= "" then
    headers["Authorization"] = "Bearer " .. token
  end
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"name":"bench %s %d %d","description":"created by wrk","price":%d,"currency":"EUR","stock":%d}',
    nonce, tid or 0, counter, 100 + (counter % 9900), 1 + (counter % 50))
  return wrk.format("POST", wrk.path, headers, body)
end
