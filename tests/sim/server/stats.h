#pragma once
// Counters served at /simctl/stats as a flat JSON object of integers, e.g.
//   {"requests":120,"verb.get":40,"verb.list":30,"code.200":118,"execs":12,"exec.bytes_out":90000,
//    "connections":5,"connections.active":2,"watches.active":1,"faults.api_errors":1,...}

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

namespace sim {

class Stats {
 public:
  void add(std::string_view key, std::int64_t delta = 1);
  // Counts `key` once per distinct `member` since the last reset (e.g. one exec per pod and
  // command, however often a client repeats it).
  void add_distinct(std::string_view key, std::string member);
  std::int64_t value(std::string_view key) const;
  std::string to_json() const;
  void reset();

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::int64_t, std::less<>> counters_;
  std::map<std::string, std::set<std::string>, std::less<>> members_; // of add_distinct's keys
};

} // namespace sim
