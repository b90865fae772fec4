#include "movierec/data/synthetic.hpp"

#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <set>
#include <sstream>

#include "movierec/io/csv.hpp"
#include "movierec/io/error.hpp"
#include "movierec/data/movielens.hpp"

using namespace movierec;

namespace {

SyntheticConfig small_synthetic_config(int seed = 7) {
  SyntheticConfig config;
  config.ratings = 30000;
  config.users = 200;
  config.movies = 600;
  config.seed = seed;
  config.tags = true;
  return config;
}

struct Row {
  std::int64_t user, movie, timestamp;
  double rating;
};

struct Written {
  std::string ratings, tags, movies, links;
};

Written write_all(const SyntheticModel& model, bool with_tags = true) {
  std::ostringstream ratings, tags, movies, links;
  write_synthetic_ratings(model, ratings, with_tags ? &tags : nullptr);
  write_synthetic_movies(model, movies);
  write_synthetic_links(model, links);
  return {ratings.str(), tags.str(), movies.str(), links.str()};
}

std::vector<Row> read_ratings(const std::string& text) {
  std::istringstream in(text);
  CsvReader reader(in, "ratings.csv");
  reader.read_header();
  REQUIRE(reader.header() == std::vector<std::string>{"userId", "movieId", "rating", "timestamp"});
  std::vector<Row> rows;
  while (reader.next()) {
    rows.push_back({reader.to_int(0), reader.to_int(1), reader.to_int(3), reader.to_double(2)});
  }
  return rows;
}

double correlation(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) mx += x[i] / n, my += y[i] / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

std::size_t movie_row(const SyntheticModel& model, std::int64_t id) {
  const auto it = std::lower_bound(model.movie_ids.begin(), model.movie_ids.end(), id);
  REQUIRE(it != model.movie_ids.end());
  REQUIRE(*it == id);
  return static_cast<std::size_t>(it - model.movie_ids.begin());
}

}  // namespace

TEST_CASE("synthetic data is deterministic for a seed") {
  const Written first = write_all(make_synthetic_model(small_synthetic_config(7)));
  const Written again = write_all(make_synthetic_model(small_synthetic_config(7)));
  const Written other = write_all(make_synthetic_model(small_synthetic_config(8)));
  CHECK(first.ratings == again.ratings);
  CHECK(first.tags == again.tags);
  CHECK(first.movies == again.movies);
  CHECK(first.ratings != other.ratings);
  CHECK(first.movies != other.movies);
  // Tags draw from their own generators, so switching them off leaves the ratings alone.
  CHECK(write_all(make_synthetic_model(small_synthetic_config(7)), false).ratings == first.ratings);
}

TEST_CASE("synthetic data does not depend on the number of threads") {
  SyntheticConfig config = small_synthetic_config();
  config.users = 3000;  // several blocks of users per worker
  config.movies = 400;
  config.threads = 1;
  const Written one = write_all(make_synthetic_model(config));
  config.threads = 3;
  const Written three = write_all(make_synthetic_model(config));
  CHECK(one.ratings == three.ratings);
  CHECK(one.tags == three.tags);
  CHECK(read_ratings(one.ratings).size() == 30000);
}

TEST_CASE("synthetic ratings have the asked counts, valid values and no repeated pairs") {
  const SyntheticModel model = make_synthetic_model(small_synthetic_config());
  const std::vector<Row> rows = read_ratings(write_all(model).ratings);
  REQUIRE(rows.size() == 30000);
  std::set<std::pair<std::int64_t, std::int64_t>> pairs;
  std::map<std::int64_t, int> per_user;
  const std::int64_t first = 820454400;  // 1996-01-01 UTC
  const std::int64_t end = 1577836800;   // 2020-01-01 UTC
  for (const Row& row : rows) {
    CHECK(pairs.emplace(row.user, row.movie).second);
    ++per_user[row.user];
    const std::size_t user = static_cast<std::size_t>(row.user - 1);
    REQUIRE(user < model.user_ratings.size());
    movie_row(model, row.movie);
    CHECK(row.rating >= 0.5);
    CHECK(row.rating <= 5.0);
    CHECK(row.rating * 2 == std::round(row.rating * 2));
    CHECK(row.timestamp >= model.user_start[user]);
    CHECK(row.timestamp <= model.user_start[user] + model.user_window[user]);
    CHECK(row.timestamp >= first);
    CHECK(row.timestamp < end);
  }
  REQUIRE(per_user.size() == 200);
  int most = 0;
  std::vector<int> counts;
  for (const auto& [user, count] : per_user) {
    CHECK(count >= 20);
    CHECK(count <= 300);  // max_user_share 0.5 of 600 movies
    counts.push_back(count);
    most = std::max(most, count);
  }
  std::sort(counts.begin(), counts.end());
  CHECK(most > 2 * counts[counts.size() / 2]);  // heavy-tailed activity
  CHECK(std::is_sorted(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::pair(a.user, a.movie) < std::pair(b.user, b.movie);
  }));
}

