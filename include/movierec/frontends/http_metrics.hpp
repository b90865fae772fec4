// Request metrics of the HTTP server in the Prometheus text format (version 0.0.4): requests by
// route pattern (never the raw path, so that ids do not make a new series each), method and
// status, and a latency histogram per route. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace movierec {

class HttpMetrics {
 public:
  // Upper bounds of the latency histogram's buckets, in seconds (the last bucket, +Inf, is
  // implied).
  static constexpr std::array<double, 12> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                      0.01,   0.025,   0.05,   0.1,   0.25,   1.0};

  // Counts one request. `method` outside GET, HEAD, POST, PUT, PATCH, DELETE and OPTIONS counts
  // as "other", so a client cannot grow the series.
  void observe(std::string_view method, std::string_view route, int status, double seconds);

  // movierec_http_requests_total{route,method,status} and
  // movierec_http_request_duration_seconds{route} (a histogram), each with HELP and TYPE lines.
  std::string render() const;

 private:
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> buckets{};  // per bucket, not cumulative
    std::uint64_t count = 0;
    double sum = 0;
  };

  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
};

// A Prometheus label value with \, " and line breaks escaped.
std::string prometheus_label(std::string_view value);

}  // namespace movierec
