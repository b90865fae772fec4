// A line chart as a standalone SVG document, readable at a glance and by any XML parser: white
// background, title, labelled axes with ticks and light grid lines, one <path> per series, and
// a legend. Used by evaluate --plot; it knows nothing of recommenders.
#pragma once

#include <string>
#include <vector>

namespace movierec {

struct ChartSeries {
  std::string name;       // the legend's text
  std::vector<double> y;  // y[i] is plotted at x = i
  std::string colour;     // an SVG colour, "#0072B2"
  std::string dash;       // an SVG stroke-dasharray, "6 4"; empty for a solid line
};

struct LineChart {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<ChartSeries> series;
};

// Colours that stay distinct for colour-blind readers (Okabe and Ito), dark enough for white.
inline const std::vector<std::string> kChartColours = {"#0072B2", "#D55E00", "#009E73",
                                                       "#CC79A7", "#E69F00", "#56B4E9"};

// The SVG text of `chart`. Axes start at 0; their ends are rounded up to "nice" numbers (1, 2,
// 2.5 or 5 times a power of ten), as are the tick steps. Text is XML-escaped. Throws Error when
// a value is not finite.
std::string render_svg(const LineChart& chart);

}  // namespace movierec
