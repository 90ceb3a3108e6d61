-- The public mix of bench/load.sh: pages in both languages, their JSON and CSV twins, the API and the full
-- download, each request drawn at random with these weights.
local areas = { "den-haag-zuidwest", "heerlen-noord", "amsterdam-nieuw-west", "rotterdam-zuid", "zaandam-oost" }
local indicators = { "net_labour_participation", "lbm_score", "crimes_per_1000", "households_low_income" }
local function pick(t) return t[math.random(#t)] end
math.randomseed(os.time())
request = function()
  local r = math.random(100)
  local path
  if r <= 20 then path = "/gebied/" .. pick(areas)
  elseif r <= 30 then path = "/gebied/" .. pick(areas) .. "?lang=en"
  elseif r <= 50 then path = "/gebied/" .. pick(areas) .. ".json"
  elseif r <= 60 then path = "/indicator/" .. pick(indicators)
  elseif r <= 70 then path = "/indicator/" .. pick(indicators) .. ".json"
  elseif r <= 78 then path = "/api/v1/gebied/" .. pick(areas)
  elseif r <= 85 then path = "/"
  elseif r <= 90 then path = "/actielijn/safety.csv"
  elseif r <= 95 then path = "/over"
  elseif r <= 99 then path = "/gebied/" .. pick(areas) .. ".csv"
  else path = "/downloads/wijkmonitor.csv"
  end
  return wrk.format("GET", path)
end
