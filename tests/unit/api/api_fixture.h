#pragma once
// A real ApiHandler over a throw-away SQLite catalog and chunk store, for tests that inspect
// the router (the OpenAPI document, the access declarations).

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "../temp_dir.h"
#include "api/api_handler.h"
#include "auth/token_signer.h"
#include "meta/catalog.h"
#include "store/local_chunk_store.h"

namespace coffer::api {

class ApiFixture {
 public:
  ApiFixture() {
    auto catalog = meta::open_sqlite_catalog(dir_.file("meta.db"));
    auto chunks = store::LocalChunkStore::open(dir_.file("chunks"));
    if (!catalog.is_ok() || !chunks.is_ok()) throw std::runtime_error("cannot open the stores");
    catalog_ = std::move(*catalog);
    chunks_ = std::move(*chunks);
    leases_ = std::make_unique<store::GcLeases>(*chunks_);
    files_ = std::make_unique<service::FileService>(*catalog_, *chunks_, inflight_, *leases_);
    auth_ = std::make_unique<service::AuthService>(*catalog_, auth::TokenSigner(key_, 60),
                                                   auth::SecretBox(key_, "cofferMF"));
    admin_ = std::make_unique<service::AdminService>(*catalog_, *auth_);
    search_ = std::make_unique<service::SearchService>(*catalog_, *files_);
    shares_ = std::make_unique<service::ShareService>(*catalog_, auth::SecretBox(key_, "cofferSL"),
                                                      auth::UrlSigner(key_, "cofferLA"),
                                                      service::ThrottlePolicy{});
    handler_ = std::make_unique<ApiHandler>(ApiContext{*files_, *auth_, *admin_, *shares_, *search_,
                                                       *catalog_, *chunks_, metrics_, url_signer_,
                                                       dir_.path()});
  }
  ~ApiFixture() { handler_.reset(); }

  const ApiHandler& handler() const { return *handler_; }

 private:
  ::coffer::testing::TempDir dir_;  // first: removed after everything in it has closed
  const std::vector<unsigned char> key_ = std::vector<unsigned char>(32, 7);
  std::unique_ptr<meta::Catalog> catalog_;
  std::unique_ptr<store::LocalChunkStore> chunks_;
  store::InflightChunks inflight_;
  std::unique_ptr<store::GcLeases> leases_;
  std::unique_ptr<service::FileService> files_;
  std::unique_ptr<service::AuthService> auth_;
  std::unique_ptr<service::AdminService> admin_;
  std::unique_ptr<service::SearchService> search_;
  std::unique_ptr<service::ShareService> shares_;
  Metrics metrics_;
  const auth::UrlSigner url_signer_{key_};
  std::unique_ptr<ApiHandler> handler_;
};

}  // namespace coffer::api
