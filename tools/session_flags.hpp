// What the programs that run sessions (recommend, serve) take alike: the model's two folders, the
// policy file, and one flag per policy key that overrides it.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <string>

#include "movierec/data/processed_folder.hpp"
#include "movierec/session/known_users.hpp"
#include "movierec/session/model.hpp"
#include "movierec/session/policy.hpp"
#include "program.hpp"

namespace movierec {

struct SessionFlags {
  std::string artifacts = "artifacts";
  std::string processed = "processed";
  std::string policy_file = "config/recommender_policy.yaml";
  std::map<std::string, std::string> policy_flags;  // as typed, applied by policy()

  // --artifacts, --processed and --policy.
  void add_folders(CLI::App& app) {
    app.add_option("--artifacts", artifacts, "folder train_svd wrote")
        ->capture_default_str()
        ->type_name("PATH");
    app.add_option("--processed", processed, "folder preprocess wrote")
        ->capture_default_str()
        ->type_name("PATH");
    app.add_option("--policy", policy_file, "session policy (YAML)")
        ->capture_default_str()
        ->type_name("PATH");
  }
  // One flag per policy key, its default the shipped policy file's.
  void add_policy_flags(CLI::App& app) {
    Policy defaults;
    load_shipped_defaults(defaults.fields(), policy_file);
    add_config_flags(app, defaults.fields(), policy_flags, "Policy (override the policy file)");
  }

  // The policy file with the flags applied, validated. Throws as load_policy does.
  Policy policy() {
    Policy policy = load_policy(policy_file);
    apply_config_flags(policy.fields(), policy_flags);
    policy.validate("command line");
    return policy;
  }
  Model model() const { return load_model(artifacts, processed); }
  // The model's users and what each rated in train, any movie of the release (--user, and
  // serve's /api/users/{id}/recommendations).
  KnownUsers known_users(const Model& model) const {
    return KnownUsers(model, ProcessedFolder(processed).read_train_ratings_of_every_movie());
  }
};

}  // namespace movierec
