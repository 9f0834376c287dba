-- Saturation run: plain GETs as fast as the connections allow.
dofile("bench/report.lua")
