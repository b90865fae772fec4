// serve: the recommender over HTTP for many people at once: a web page at / and a JSON API under
// /api/ (include/movierec/frontends/http_api.hpp), driving the same Session as recommend.
#include <iostream>
#include <map>
#include <memory>

#include "movierec/frontends/http_api.hpp"
#include "movierec/frontends/http_server.hpp"
#include "movierec/frontends/serve_options.hpp"
#include "movierec/data/processed_folder.hpp"
#include "movierec/session/known_users.hpp"
#include "movierec/session/model.hpp"
#include "movierec/session/policy.hpp"
#include "movierec/session/title_search.hpp"
#include "movierec/store/profile_store.hpp"
#include "program.hpp"

int main(int argc, char** argv) {
  using namespace movierec;
  CLI::App app{
      "Serves the recommender over HTTP: a web page at / and a JSON API under /api/ (the routes\n"
      "are in the README and include/movierec/frontends/http_api.hpp). Prints one line,\n"
      "\"listening on http://HOST:PORT/\", and serves until SIGINT or SIGTERM."};
  app.name("serve");
  std::string artifacts = "artifacts";
  std::string processed = "processed";
  std::string policy_file = "config/recommender_policy.yaml";
  app.add_option("--artifacts", artifacts, "folder train_svd wrote")->capture_default_str()
      ->type_name("PATH");
  app.add_option("--processed", processed, "folder preprocess wrote")->capture_default_str()
      ->type_name("PATH");
  app.add_option("--policy", policy_file, "session policy (YAML)")->capture_default_str()
      ->type_name("PATH");
  std::string profiles = "data/profiles.sqlite";
  app.add_option("--profiles", profiles,
                 "the profile store of sessions that name a profile: a SQLite file or "
                 "postgresql:// URL (opened, or created, at start)")
      ->capture_default_str()
      ->type_name("PATH|URL");
  ServeOptions options;
  add_checked_flags(app, options.fields(), "Server");
  StoreOptions store_options;
  add_checked_flags(app, store_options.fields(), "Profile store");
  Policy defaults;
  load_shipped_defaults(defaults.fields(), policy_file);
  std::map<std::string, std::string> policy_flags;
  add_config_flags(app, defaults.fields(), policy_flags, "Policy (override the policy file)");

  return run_program(app, argc, argv, [&] {
    options.validate("command line");
    Policy policy = load_policy(policy_file);
    apply_config_flags(policy.fields(), policy_flags);
    policy.validate("command line");
    const Model model = load_model(artifacts, processed);
    const TitleIndex titles(title_entries(model.catalog()));
    const KnownUsers known(model, ProcessedFolder(processed).read_ratings("train.csv"));
    HttpApi api(model, titles, policy, options, HttpApi::Clock::now, &known);
    const std::unique_ptr<ProfileStore> store = open_profile_store(profiles, store_options);
    api.use_profiles(*store);
    serve_http(api, std::cout);
    return 0;
  });
}
