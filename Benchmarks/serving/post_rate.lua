-- wrk script: POST the JSON body named by BODY at a fixed rate of RATE requests/s in all (wrk's THREADS
-- threads share it), whatever the answers: each connection, once answered, waits for the next free
-- slot of its thread's schedule, so an overloaded server is offered the full rate. Counts the answers:
-- 200, 503 with an {"error": ...} message, anything else; the requests written; and slots the
-- client reached late (every connection was still waiting for an answer).
--
-- wrk 4.1 (Debian's) never abandons a request: its "timeout" count is the answers that arrived
-- later than --timeout (src/wrk.c, response_complete: stats_record fails for a latency past the
-- limit), and each of them was also counted here as 200, 503 or other. Requests written and not
-- answered are those in flight when wrk stops (one per connection at most); run.sh compares the
-- written count with the answers the server's /metrics counted.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } wrk_timespec;
int clock_gettime(int clock, wrk_timespec *time);
]]
local file = assert(io.open(os.getenv("BODY"), "r"))
wrk.method = "POST"
wrk.body = file:read("*a")
wrk.headers["Content-Type"] = "application/json"
file:close()

local threads = {}
function setup(thread) table.insert(threads, thread) end

local clock = ffi.new("wrk_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local interval, next_slot
ok, shed, other, late, written = 0, 0, 0, 0, 0
local request_text

function init(args)
  interval = 1000 * tonumber(os.getenv("THREADS")) / tonumber(os.getenv("RATE"))
  next_slot = now_ms()
  request_text = wrk.format()
end

function request() -- called by wrk as each request is written
  written = written + 1
  return request_text
end

function delay()
  local wait = next_slot - now_ms()
  next_slot = next_slot + interval
  if wait < 0 then
    late = late + 1
    return 0
  end
  return wait
end

function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
  elseif status == 503 and body:find('"error"', 1, true) then
    shed = shed + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local totals = { ok = 0, shed = 0, other = 0, late = 0, written = 0 }
  for _, thread in ipairs(threads) do
    for key in pairs(totals) do totals[key] = totals[key] + thread:get(key) end
  end
  totals.written = totals.written - 1 -- wrk calls the first thread's request() once to check it (script_verify_request)
  local errors = summary.errors
  io.write(string.format(
    "answers: %d 200, %d 503 with a message, %d other (wrk counted %d answers, %d of them after --timeout); "
      .. "written %d, in flight at the stop %d; socket errors: connect %d read %d write %d; late slots %d\n",
    totals.ok, totals.shed, totals.other, summary.requests, errors.timeout,
    totals.written, totals.written - totals.ok - totals.shed - totals.other,
    errors.connect, errors.read, errors.write, totals.late))
end
