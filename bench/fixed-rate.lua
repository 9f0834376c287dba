-- Paces each connection to a fixed request rate: with 16 connections and 8 ms, about 2000 req/s.
local interval_ms = tonumber(os.getenv("BENCH_INTERVAL_MS") or "8")
delay = function() return interval_ms end
dofile("bench/report.lua")
