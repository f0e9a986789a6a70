-- Heart Monitor API: the wrk script of every benchmark run (issue #8).
--
--   wrk ... -s workload.lua URL -- MODE [TOKEN [FILE]]
--
-- MODE
--   get      GET the URL's path as it is (ceilings, lists, monitor)
--   ids      GET the URL's path followed by an id of FILE (one a line)
--            and "/", a different id at every request
--   reading  POST {"patient": ID, "bpm": N} to the URL's path, cycling
--            over the patient ids of FILE and over bpm 40..159
--   body     POST the contents of FILE (a JSON document) as it is
-- TOKEN is sent as "Authorization: Bearer TOKEN" ("-" for none).
--
-- Every answer that is not 2xx is counted (wrk itself only counts those
-- over 399), with a tally by status and the first such body.  done()
-- prints one line "BENCH_RESULT {json}" for tests/bench/bench.py.

local threads = {}
local counter = 0

function setup(thread)
	counter = counter + 1
	thread:set("id", counter)
	table.insert(threads, thread)
end

local mode, ids, n

local dynamic = {
	ids = function()
		n = n % #ids + 1
		return wrk.format(nil, wrk.path .. ids[n] .. "/")
	end,
	reading = function()
		n = n % #ids + 1
		return wrk.format(nil, nil, nil, string.format(
		    '{"patient": "%s", "bpm": %d}', ids[n], 40 + n % 120))
	end,
}

local function read_lines(path)
	local t = {}
	for line in io.lines(path) do
		if line ~= "" then
			t[#t + 1] = line
		end
	end
	return t
end

local function read_file(path)
	local f = assert(io.open(path, "rb"))
	local s = f:read("*a")
	f:close()
	return s
end

function init(args)
	mode = args[1] or "get"
	local token, file = args[2], args[3]
	bad, bad_status, bad_body = 0, "", ""
	if token and token ~= "-" then
		wrk.headers["Authorization"] = "Bearer " .. token
	end
	if mode == "ids" or mode == "reading" then
		ids = read_lines(file)
		-- Threads start at different places in the list.
		n = (id or 1) * 7919 % #ids
	end
	if mode == "reading" or mode == "body" then
		wrk.method = "POST"
		wrk.headers["Content-Type"] = "application/json"
		if mode == "body" then
			wrk.body = read_file(file)
		end
	end
	-- Without a request() function wrk builds the request once.
	request = dynamic[mode]
end

function response(status, headers, body)
	if status < 200 or status > 299 then
		bad = bad + 1
		local key = "s" .. status
		if not string.find(bad_status, key .. "=", 1, true) then
			bad_status = bad_status .. key .. "=1;"
		else
			bad_status = string.gsub(bad_status, key .. "=(%d+);",
			    function(c) return key .. "=" .. (c + 1) .. ";" end)
		end
		if bad_body == "" and body then
			bad_body = string.sub(body, 1, 300)
		end
	end
end

local function json_string(s)
	s = string.gsub(s, '[%c"\\]', function(c)
		return string.format("\\u%04x", string.byte(c))
	end)
	return '"' .. s .. '"'
end

function done(summary, latency, requests)
	local nbad, statuses, body = 0, {}, ""
	for _, t in ipairs(threads) do
		nbad = nbad + (t:get("bad") or 0)
		local s = t:get("bad_status") or ""
		for code, c in string.gmatch(s, "s(%d+)=(%d+);") do
			statuses[code] = (statuses[code] or 0) + tonumber(c)
		end
		if body == "" then
			body = t:get("bad_body") or ""
		end
	end
	local parts = {}
	for code, c in pairs(statuses) do
		parts[#parts + 1] = string.format('"%s": %d', code, c)
	end
	local e = summary.errors
	io.write(string.format('BENCH_RESULT {"requests": %d, '
	    .. '"duration_us": %d, "bytes": %d, "non2xx": %d, '
	    .. '"non2xx_by_status": {%s}, "first_non2xx_body": %s, '
	    .. '"errors": {"connect": %d, "read": %d, "write": %d, '
	    .. '"status": %d, "timeout": %d}, '
	    .. '"latency_us": {"p50": %d, "p90": %d, "p99": %d, '
	    .. '"mean": %.1f, "max": %d}}\n',
	    summary.requests, summary.duration, summary.bytes, nbad,
	    table.concat(parts, ", "), json_string(body),
	    e.connect, e.read, e.write, e.status, e.timeout,
	    latency:percentile(50), latency:percentile(90),
	    latency:percentile(99), latency.mean, latency.max))
end
