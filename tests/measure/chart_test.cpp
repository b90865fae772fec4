// The SVG line chart: one path per series, escaped text, nice axis ends, refusals.
#include "movierec/measure/chart.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>

#include "movierec/io/error.hpp"

using namespace movierec;

namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

LineChart two_series() {
  return {"Likes <found> & kept",
          "steps",
          "likes",
          {{"a \"quoted\" system", {0, 0.4, 0.9, 1.3}, "#0072B2", ""},
           {"baseline", {0, 0.2, 0.3, 0.35}, "#000000", "2 4"}}};
}

}  // namespace

TEST_CASE("a chart has one path per series, a legend and escaped text") {
  const std::string svg = render_svg(two_series());
  CHECK(svg.rfind("<?xml", 0) == 0);
  CHECK(count(svg, "<path ") == 2);
  CHECK(count(svg, "<g id=\"legend\"") == 1);
  CHECK(svg.find("Likes &lt;found&gt; &amp; kept") != std::string::npos);
  CHECK(svg.find("a &quot;quoted&quot; system") != std::string::npos);
  CHECK(svg.find("stroke-dasharray=\"2 4\"") != std::string::npos);
  CHECK(svg.find("fill=\"#ffffff\"") != std::string::npos);
  // The y axis ends at a nice number above 1.3 (steps of 0.25 for about six ticks): 1.5.
  CHECK(svg.find(">1.5</text>") != std::string::npos);
  CHECK(svg.find(">1.75</text>") == std::string::npos);
  // x runs 0..3, in steps of 1.
  CHECK(svg.find(">3</text>") != std::string::npos);
  CHECK(svg.find("<path d=\"M72.00,436.00 L") != std::string::npos);  // (0, 0): the origin
}

TEST_CASE("a long legend widens the chart; non-finite values are refused") {
  LineChart chart = two_series();
  CHECK(render_svg(chart).find("width=\"860\"") != std::string::npos);
  chart.series[1].name = std::string(60, 'x');
  CHECK(render_svg(chart).find("width=\"860\"") == std::string::npos);
  chart.series[0].y[2] = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(render_svg(chart), Error);
  // An empty or all-zero chart still draws axes.
  CHECK(count(render_svg({"t", "x", "y", {{"zero", {0, 0, 0}, "#000", ""}}}), "<path ") == 1);
  CHECK(count(render_svg({"t", "x", "y", {}}), "<path ") == 0);
}
