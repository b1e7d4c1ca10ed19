-- One request shape per wrk run, from the environment; prints percentiles as JSON.
wrk.method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY") or ""
if body ~= "" then wrk.body = body end
local ctype = os.getenv("BENCH_CONTENT_TYPE") or ""
if ctype ~= "" then wrk.headers["Content-Type"] = ctype end
local cookie = os.getenv("BENCH_COOKIE") or ""
if cookie ~= "" then wrk.headers["Cookie"] = cookie end
local csrf = os.getenv("BENCH_CSRF") or ""
if csrf ~= "" then wrk.headers["X-CSRFToken"] = csrf end
local htmx = os.getenv("BENCH_HTMX") or ""
if htmx ~= "" then wrk.headers["HX-Request"] = htmx end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"p50":%d,"p95":%d,"p99":%d,' ..
    '"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.status, e.connect, e.read, e.write, e.timeout))
end
