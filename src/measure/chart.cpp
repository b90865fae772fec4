#include "movierec/measure/chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "movierec/io/error.hpp"

namespace movierec {
namespace {

// Layout in SVG pixels: the plot area, and room for the title, the axis labels and the legend
// on the right.
constexpr double kWidth = 860;
constexpr double kHeight = 500;
constexpr double kLeft = 72;
constexpr double kRight = kWidth - 250;
constexpr double kTop = 56;
constexpr double kBottom = kHeight - 64;
constexpr double kLegendRow = 24;
constexpr double kLegendSample = 34;    // length of the line drawn beside each legend entry
constexpr double kLegendCharWidth = 8;  // a generous average width of a 13-pixel character
constexpr int kYTicks = 6;              // about this many steps up the y axis
constexpr int kXTicks = 10;             // and along the x axis

std::string escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// The smallest of 1, 2, 2.5, 5 or 10 times a power of ten that is at least range / ticks.
double nice_step(double range, int ticks) {
  const double raw = range / ticks;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double multiple : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (multiple * magnitude >= raw * (1 - 1e-9)) return multiple * magnitude;
  }
  return 10 * magnitude;
}

std::string tick_text(double value) { return fmt::format("{:g}", std::round(value * 1e6) / 1e6); }

struct Axes {
  double x_max = 1, x_step = 1, y_max = 1, y_step = 1;
  double x(double value) const { return kLeft + value / x_max * (kRight - kLeft); }
  double y(double value) const { return kBottom - value / y_max * (kBottom - kTop); }
};

Axes axes_for(const LineChart& chart) {
  std::size_t points = 0;
  double highest = 0;
  for (const ChartSeries& series : chart.series) {
    points = std::max(points, series.y.size());
    for (const double value : series.y) {
      if (!std::isfinite(value)) throw Error("chart '" + chart.title + "': a value is not finite");
      highest = std::max(highest, value);
    }
  }
  Axes axes;
  axes.x_max = std::max(1.0, static_cast<double>(points) - 1);
  axes.x_step = std::max(1.0, std::ceil(nice_step(axes.x_max, kXTicks)));
  axes.x_max = std::ceil(axes.x_max / axes.x_step) * axes.x_step;
  if (highest > 0) {
    axes.y_step = nice_step(highest, kYTicks);
    axes.y_max = std::ceil(highest / axes.y_step * (1 - 1e-9)) * axes.y_step;
  }
  return axes;
}

void draw_axes(std::string& svg, const LineChart& chart, const Axes& axes) {
  svg += "<g id=\"axes\" font-size=\"12\" fill=\"#333\">\n";
  // Ticks by index, so that no rounding error accumulates along an axis.
  const auto y_ticks = static_cast<int>(std::lround(axes.y_max / axes.y_step));
  for (int i = 0; i <= y_ticks; ++i) {
    const double value = i * axes.y_step;
    const double y = axes.y(value);
    svg += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#e3e3e3\"/>\n"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n",
        kLeft, y, kRight, y, kLeft - 8, y + 4, tick_text(value));
  }
  const auto x_ticks = static_cast<int>(std::lround(axes.x_max / axes.x_step));
  for (int i = 0; i <= x_ticks; ++i) {
    const double value = i * axes.x_step;
    const double x = axes.x(value);
    svg += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#333\"/>\n"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n",
        x, kBottom, x, kBottom + 5, x, kBottom + 20, tick_text(value));
  }
  svg += fmt::format(
      "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" stroke=\"#333\"/>\n"
      "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{3:.1f}\" stroke=\"#333\"/>\n",
      kLeft, kBottom, kRight, kTop);
  svg += fmt::format(
      "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" font-size=\"14\">{}</text>\n",
      (kLeft + kRight) / 2, kHeight - 20, escape(chart.x_label));
  svg += fmt::format(
      "<text transform=\"translate({:.1f} {:.1f}) rotate(-90)\" text-anchor=\"middle\" "
      "font-size=\"14\">{}</text>\n</g>\n",
      kLeft - 48, (kTop + kBottom) / 2, escape(chart.y_label));
}

std::string dash_attribute(const ChartSeries& series) {
  return series.dash.empty() ? "" : " stroke-dasharray=\"" + escape(series.dash) + "\"";
}

void draw_series(std::string& svg, const LineChart& chart, const Axes& axes) {
  svg += "<g id=\"series\" fill=\"none\" stroke-width=\"2.5\" stroke-linejoin=\"round\">\n";
  for (const ChartSeries& series : chart.series) {
    std::string points;
    for (std::size_t i = 0; i < series.y.size(); ++i) {
      points += fmt::format("{}{:.2f},{:.2f}", i == 0 ? "M" : " L", axes.x(static_cast<double>(i)),
                            axes.y(series.y[i]));
    }
    svg += fmt::format("<path d=\"{}\" stroke=\"{}\"{}><title>{}</title></path>\n", points,
                       escape(series.colour), dash_attribute(series), escape(series.name));
  }
  svg += "</g>\n";
}

void draw_legend(std::string& svg, const LineChart& chart) {
  const double x = kRight + 24;
  svg += "<g id=\"legend\" font-size=\"13\" fill=\"#222\">\n";
  for (std::size_t i = 0; i < chart.series.size(); ++i) {
    const ChartSeries& series = chart.series[i];
    const double y = kTop + 8 + static_cast<double>(i) * kLegendRow;
    svg += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
        "stroke-width=\"2.5\"{}/>\n<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n",
        x, y, x + kLegendSample, y, escape(series.colour), dash_attribute(series),
        x + kLegendSample + 8, y + 4, escape(series.name));
  }
  svg += "</g>\n";
}

// At least kWidth, wider when a legend entry would not fit.
double width_for(const LineChart& chart) {
  std::size_t longest = 0;
  for (const ChartSeries& series : chart.series) longest = std::max(longest, series.name.size());
  const double legend_end =
      kRight + 24 + kLegendSample + 8 + static_cast<double>(longest) * kLegendCharWidth + 16;
  return std::max(kWidth, std::ceil(legend_end));
}

}  // namespace

std::string render_svg(const LineChart& chart) {
  const Axes axes = axes_for(chart);
  const double width = width_for(chart);
  std::string svg = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:g}\" height=\"{1:g}\" "
      "viewBox=\"0 0 {0:g} {1:g}\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
      "<text x=\"{2:.1f}\" y=\"30\" text-anchor=\"middle\" font-size=\"17\" "
      "font-weight=\"bold\" fill=\"#111\">{3}</text>\n",
      width, kHeight, width / 2, escape(chart.title));
  draw_axes(svg, chart, axes);
  draw_series(svg, chart, axes);
  draw_legend(svg, chart);
  svg += "</svg>\n";
  return svg;
}

}  // namespace movierec
