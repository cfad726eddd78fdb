#include "server/stats.h"

#include <doctest/doctest.h>

TEST_CASE("a distinct counter counts each member once until the stats are reset") {
  sim::Stats stats;
  stats.add_distinct("execs.distinct", "shop/web-1/istio-proxy pilot-agent request");
  stats.add_distinct("execs.distinct", "shop/web-1/istio-proxy pilot-agent request");
  stats.add_distinct("execs.distinct", "shop/web-2/istio-proxy pilot-agent request");
  CHECK(stats.value("execs.distinct") == 2);
  CHECK(stats.to_json() == R"({"execs.distinct":2})");
  stats.reset();
  CHECK(stats.value("execs.distinct") == 0);
  stats.add_distinct("execs.distinct", "shop/web-1/istio-proxy pilot-agent request");
  CHECK(stats.value("execs.distinct") == 1); // seen before the reset, counted again after it
}
