#include "movierec/frontends/http_metrics.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace movierec {
namespace {

std::string_view known_method(std::string_view method) {
  constexpr std::array<std::string_view, 7> kMethods = {"GET",   "HEAD",   "POST",   "PUT",
                                                        "PATCH", "DELETE", "OPTIONS"};
  return std::find(kMethods.begin(), kMethods.end(), method) != kMethods.end() ? method : "other";
}

}  // namespace

std::string prometheus_label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void HttpMetrics::observe(std::string_view method, std::string_view route, int status,
                          double seconds) {
  const std::size_t bucket = static_cast<std::size_t>(
      std::lower_bound(kBuckets.begin(), kBuckets.end(), seconds) - kBuckets.begin());
  const std::lock_guard<std::mutex> lock(mutex_);
  ++requests_[{std::string(route), std::string(known_method(method)), status}];
  Histogram& histogram = latency_[std::string(route)];
  if (bucket < kBuckets.size()) ++histogram.buckets[bucket];
  ++histogram.count;
  histogram.sum += seconds;
}

std::string HttpMetrics::render() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  std::string out =
      "# HELP movierec_http_requests_total Requests answered, by route pattern, method and "
      "status.\n# TYPE movierec_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    const auto& [route, method, status] = key;
    out +=
        fmt::format("movierec_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
                    prometheus_label(route), method, status, count);
  }
  out +=
      "# HELP movierec_http_request_duration_seconds Time from a parsed request to its "
      "response, by route pattern.\n# TYPE movierec_http_request_duration_seconds histogram\n";
  for (const auto& [route, histogram] : latency_) {
    const std::string label = prometheus_label(route);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += histogram.buckets[i];
      out += fmt::format(
          "movierec_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n", label,
          kBuckets[i], cumulative);
    }
    out += fmt::format(
        "movierec_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n", label,
        histogram.count);
    out += fmt::format("movierec_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", label,
                       histogram.sum);
    out += fmt::format("movierec_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", label,
                       histogram.count);
  }
  return out;
}

}  // namespace movierec
