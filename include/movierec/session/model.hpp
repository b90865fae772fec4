// The one model loader: everything recommend and evaluate read from artifacts/ and processed/,
// loaded and checked against each other in one place, into an immutable Model that also holds
// the per-movie tables every Session needs, computed once (a session itself is then cheap).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "movierec/data/catalog.hpp"
#include "movierec/data/pipeline_config.hpp"
#include "movierec/data/processed_folder.hpp"
#include "movierec/train/artifacts.hpp"
#include "movierec/train/artifacts_folder.hpp"

namespace movierec {

// What a model is made of, as read from the folders or built in memory (tests, benchmarks).
struct ModelParts {
  Artifacts artifacts;
  Catalog catalog;  // every movie of the data set, embedded or not
  // Every movie preprocess's filter kept (movie_popularity.json: movieId -> train ratings),
  // embedded or not: a kept movie without an embedding had no rating in the training split.
  std::unordered_map<std::int32_t, std::int64_t> kept_movies;
  PipelineConfig pipeline;  // the config preprocess and train_svd ran with
  nlohmann::json processed_manifest = nlohmann::json::object();
};

// Whether a model takes the artifacts' movies outside the trained catalog (outside_movies.hpp).
enum class OutsideMovies { kInclude, kLeaveOut };

// A validated model: every embedded movie (row of movie_map) is in the catalog and among the
// kept movies, with at least one embedding column and at most 2^32 movies. Built only by load()
// or build(), and never changed after: any number of sessions (threads) may share one.
//
// Its rows are the trained catalog's (movie_map order), then, when the artifacts have them and
// they are included, the movies outside it (outside_map order): artifacts() holds both, as one
// movie_embeddings and one movie_map (and zero biases for the outside rows), so every row reads
// alike; trained_movie_count() says where the outside rows begin.
class Model {
 public:
  // Loads artifacts/ and from processed/ movie_metadata.csv and movie_popularity.json, and checks
  // they belong together: artifacts trained on this processed/ (the input checksums agree), the
  // two processed files as preprocess wrote them (their checksums agree with its manifest), every
  // embedded movie in the metadata and the popularity, and the recorded config readable with the
  // manifest's k. Throws ModelError saying what disagrees and which command fixes it (the
  // folders' fix(): preprocess for processed/, train_svd for artifacts/).
  static Model load(const ArtifactsFolder& artifacts, const ProcessedFolder& processed,
                    OutsideMovies outside = OutsideMovies::kInclude);
  // A model from parts already in memory, checked as load() checks them. Throws Error naming
  // the movie and row that disagree.
  static Model build(ModelParts parts, OutsideMovies outside = OutsideMovies::kInclude);

  const Artifacts& artifacts() const { return parts_.artifacts; }
  const Catalog& catalog() const { return parts_.catalog; }
  const std::unordered_map<std::int32_t, std::int64_t>& kept_movies() const {
    return parts_.kept_movies;
  }
  const PipelineConfig& pipeline() const { return parts_.pipeline; }
  const nlohmann::json& processed_manifest() const { return parts_.processed_manifest; }

  // Per embedding row (movie_map order):
  std::size_t movie_count() const { return catalog_index_.size(); }
  // The rows [0, trained_movie_count()) are the trained catalog; the rest are outside it.
  std::size_t trained_movie_count() const { return trained_movies_; }
  // Whether the row may be recommended under a policy's min_evidence: a trained movie always
  // (it passed preprocess's filter), an outside one when folded from at least that many train
  // ratings (its popularity()).
  bool recommendable(std::size_t row, std::int64_t min_evidence) const {
    return row < trained_movies_ || popularity_[row] >= min_evidence;
  }
  std::size_t recommendable_count(std::int64_t min_evidence) const;
  const std::vector<std::size_t>& catalog_index() const { return catalog_index_; }  // catalog row
  const MovieInfo& info(std::size_t row) const { return catalog().movies()[catalog_index_[row]]; }
  // Train ratings: of a trained movie, its count in movie_popularity.json; of an outside one,
  // the ratings its vector was folded from (0: placed by content).
  const std::vector<std::int64_t>& popularity() const { return popularity_; }
  // Indexes into genre_names(), each genre once, ascending.
  const std::vector<std::vector<int>>& movie_genres() const { return movie_genres_; }
  // The same genres through the distinct genre lists (a few hundred on MovieLens, however many
  // movies): a session's pick computes each list's affinity once, not each movie's.
  std::size_t genre_set_count() const { return set_offsets_.size() - 1; }
  std::size_t genre_set(std::size_t row) const { return genre_set_[row]; }
  std::span<const int> set_genres(std::size_t set) const {
    return {set_genres_.data() + set_offsets_[set], set_genres_.data() + set_offsets_[set + 1]};
  }
  std::span<const int> genres(std::size_t row) const { return set_genres(genre_set_[row]); }
  // popularity()[row] / max_popularity(), 0 when the maximum is 0.
  const std::vector<double>& popularity_shares() const { return popularity_shares_; }
  // |movie embedding|^2, as the embeddings' float computes it.
  const std::vector<float>& squared_norms() const { return squared_norms_; }

  // Every genre of the embedded movies, sorted.
  const std::vector<std::string>& genre_names() const { return genre_names_; }
  double max_popularity() const { return max_popularity_; }  // of popularity(); 0 when empty
  // s_m: the mean squared embedding norm over the trained movies, 1 when every embedding is
  // zero (the unit of Policy::ls_regularization, see Session).
  double norm_scale() const { return norm_scale_; }

  // A trained movie a row leads into (train/lead_ins.hpp: the artifacts' lead-ins turned
  // around), with the lead-in's weight.
  struct LeadOut {
    std::uint32_t row = 0;
    float weight = 0;
  };
  // Whether the artifacts have lead-ins (a session's lead_in_weight does nothing without).
  bool has_lead_ins() const { return !lead_outs_.empty(); }
  // The movies `row` is a lead-in of; none for an outside movie or without lead-ins.
  std::span<const LeadOut> leads_into(std::size_t row) const {
    if (row + 1 >= lead_out_starts_.size()) return {};
    return {lead_outs_.data() + lead_out_starts_[row],
            lead_outs_.data() + lead_out_starts_[row + 1]};
  }

 private:
  struct Sources;
  Model() = default;
  static Model assemble(ModelParts parts, const Sources& sources, OutsideMovies outside);
  void append_outside_movies(const Sources& sources);
  void turn_lead_ins_around(const Sources& sources);

  ModelParts parts_;
  std::vector<std::size_t> catalog_index_;
  std::size_t trained_movies_ = 0;
  std::vector<std::int64_t> popularity_;
  std::vector<std::vector<int>> movie_genres_;
  std::vector<std::uint32_t> genre_set_;        // per row
  std::vector<std::size_t> set_offsets_ = {0};  // per genre set + 1, into set_genres_
  std::vector<int> set_genres_;
  std::vector<double> popularity_shares_;
  std::vector<float> squared_norms_;
  std::vector<std::string> genre_names_;
  double max_popularity_ = 0;
  double norm_scale_ = 1;
  std::vector<std::size_t> lead_out_starts_;  // per trained row + 1, into lead_outs_
  std::vector<LeadOut> lead_outs_;
};

// Model::load on the two folders opened here (artifacts/ first, its fix naming processed_dir).
Model load_model(const std::filesystem::path& artifacts_dir,
                 const std::filesystem::path& processed_dir,
                 OutsideMovies outside = OutsideMovies::kInclude);

}  // namespace movierec
