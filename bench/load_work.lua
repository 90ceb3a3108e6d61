-- The workspace mix of bench/load.sh: an area editor's and an analyst's API calls with their tokens (reads of the
-- request, the round's statuses, the register and the audit log, and saves of a draft), drawn at random.
-- TOKEN_EDITOR, TOKEN_ANALYST and AREA come from the environment.
local editor = os.getenv("TOKEN_EDITOR")
local analyst = os.getenv("TOKEN_ANALYST")
local area = os.getenv("AREA")
math.randomseed(os.time() + 1)
request = function()
  local r = math.random(100)
  local headers = { ["Accept"] = "application/json" }
  if r <= 35 then
    headers["Authorization"] = "Bearer " .. editor
    return wrk.format("GET", "/api/v1/uitvraag/2025/" .. area, headers)
  elseif r <= 55 then
    headers["Authorization"] = "Bearer " .. analyst
    return wrk.format("GET", "/api/v1/uitvraag/2025", headers)
  elseif r <= 70 then
    headers["Authorization"] = "Bearer " .. analyst
    return wrk.format("GET", "/api/v1/register/" .. area, headers)
  elseif r <= 80 then
    headers["Authorization"] = "Bearer " .. editor
    return wrk.format("GET", "/api/v1/ik", headers)
  elseif r <= 85 then
    headers["Authorization"] = "Bearer " .. analyst
    return wrk.format("GET", "/api/v1/audit?gebied=" .. area, headers)
  else
    headers["Authorization"] = "Bearer " .. editor
    headers["Content-Type"] = "application/json"
    local body = '{"answers": {"households_energy_saving": {"value": "' .. math.random(1000) .. '"}}}'
    return wrk.format("PUT", "/api/v1/uitvraag/2025/" .. area, headers, body)
  end
end