TEST_CASE("synthetic ratings follow the hidden taste, popularity and genres") {
  const SyntheticModel model = make_synthetic_model(small_synthetic_config());
  const std::vector<Row> rows = read_ratings(write_all(model).ratings);
  std::vector<double> stars, expected, taste;
  std::map<std::int64_t, int> per_movie;
  for (const Row& row : rows) {
    const std::size_t user = static_cast<std::size_t>(row.user - 1);
    const std::size_t movie = movie_row(model, row.movie);
    stars.push_back(row.rating);
    expected.push_back(model.expected_rating(user, movie));
    taste.push_back(model.user_factors.row(user).dot(model.movie_factors.row(movie)));
    ++per_movie[row.movie];
  }
  CHECK(correlation(stars, expected) > 0.6);
  CHECK(correlation(stars, taste) > 0.3);

  // Popularity skew: the tenth of movies with the largest weights gets several times the
  // ratings of the half with the smallest.
  std::vector<std::size_t> order(model.movie_ids.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return model.movie_weight[a] > model.movie_weight[b];
  });
  const auto mean_count = [&](std::size_t from, std::size_t to) {
    double total = 0;
    for (std::size_t i = from; i < to; ++i) total += per_movie[model.movie_ids[order[i]]];
    return total / static_cast<double>(to - from);
  };
  CHECK(mean_count(0, order.size() / 10) > 4 * mean_count(order.size() / 2, order.size()));

  // Movies carrying a genre lie closer to its direction than movies without it.
  for (int g = 0; g < 5; ++g) {
    double with = 0, without = 0;
    int n_with = 0, n_without = 0;
    for (std::size_t i = 0; i < model.movie_ids.size(); ++i) {
      const double dot = model.movie_factors.row(i).dot(model.genre_directions.col(g).transpose());
      if (model.movie_genres[i] & (1U << g)) {
        with += dot, ++n_with;
      } else {
        without += dot, ++n_without;
      }
    }
    REQUIRE(n_with > 0);
    REQUIRE(n_without > 0);
    CHECK(with / n_with - without / n_without > 0.5);
  }
}

TEST_CASE("synthetic movies and links read back in the ml-latest layout") {
  SyntheticConfig config = small_synthetic_config();
  config.article_share = 0.2;
  config.comma_share = 0.2;
  config.quote_share = 0.2;
  const SyntheticModel model = make_synthetic_model(config);
  const Written written = write_all(model);
  std::istringstream movies_in(written.movies);
  CsvReader movies(movies_in, "movies.csv");
  movies.read_header();
  REQUIRE(movies.header() == std::vector<std::string>{"movieId", "title", "genres"});
  std::size_t i = 0, articles = 0, commas = 0, quotes = 0;
  while (movies.next()) {
    REQUIRE(i < model.movie_ids.size());
    CHECK(movies.to_int(0) == model.movie_ids[i]);
    CHECK(std::string(movies.field(1)) == model.movie_titles[i]);
    CHECK(!movies.field(2).empty());
    const std::string title(movies.field(1));
    articles += title.find(", The") != std::string::npos;
    commas += title.find(": Now, Then") != std::string::npos;
    quotes += title.find('"') != std::string::npos;
    ++i;
  }
  CHECK(i == 600);
  CHECK(articles > 0);
  CHECK(commas > 0);
  CHECK(quotes > 0);
  CHECK(std::adjacent_find(model.movie_ids.begin(), model.movie_ids.end(),
                           std::greater_equal<>()) == model.movie_ids.end());

  std::istringstream links_in(written.links);
  CsvReader links(links_in, "links.csv");
  links.read_header();
  std::size_t link_rows = 0;
  while (links.next()) {
    CHECK(links.field(1).size() == 7);
    ++link_rows;
  }
  CHECK(link_rows == 600);

  std::istringstream tags_in(written.tags);
  CsvReader tags(tags_in, "tags.csv");
  tags.read_header();
  std::size_t tag_rows = 0;
  while (tags.next()) ++tag_rows;
  CHECK(tag_rows > 0);
}

TEST_CASE("synthetic sizes that cannot be met are refused naming the key") {
  SyntheticConfig config = small_synthetic_config();
  config.users = 40000;
  CHECK_THROWS_WITH(make_synthetic_model(config), Catch::Contains("size.users"));
  config = small_synthetic_config();
  config.movies = 50;  // 200 users x 25 movies < 30000 ratings
  CHECK_THROWS_WITH(make_synthetic_model(config), Catch::Contains("size.ratings"));
  config = small_synthetic_config();
  config.users = 0;
  config.movies = 0;
  const SyntheticModel model = make_synthetic_model(config);
  CHECK(model.config.users == 192);    // 30000 / 156
  CHECK(model.config.movies == 2078);  // 12 * sqrt(30000)
}

TEST_CASE("synthetic release is written whole into its folder") {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("movierec-synthetic-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  SyntheticConfig config = small_synthetic_config();
  const SyntheticSummary summary = write_synthetic_release(config, dir / "release");
  CHECK(summary.ratings == 30000);
  CHECK(summary.users == 200);
  CHECK(summary.movies == 600);
  CHECK(summary.tags > 0);
  for (const char* name :
       {"ratings.csv", "movies.csv", "links.csv", "tags.csv", "synthetic.json"}) {
    CHECK(fs::is_regular_file(dir / "release" / name));
  }
  std::ifstream json_in(dir / "release" / "synthetic.json");
  const nlohmann::json about = nlohmann::json::parse(json_in);
  CHECK(about["counts"]["ratings"] == 30000);
  CHECK(about["config"]["size"]["seed"] == 7);
  // The MovieLens loader reads it as an ml-latest release, dropping nothing.
  const RawDataset loaded = load_movielens(dir / "release");
  CHECK(loaded.layout == Layout::kCsv);
  CHECK(loaded.ratings.size() == 30000);
  CHECK(loaded.movies.size() == 600);
  CHECK(loaded.links.size() == 600);
  CHECK(loaded.tags.size() == summary.tags);
  CHECK(loaded.dropped_bad_timestamp + loaded.dropped_unknown_movie + loaded.dropped_duplicate ==
        0);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir)) ++entries;
  CHECK(entries == 1);  // no temporary folder left behind
  fs::remove_all(dir);
}
