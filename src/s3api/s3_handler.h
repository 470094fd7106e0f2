#pragma once
// The root handler of the S3 listener: request ids, SigV4 authentication (an access key of
// service::S3Keys), scopes, the choice of operation, S3's XML errors, logs and metrics. The
// operations themselves are in the files s3_call.h names.

#include "api/exchange.h"
#include "s3api/s3_context.h"

namespace coffer::s3api {

class S3Handler : public api::Handler {
 public:
  explicit S3Handler(S3Context context) : context_(std::move(context)) {}

  api::Response handle(api::Request& request) override;
  api::Response error_response(const api::Request& request, int http_status, Errc code,
                               std::string_view message) override;
  void on_complete(const api::Request& request, const api::ExchangeRecord& record) override;

 private:
  api::Response dispatch(api::Request& request);

  S3Context context_;
};

}  // namespace coffer::s3api
