-- wrk script: POST /api/v1/items/{id}/bids, cycling over a list of items with rising amounts.
--
--   wrk -t1 -c50 -d10s --latency -s scripts/wrk/place_bid.lua \
--       http://127.0.0.1:8080/api/v1/items -- ITEMS_FILE TOKENS_FILE BASE STEP THREADS
--
-- args[1]: a file with one item id a line (one line: every bid goes to that one hot item)
-- args[2]: a file with one bearer token a line; bidders take turns so consecutive bids on an
--          item come from different bidders (competing bids, not a leader raising a maximum)
-- args[3]: the first amount in minor units (default 100000000); above every start price
-- args[4]: the step between consecutive amounts (default 2500); at least the largest
--          bid_increment of the items, so each bid reaches the previous one plus an increment
-- args[5]: wrk's thread count (default 1), so the threads' amounts interleave
-- Request n of thread t (from 0) bids BASE + (n * THREADS + t) * STEP on item n mod #items
-- (from a random start), so each item's bids rise in the order they are sent. A bid that
-- overtakes an earlier one on the way (another connection answered first) is rejected as
-- bid.too_low: few over many items, more on one hot item; they show as "Non-2xx" in wrk's
-- report and in gavel_bids_total{outcome="rejected"}.

local thread_count = 0

function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
end

local paths, auth = {}, {}
local base, step, threads
local counter = 0
local offset = 0
local headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }

local function lines(path)
  local out = {}
  local file = assert(io.open(path, "r"), "cannot open " .. tostring(path))
  for line in file:lines() do
    line = line:gsub("%s+", "")
    if line ~= "" then out[#out + 1] = line end
  end
  file:close()
  assert(#out > 0, path .. " is empty")
  return out
end

function init(args)
  for _, id in ipairs(lines(args[1])) do
    paths[#paths + 1] = "/api/v1/items/" .. id .. "/bids"
  end
  for _, token in ipairs(lines(args[2])) do
    auth[#auth + 1] = "Bearer " .. token
  end
  base = tonumber(args[3] or "100000000")
  step = tonumber(args[4] or "2500")
  threads = tonumber(args[5] or "1")
  math.randomseed(os.time() + (tid or 0))
  offset = math.random(0, #paths - 1)
end

function request()
  local n = counter
  counter = counter + 1
  local index = (n + offset) % #paths
  local round = math.floor((n + offset) / #paths)
  headers["Authorization"] = auth[(round + (tid or 0)) % #auth + 1]
  local amount = base + (n * threads + (tid or 0)) * step
  return wrk.format("POST", paths[index + 1], headers, string.format('{"amount":%d}', amount))
end
