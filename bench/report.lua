-- Shared by the wrk scripts: one machine-readable line after a run, with requests/s, errors
-- and latency percentiles in ms, which bench/run parses.
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT rps=%.1f errors=%d p50=%.3f p99=%.3f p999=%.3f\n",
      summary.requests / (summary.duration / 1e6), errors,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000))
end
