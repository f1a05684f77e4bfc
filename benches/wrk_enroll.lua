-- wrk script for benchmark (d), the ceiling: POST /multibiometrics/enroll with one
-- pre-built body (the same 200 KiB image every time), so the sandbox does the same
-- work per request as for the other tools (parse JSON, decode base64, hash, store).
--
-- The CustomID is made unique per request (thread number and a counter spliced in
-- front of the pre-built tail of the body) so that every request is a real enroll
-- answered 200, not a cheap "already exists" 400. Splicing costs one string copy per
-- request on the client, far less than reading and encoding an image.
--
-- Environment: BIOPASS_API_KEY, BENCH_WRK_SUFFIX (file holding the body's tail after
-- the CustomID), BENCH_WRK_PREFIX (CustomID prefix).

local next_thread = 0

function setup(thread)
   next_thread = next_thread + 1
   thread:set("thread_no", next_thread)
end

function init(args)
   local f = assert(io.open(os.getenv("BENCH_WRK_SUFFIX"), "rb"))
   suffix = f:read("*a")
   f:close()
   prefix = '{"Person":{"CustomID":"' .. (os.getenv("BENCH_WRK_PREFIX") or "wrk-")
      .. thread_no .. "-"
   headers = {
      ["Content-Type"] = "application/json",
      ["Ocp-Apim-Subscription-Key"] = os.getenv("BIOPASS_API_KEY"),
   }
   counter = 0
end

function request()
   counter = counter + 1
   return wrk.format("POST", "/multibiometrics/enroll", headers, prefix .. counter .. suffix)
end
