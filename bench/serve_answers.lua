-- wrk script for bench/bench_serve.sh: one session per connection, answering each recommendation.
-- Run wrk with as many threads as connections (-t N -c N): each thread has its own Lua state,
-- so each holds one session. The first request of a thread opens the session (and a new one
-- when it runs out of movies); every other request answers the current recommendation, mostly
-- skips with a like every third answer, so the user vector moves as in real use.
--   wrk -t8 -c8 -d10s --latency -s bench/serve_answers.lua http://127.0.0.1:PORT -- '[2571,356,1,6]'
local favourites
local session
local movie
local answered = 0
local json = { ["Content-Type"] = "application/json" }

function init(args)
  favourites = args[1] or "[2571,356,1,6]"
end

function request()
  if session == nil then
    return wrk.format("POST", "/api/sessions", json, '{"favourites":' .. favourites .. '}')
  end
  answered = answered + 1
  local answer = (answered % 3 == 0) and "like" or "skip"
  return wrk.format("POST", "/api/sessions/" .. session .. "/answers", json,
                    '{"movie_id":' .. movie .. ',"answer":"' .. answer .. '"}')
end

function response(status, headers, body)
  if status == 201 then
    session = body:match('"session_id":"(%x+)"')
  end
  movie = body:match('"recommendation":{"number":%d+,"movie_id":(%d+)')
  if movie == nil then
    session = nil -- exhausted (or refused): open another
  end
end
