#include "movierec/train/training.hpp"

#include <Eigen/SVD>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "movielens_test_support.hpp"
#include "movierec/data/processed.hpp"
#include "movierec/io/error.hpp"
#include "movierec/io/files.hpp"

namespace fs = std::filesystem;
using namespace movierec;
using movierec::testing::read_bytes;
using movierec::testing::TempDir;

namespace {

TransformedRating make_rating(std::int32_t user, std::int32_t movie, float stars,
                              double final_rating = 0) {
  TransformedRating t;
  t.rating = {user, movie, stars, 1000};
  t.rating_norm = stars - 3.0;
  t.pop_weight = 0.5;
  t.time_weight = 1.0;
  t.final_rating = final_rating;
  return t;
}

// Ratings of `users` x `movies` from a rank-2 taste model plus noise, about 60% of pairs
// rated; ids are spread out and not in order, as real ids are.
std::vector<TransformedRating> taste_ratings(int users, int movies, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::bernoulli_distribution rated(0.6);
  Eigen::MatrixXd p(users, 2), q(movies, 2);
  for (double& x : p.reshaped()) x = normal(rng);
  for (double& x : q.reshaped()) x = normal(rng);
  std::vector<TransformedRating> ratings;
  for (int u = users - 1; u >= 0; --u) {
    for (int m = 0; m < movies; ++m) {
      if (!rated(rng)) continue;
      const double signal = p.row(u).dot(q.row(m)) + 0.1 * normal(rng);
      const float stars = static_cast<float>(std::clamp(std::round(3 + signal), 1.0, 5.0));
      ratings.push_back(make_rating(100 + 7 * u, 5 + 3 * m, stars, signal));
    }
  }
  return ratings;
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// A processed/ folder as preprocess leaves it, reduced to what train_svd reads: the train and
// validation rows as rating files and as transformed ones.
void write_processed_fixture(const fs::path& dir, const std::vector<TransformedRating>& train,
                             const std::vector<TransformedRating>& val) {
  fs::create_directories(dir);
  nlohmann::json manifest = {{"format_version", kProcessedFormatVersion},
                             {"program", "preprocess"},
                             {"config", {{"filter", {{"min_user_ratings", 3}}}}}};
  const auto record = [&](const std::string& name, std::size_t rows) {
    manifest["files"][name] = {{"rows", rows}, {"checksum", file_checksum(dir / name)}};
  };
  for (const auto& [split, rows] : {std::pair{"train", &train}, std::pair{"val", &val}}) {
    const std::string transformed = std::string(split) + "_transformed.csv";
    const std::string stars = std::string(split) + ".csv";
    std::vector<Rating> plain;
    for (const TransformedRating& r : *rows) plain.push_back(r.rating);
    {
      std::ofstream out(dir / transformed, std::ios::binary | std::ios::trunc);
      write_transformed(out, *rows);
      std::ofstream out_stars(dir / stars, std::ios::binary | std::ios::trunc);
      write_ratings(out_stars, plain);
    }
    record(transformed, rows->size());
    record(stars, rows->size());
  }
  write_file(dir / "manifest.json", manifest.dump(2));
}

std::string train_failure(const fs::path& processed, const fs::path& out,
                          const PipelineConfig& config) {
  try {
    train_model(ProcessedFolder(processed), out, config);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("targets name the value the matrix holds", "[training]") {
  const TransformedRating r = make_rating(1, 2, 4.0f, -0.25);
  CHECK(target_value(r, *parse_choice<Target>("final_rating")) == -0.25);
  CHECK(target_value(r, *parse_choice<Target>("rating_norm")) == 1.0);
  CHECK(target_value(r, *parse_choice<Target>("rating")) == 4.0);
  CHECK(target_value(r, *parse_choice<Target>("like")) == 1.0);
  CHECK(target_value(make_rating(1, 2, 3.5f), Target::kLike) == 0.0);
  CHECK_FALSE(parse_choice<Target>("stars"));
  PipelineConfig config;
  CHECK_THROWS_WITH(apply_value(config.fields(), "target", "stars", "command line"),
                    "command line: key 'train.target': must be one of final_rating, rating_norm, "
                    "rating, like, got 'stars'");
}

TEST_CASE("the rating matrix orders users and movies by id", "[training]") {
  const std::vector<TransformedRating> ratings = {
      make_rating(30, 7, 4.0f, 0.5), make_rating(10, 900, 2.0f, -1.5),
      make_rating(30, 2, 5.0f, 2.0), make_rating(20, 7, 1.0f, -3.0)};
  const RatingMatrix m = build_rating_matrix(ratings, Target::kFinalRating, "train.csv");
  CHECK(m.users.ids() == std::vector<std::int32_t>{10, 20, 30});
  CHECK(m.movies.ids() == std::vector<std::int32_t>{2, 7, 900});
  REQUIRE(m.values.rows() == 3);
  REQUIRE(m.values.cols() == 3);
  CHECK(m.values.nonZeros() == 4);
  Eigen::MatrixXd expected(3, 3);
  expected << 0, 0, -1.5,  //
      0, -3.0, 0,          //
      2.0, 0.5, 0;
  CHECK(Eigen::MatrixXd(m.values) == expected);
  const RatingMatrix stars = build_rating_matrix(ratings, Target::kRating, "train.csv");
  CHECK(stars.values.coeff(2, 0) == 5.0);
}

TEST_CASE("the rating matrix built block by block is the one built at once", "[training]") {
  // Users grouped (as processed/ holds them) but for user 3, met again at the end; blocks cut
  // inside users' runs.
  std::vector<TransformedRating> ratings;
  for (std::int32_t user = 1; user <= 9; ++user) {
    for (std::int32_t movie = 40; movie > 0; movie -= user) {
      ratings.push_back(make_rating(user, movie, 0.5f * static_cast<float>(1 + movie % 10),
                                    0.1 * user - 0.01 * movie));
    }
  }
  ratings.push_back(make_rating(3, 41, 4.0f, 0.25));
  const RatingMatrix whole = build_rating_matrix(ratings, Target::kFinalRating, "train.csv");
  std::vector<TargetRating> entries;
  for (const TransformedRating& r : ratings) {
    entries.push_back({r.rating.user, r.rating.movie, r.final_rating});
  }
  for (const std::size_t block : {std::size_t{1}, std::size_t{5}, std::size_t{13}}) {
    INFO("blocks of " << block);
    RatingMatrixBuilder builder("train.csv", block == 5 ? entries.size() : 0);
    for (std::size_t at = 0; at < entries.size(); at += block) {
      builder.add(std::span(entries).subspan(at, std::min(block, entries.size() - at)));
    }
    const RatingMatrix m = builder.finish();
    CHECK(m.users.ids() == whole.users.ids());
    CHECK(m.movies.ids() == whole.movies.ids());
    CHECK(m.values.isCompressed());
    CHECK(Eigen::MatrixXd(m.values) == Eigen::MatrixXd(whole.values));
    CHECK(m.values.coeff(2, 40) == 0.25);  // user 3's late rating, in its row
  }
}

TEST_CASE("the rating matrix refuses repeated pairs and empty input", "[training]") {
  const std::vector<TransformedRating> twice = {make_rating(1, 5, 4.0f), make_rating(2, 5, 3.0f),
                                                make_rating(1, 5, 2.0f)};
  CHECK_THROWS_WITH(
      build_rating_matrix(twice, Target::kRating, "train.csv"),
      Catch::StartsWith("train.csv: ") && Catch::Contains("user 1 rates movie 5 more than once"));
  CHECK_THROWS_WITH(build_rating_matrix({}, Target::kRating, "train.csv"),
                    Catch::Contains("no ratings"));
}

TEST_CASE("validation RMSE scores the rows it can and counts the rest", "[training]") {
  Artifacts model;
  model.user_embeddings.resize(2, 2);
  model.user_embeddings << 1, 2,  //
      0, -1;
  model.movie_embeddings.resize(2, 2);
  model.movie_embeddings << 0.5f, 0,  //
      1, 1;
  model.user_map = IdMap({10, 20});
  model.movie_map = IdMap({7, 8});
  // Predictions: (10,7) 0.5, (10,8) 3, (20,8) -1.
  const std::vector<TransformedRating> val = {
      make_rating(10, 7, 3.0f, 1.5), make_rating(10, 8, 3.0f, 3.0), make_rating(20, 8, 3.0f, 1.0),
      make_rating(99, 7, 3.0f, 0.0), make_rating(10, 99, 3.0f, 0.0)};
  const Validation v = validate(model, val, Target::kFinalRating);
  CHECK(v.rows == 3);
  CHECK(v.skipped == 2);
  REQUIRE(v.rmse.has_value());
  CHECK(*v.rmse == Approx(std::sqrt((1.0 + 0.0 + 4.0) / 3.0)));
  const Validation none = validate(model, {make_rating(99, 7, 3.0f)}, Target::kFinalRating);
  CHECK_FALSE(none.rmse.has_value());
  CHECK(none.skipped == 1);
}

TEST_CASE("factorise gives U·Σ for users and V for movies", "[training]") {
  const RatingMatrix m =
      build_rating_matrix(taste_ratings(40, 15, 3), Target::kFinalRating, "train.csv");
  SvdOptions options;
  const Artifacts a = factorise(m, 4, options);
  REQUIRE(a.user_embeddings.rows() == 40);
  REQUIRE(a.movie_embeddings.rows() == 15);
  REQUIRE(a.user_embeddings.cols() == 4);
  // U·Σ·Vᵀ is the best rank-4 approximation: its error is the dense SVD's tail.
  const Eigen::MatrixXd dense(m.values);
  const Eigen::VectorXd s = Eigen::JacobiSVD<Eigen::MatrixXd>(dense).singularValues();
  const Eigen::MatrixXd approx =
      a.user_embeddings.cast<double>() * a.movie_embeddings.cast<double>().transpose();
  CHECK((dense - approx).norm() == Approx(s.tail(s.size() - 4).norm()).epsilon(1e-4));
  CHECK(a.manifest["k"] == 4);
  CHECK(a.manifest["rows"]["users"] == 40);
  CHECK(a.manifest["rows"]["nonzeros"] == m.values.nonZeros());
  CHECK(a.manifest["singular_values"][0].get<double>() == Approx(s[0]).epsilon(1e-6));
}

TEST_CASE("train_model writes checked artifacts from processed/", "[training]") {
  TempDir temp;
  const fs::path processed = temp.path() / "processed";
  const fs::path out = temp.path() / "artifacts";
  std::vector<TransformedRating> train = taste_ratings(30, 12, 5);
  std::vector<TransformedRating> val = {make_rating(100, 5, 4.0f, 0.3),
                                        make_rating(107, 8, 2.0f, -0.2),
                                        make_rating(5555, 5, 3.0f, 0.0),     // user not in train
                                        make_rating(100, 4444, 3.0f, 0.0)};  // movie not in train
  write_processed_fixture(processed, train, val);
  PipelineConfig config;
  config.k = 3;
  std::vector<std::string> steps;
  std::size_t read = 0;
  const nlohmann::json manifest =
      train_model(ProcessedFolder(processed), out, config,
                  [&](std::string_view step, std::size_t done, std::size_t total) {
                    if (steps.empty() || steps.back() != step) steps.emplace_back(step);
                    if (step == "reading train_transformed.csv") {
                      CHECK(total == fs::file_size(processed / "train_transformed.csv"));
                      read = done;
                    }
                  });
  // The library reports its steps through the callback (the program draws them).
  CHECK(steps ==
        std::vector<std::string>{"reading train_transformed.csv", "SVD (matrix-vector products)"});
  CHECK(read == fs::file_size(processed / "train_transformed.csv"));

  const Artifacts loaded = load_artifacts(out);
  CHECK(loaded.manifest == manifest);
  CHECK(loaded.user_embeddings.rows() == 30);
  CHECK(loaded.movie_embeddings.rows() == 12);
  CHECK(loaded.user_embeddings.cols() == 3);
  CHECK(loaded.user_map.id(0) == 100);
  CHECK(manifest["program"] == "train_svd");
  CHECK(manifest["target"] == "final_rating");
  CHECK(manifest["inputs"]["train_transformed.csv"] ==
        file_checksum(processed / "train_transformed.csv"));
  CHECK(manifest["inputs"]["val_transformed.csv"] ==
        file_checksum(processed / "val_transformed.csv"));
  CHECK(manifest["validation_rows"] == 2);
  CHECK(manifest["validation_skipped"] == 2);
  CHECK(manifest["validation_rmse"].is_number());
  CHECK(manifest["singular_values"].size() == 3);
  CHECK(manifest["seconds"].get<double>() >= 0);
  CHECK(manifest["created"].get<std::string>().back() == 'Z');
  // preprocess's settings come from processed/, train's from this run.
  CHECK(manifest["config"]["filter"]["min_user_ratings"] == 3);
  CHECK(manifest["config"]["train"]["k"] == 3);

  std::ostringstream summary;
  print_training_summary(summary, manifest);
  CHECK_THAT(summary.str(), Catch::Contains("30 users x 12 movies") && Catch::Contains("k = 3") &&
                                Catch::Contains("2 skipped"));
}

TEST_CASE("train_model reads a stars target from train.csv and val.csv", "[training]") {
  TempDir temp;
  const fs::path processed = temp.path() / "processed";
  const std::vector<TransformedRating> train = taste_ratings(20, 10, 3);
  write_processed_fixture(processed, train, {train[1], make_rating(5555, 5, 3.0f)});
  PipelineConfig config;
  config.k = 2;
  config.target = Target::kLike;
  std::vector<std::string> steps;
  const nlohmann::json manifest =
      train_model(ProcessedFolder(processed), temp.path() / "artifacts", config,
                  [&](std::string_view step, std::size_t, std::size_t) {
                    if (steps.empty() || steps.back() != step) steps.emplace_back(step);
                  });
  CHECK(steps.front() == "reading train.csv");
  CHECK(manifest["inputs"] == nlohmann::json({{"train.csv", file_checksum(processed / "train.csv")},
                                              {"val.csv", file_checksum(processed / "val.csv")}}));
  CHECK(manifest["validation_rows"] == 1);
  CHECK(manifest["validation_skipped"] == 1);

  // The stars files are checked like any other input.
  std::ofstream(processed / "val.csv", std::ios::app) << "100,6,4.0,1000\n";
  CHECK_THAT(train_failure(processed, temp.path() / "artifacts", config),
             Catch::Contains("val.csv has changed since preprocess wrote it"));
}

TEST_CASE("train_model refuses changed or missing inputs and leaves artifacts alone",
          "[training]") {
  TempDir temp;
  const fs::path processed = temp.path() / "processed";
  const fs::path out = temp.path() / "artifacts";
  write_processed_fixture(processed, taste_ratings(20, 10, 7), {make_rating(100, 5, 4.0f)});
  PipelineConfig config;
  config.k = 2;
  train_model(ProcessedFolder(processed), out, config);
  const std::string before = file_checksum(out / "user_embeddings.npy");
  const auto untouched = [&] {
    CHECK(file_checksum(out / "user_embeddings.npy") == before);
    CHECK_NOTHROW(load_artifacts(out));
  };

  config.k = 10;  // the matrix is 20 x 10: at most 9
  CHECK_THAT(train_failure(processed, out, config), Catch::Contains("from 1 to 9"));
  untouched();
  config.k = 2;

  std::ofstream(processed / "train_transformed.csv", std::ios::app)
      << "100,6,4.0,1000,1,0.5,1,0.5\n";
  CHECK_THAT(train_failure(processed, out, config),
             Catch::Contains("train_transformed.csv has changed since preprocess wrote it") &&
                 Catch::EndsWith("run: build/bin/preprocess --out " + processed.string() + ")"));
  untouched();

  fs::remove(processed / "val_transformed.csv");
  CHECK_THAT(train_failure(processed, out, config),
             Catch::Contains("val_transformed.csv is missing") && Catch::Contains("preprocess"));
  fs::remove(processed / "manifest.json");
  CHECK_THAT(train_failure(processed, out, config), Catch::Contains("manifest.json"));
  untouched();
}

// Found by the corrupt-files e2e test: a file cut short failed to parse before its checksum was
// known, and the InputError named no fix.
TEST_CASE("train_model refuses a damaged input file naming preprocess", "[training]") {
  TempDir temp;
  const fs::path processed = temp.path() / "processed";
  const fs::path out = temp.path() / "artifacts";
  write_processed_fixture(processed, taste_ratings(20, 10, 7), {make_rating(100, 5, 4.0f)});
  PipelineConfig config;
  config.k = 2;
  const fs::path train = processed / "train_transformed.csv";
  for (const char* damage : {"cut", "nan"}) {
    INFO(damage);
    std::ifstream in(train, std::ios::binary);
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    in.close();
    const std::size_t second_row = text.find('\n', text.find('\n') + 1) + 1;
    if (std::string(damage) == "cut") {
      text.resize(second_row + 5);  // the second row cut after a few bytes
    } else {
      text.replace(text.rfind(',', text.find('\n', second_row)) + 1,
                   text.find('\n', second_row) - text.rfind(',', text.find('\n', second_row)) - 1,
                   "nan");
    }
    std::ofstream(train, std::ios::binary | std::ios::trunc) << text;
    try {
      train_model(ProcessedFolder(processed), out, config);
      FAIL("a damaged file was accepted");
    } catch (const ModelError& e) {
      CHECK_THAT(e.what(), Catch::Contains("train_transformed.csv:3") &&
                               Catch::Contains("not as preprocess wrote it") &&
                               Catch::EndsWith("run: build/bin/preprocess --out " +
                                               processed.string() + ")"));
    }
    CHECK_FALSE(fs::exists(out));
    write_processed_fixture(processed, taste_ratings(20, 10, 7), {make_rating(100, 5, 4.0f)});
  }
}

TEST_CASE("train_model trains each target", "[training]") {
  TempDir temp;
  const fs::path processed = temp.path() / "processed";
  const std::vector<TransformedRating> train = taste_ratings(25, 10, 11);
  write_processed_fixture(processed, train, {train[0], train[5]});
  for (const char* target : {"final_rating", "rating_norm", "rating", "like"}) {
    INFO(target);
    PipelineConfig config;
    config.k = 2;
    config.target = *parse_choice<Target>(target);
    const nlohmann::json manifest =
        train_model(ProcessedFolder(processed), temp.path() / target, config);
    CHECK(manifest["target"] == target);
    CHECK(manifest["validation_rows"] == 2);
    const RatingMatrix m = build_rating_matrix(train, config.target, "train");
    const Eigen::VectorXd s =
        Eigen::JacobiSVD<Eigen::MatrixXd>(Eigen::MatrixXd(m.values)).singularValues();
    CHECK(manifest["singular_values"][0].get<double>() == Approx(s[0]).epsilon(1e-6));
  }
}

TEST_CASE("train_model is not misled by a manifest's row counts", "[training]") {
  TempDir temp;
  const fs::path processed = temp.path() / "processed";
  write_processed_fixture(processed, taste_ratings(20, 10, 13), {make_rating(100, 5, 4.0f)});
  // Row counts only size the reading buffers: absurd or missing ones change nothing.
  nlohmann::json manifest = nlohmann::json::parse(read_bytes(processed / "manifest.json"));
  manifest["files"]["train_transformed.csv"]["rows"] = std::uint64_t{1} << 60;
  manifest["files"]["val_transformed.csv"].erase("rows");
  write_file(processed / "manifest.json", manifest.dump());
  PipelineConfig config;
  config.k = 2;
  const nlohmann::json trained =
      train_model(ProcessedFolder(processed), temp.path() / "artifacts", config);
  CHECK(trained["rows"]["users"] == 20);
  CHECK(trained["validation_rows"] == 1);
}

TEST_CASE("each process's share holds its users' rows and its movies' columns, nothing else",
          "[training]") {
  TempDir temp;
  const fs::path processed = temp.path() / "processed";
  const std::vector<TransformedRating> train = taste_ratings(30, 20, 17);
  write_processed_fixture(processed, train, {make_rating(100, 5, 4.0f)});
  const RatingMatrix whole = build_rating_matrix(train, Target::kRating, "train.csv");
  const Eigen::MatrixXd dense(whole.values);
  for (const int parts : {1, 2, 3}) {
    std::size_t held = 0;
    for (int part = 0; part < parts; ++part) {
      INFO(parts << " processes, process " << part);
      const RatingShare share =
          read_rating_share(ProcessedFolder(processed), training_inputs(Target::kRating).train,
                            Target::kRating, parts, part);
      CHECK(share.matrix.users.ids() == whole.users.ids());
      CHECK(share.matrix.movies.ids() == whole.movies.ids());
      CHECK(share.nonzeros == whole.values.nonZeros());
      CHECK(share.user_bounds == balanced_bounds(whole.values, parts));
      CHECK(share.movie_bounds == balanced_bounds(SparseMatrix(whole.values.transpose()), parts));
      const auto at = static_cast<std::size_t>(part);
      const Eigen::MatrixXd mine(share.matrix.values);
      for (Eigen::Index u = 0; u < dense.rows(); ++u) {
        for (Eigen::Index m = 0; m < dense.cols(); ++m) {
          const bool owned = (u >= share.user_bounds[at] && u < share.user_bounds[at + 1]) ||
                             (m >= share.movie_bounds[at] && m < share.movie_bounds[at + 1]);
          CHECK(mine(u, m) == (owned ? dense(u, m) : 0.0));
        }
      }
      held += static_cast<std::size_t>(share.matrix.values.nonZeros());
      if (parts > 1) CHECK(share.matrix.values.nonZeros() < whole.values.nonZeros());
    }
    CHECK(held >= static_cast<std::size_t>(whole.values.nonZeros()));
  }
}
