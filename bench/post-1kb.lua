-- POSTs a valid ~1 KB mixture body (the shape filters-conf/schemas/mixture-create.json checks).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local components = {}
for i = 1, 8 do
  components[i] = string.format(
    '{"molecule_id":"8b2d4e61-1a3c-4f5e-8d7a-2b9c0e1f3a%02d","concentration":%d.5,"concentration_unit":"mM"}', i, i)
end
wrk.body = '{"name":"VS55 vitrification solution","description":"'
  .. string.rep("Cryoprotectant mixture for vitrification of tissue. ", 5)
  .. '","components":[' .. table.concat(components, ",") .. ']}'
dofile("bench/report.lua")
